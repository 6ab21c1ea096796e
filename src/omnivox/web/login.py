"""Sign-in, second factor, sign-out and the home page."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from omnivox.accounts import Organization, User, auth, get_organization
from omnivox.core.errors import DomainError, NotAuthenticated, RateLimited
from omnivox.core.security import tokens
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, PUBLIC, SESSION_COOKIE, Allow, State, client_address, render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "omnivox_login_csrf"


_SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_\-.~%?=&]*$")


def _safe_next(target: str | None) -> str:
    """Only plain same-site paths, so the login page is no open redirect (browsers read
    ``/\\host`` like ``//host``; anything unusual goes to the start page)."""
    if not target or not _SAFE_PATH.match(target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _login_page(
    request: Request,
    state: State,
    *,
    error: str = "",
    status: int = 200,
    next_url: str = "/",
    email: str = "",
) -> HTMLResponse:
    csrf = tokens.new_csrf_token()
    resp = render(
        request,
        "login.html",
        None,
        status=status,
        error=error,
        csrf=csrf,
        next_url=next_url,
        email=email,
    )
    resp.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=state.settings.cookie_secure,
        max_age=3600,
    )
    return resp


def _policy(state: State) -> auth.LoginPolicy:
    return auth.LoginPolicy.from_settings(state.settings)


def _set_session_cookie(resp: Response, state: State, session_id: str) -> None:
    resp.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=state.settings.cookie_secure,
        max_age=state.settings.session_hours * 3600,
    )


@router.get("/login", dependencies=[PUBLIC])
async def login_form(request: Request, state: State, next: str = "/") -> HTMLResponse:
    return _login_page(request, state, next_url=_safe_next(next))


@router.post("/login", dependencies=[PUBLIC])
async def login(request: Request, db: DB, state: State) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/")))
    sent, expected = str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not sent or not expected or not tokens.same(sent, expected):
        return _login_page(
            request,
            state,
            error="Your sign-in form expired; please try again.",
            status=403,
            next_url=next_url,
            email=email,
        )
    now, policy = state.clock.now(), _policy(state)
    address = client_address(request, state.settings.trusted_proxy_networks)
    try:
        user = await auth.authenticate(db, email, password, now, policy, address)
        pending = await auth.needs_second_factor(db, user)
        new = await auth.start_session(
            db,
            user,
            now,
            policy,
            mfa_pending=pending,
            ip=address,
        )
    except DomainError as exc:
        state.metrics.logins.labels(exc.code).inc()
        page = _login_page(
            request, state, error=exc.detail, status=exc.status, next_url=next_url, email=email
        )
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    state.metrics.logins.labels("password-ok").inc()
    target = f"/login/totp?next={quote(next_url)}" if new.mfa_pending else next_url
    resp = RedirectResponse(target, status_code=303)
    _set_session_cookie(resp, state, new.session_id)
    resp.delete_cookie(LOGIN_CSRF_COOKIE)
    return resp


async def _pending(request: Request, db: DB, state: State) -> tuple[User, Organization]:
    sid = request.cookies.get(SESSION_COOKIE, "")
    resolved = await auth.resolve_session(db, sid, state.clock.now()) if sid else None
    if resolved is None or not resolved[0].mfa_pending:
        raise NotAuthenticated("sign in first")
    user = resolved[1]
    return user, await get_organization(db, user.organization_id)


@router.get("/login/totp", dependencies=[PUBLIC])
async def totp_form(request: Request, db: DB, state: State, next: str = "/") -> HTMLResponse:
    user, org = await _pending(request, db, state)
    enrol = None
    if not user.totp_enabled:  # the organisation requires it: enrol now
        enrol = auth.begin_totp_enrolment(user)
        await db.commit()
    return render(
        request, "login_totp.html", None, enrol=enrol, org=org, next_url=_safe_next(next), error=""
    )


@router.post("/login/totp", dependencies=[PUBLIC])
async def totp_submit(request: Request, db: DB, state: State) -> Response:
    form = await request.form()
    next_url = _safe_next(str(form.get("next", "/")))
    user, org = await _pending(request, db, state)
    try:
        await auth.complete_second_factor(
            db,
            request.cookies.get(SESSION_COOKIE, ""),
            str(form.get("code", "")),
            state.clock.now(),
            _policy(state),
        )
    except DomainError as exc:
        enrol = None if user.totp_enabled else auth.begin_totp_enrolment(user)
        return render(
            request,
            "login_totp.html",
            None,
            status=exc.status,
            enrol=enrol,
            org=org,
            next_url=next_url,
            error=exc.detail,
        )
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
async def logout(request: Request, db: DB, actor: Principal = Allow(P.OWN_ACCOUNT)) -> Response:
    await auth.end_session(db, request.cookies.get(SESSION_COOKIE, ""))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.get("/")
async def home(request: Request, db: DB, actor: Principal = Allow(P.HOME)) -> HTMLResponse:
    org = await get_organization(db, actor.organization_id)
    return render(request, "home.html", actor, org=org)

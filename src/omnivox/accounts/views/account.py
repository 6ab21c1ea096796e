"""My account: password, two-factor sign-in, API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.accounts import api_tokens, auth
from omnivox.accounts.models import User
from omnivox.accounts.schemas import ApiTokenCreate, PasswordChange, TotpCode
from omnivox.core.errors import NotAuthenticated
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, form_dict, parse, render

router = APIRouter(prefix="/account")


async def _me(db: DB, actor: Principal) -> User:
    user = await db.get(User, actor.user_id)
    if user is None:
        raise NotAuthenticated("your account no longer exists")
    return user


async def _page(request: Request, db: DB, actor: Principal, **extra: Any) -> HTMLResponse:
    user = await _me(db, actor)
    tokens = await api_tokens.list_api_tokens(db, actor.user_id)
    return render(
        request,
        "account.html",
        actor,
        user=user,
        tokens=tokens,
        **{"enrol": None, "new_token": None, "message": "", **extra},
    )


@router.get("")
async def account_page(
    request: Request, db: DB, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> HTMLResponse:
    return await _page(request, db, actor)


@router.post("/password")
async def change_password(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> HTMLResponse:
    data = parse(PasswordChange, await form_dict(request))
    revoked = await auth.change_password(db, actor, data, state.clock.now())
    tokens = f" {revoked} API token(s) were revoked." if revoked else ""
    return render(
        request,
        "partials/flash.html",
        actor,
        message=f"Password changed. Other sessions were signed out.{tokens}",
    )


@router.post("/totp/setup")
async def totp_setup(
    request: Request, db: DB, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> HTMLResponse:
    auth.browser_only(actor, "enrolling two-factor sign-in")
    user = await _me(db, actor)
    secret, uri = auth.begin_totp_enrolment(user)
    await db.commit()
    return render(request, "partials/totp.html", actor, user=user, enrol=(secret, uri))


async def _totp_switch(
    request: Request, db: DB, state: State, actor: Principal, *, on: bool
) -> HTMLResponse:
    """Turn two-factor sign-in on or off with a current code; re-render the panel."""
    code = parse(TotpCode, await form_dict(request)).code
    switch = auth.enable_totp if on else auth.disable_totp
    await switch(db, actor, code, state.clock.now())
    return render(
        request,
        "partials/totp.html",
        actor,
        user=await _me(db, actor),
        enrol=None,
        message=f"Two-factor sign-in is {'on' if on else 'off'}.",
    )


@router.post("/totp/enable")
async def totp_enable(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> HTMLResponse:
    return await _totp_switch(request, db, state, actor, on=True)


@router.post("/totp/disable")
async def totp_disable(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> HTMLResponse:
    return await _totp_switch(request, db, state, actor, on=False)


@router.post("/tokens")
async def create_token(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.TOKENS_MANAGE)
) -> HTMLResponse:
    data = await form_dict(request)
    if data.get("expires_in_days") == "":
        del data["expires_in_days"]
    _token, secret = await api_tokens.create_api_token(
        db, actor, parse(ApiTokenCreate, data), state.clock.now()
    )
    return render(
        request,
        "partials/tokens.html",
        actor,
        tokens=await api_tokens.list_api_tokens(db, actor.user_id),
        new_token=secret,
    )


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(
    token_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.TOKENS_MANAGE),
) -> HTMLResponse:
    await api_tokens.revoke_api_token(db, actor, actor.user_id, token_id, state.clock.now())
    return render(
        request,
        "partials/tokens.html",
        actor,
        tokens=await api_tokens.list_api_tokens(db, actor.user_id),
        new_token=None,
    )

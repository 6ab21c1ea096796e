"""Sign-in, sessions with CSRF, lock-out, TOTP, API tokens and password change."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select
from tests.support import PASSWORD, Env

from omnivox.accounts.models import ApiToken, Organization, User
from omnivox.core.security.permissions import Role


async def login(env: Env, email: str, password: str = PASSWORD, next_url: str = "/") -> object:
    page = await env.client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return await env.client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf.group(1), "next": next_url},
    )


async def signed_in(env: Env, email: str) -> dict[str, str]:
    """Sign in through the page (the client keeps the cookie); the CSRF header for the API."""
    resp = await login(env, email)
    assert resp.status_code == 303, resp.text  # type: ignore[attr-defined]
    return {"X-CSRF-Token": page_csrf((await env.client.get("/")).text)}


def page_csrf(html: str) -> str:
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', html)
    assert found, "page carries no CSRF token"
    return found.group(1)


async def test_browser_sign_in_sets_a_safe_cookie_and_csrf_guards_forms(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    resp = await login(env, "admin@acme.example.com", next_url="/admin/users")
    assert resp.status_code == 303 and resp.headers["location"] == "/admin/users"
    cookie = resp.headers["set-cookie"]
    assert "omnivox_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = await env.client.get("/admin/teams")
    assert page.status_code == 200
    no_csrf = await env.client.post("/admin/teams", data={"name": "Red"})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    with_csrf = await env.client.post(
        "/admin/teams",
        data={"name": "Red"},
        headers={"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"},
    )
    assert with_csrf.status_code == 200 and "Red" in with_csrf.text
    api_no_csrf = await env.client.post("/api/v1/teams", json={"name": "Blue"})
    assert api_no_csrf.status_code == 403  # a session alone cannot write without the token


async def test_login_form_refuses_a_missing_login_csrf(sqlite_env: Env) -> None:
    org = await sqlite_env.org("acme")
    await sqlite_env.user(org, "a@acme.example.com", Role.AGENT)
    resp = await sqlite_env.client.post(
        "/login", data={"email": "a@acme.example.com", "password": PASSWORD}
    )
    assert resp.status_code == 403 and "expired" in resp.text


async def test_open_redirects_are_refused(sqlite_env: Env) -> None:
    org = await sqlite_env.org("acme")
    await sqlite_env.user(org, "a@acme.example.com", Role.AGENT)
    for target in (
        "//evil.example.com/x",
        "/\\evil.example.com",
        "https://evil.example.com",
        "/\t/evil.example.com",
    ):
        resp = await login(sqlite_env, "a@acme.example.com", next_url=target)
        assert resp.headers["location"] == "/", target
    kept = await login(sqlite_env, "a@acme.example.com", next_url="/account?tab=tokens")
    assert kept.headers["location"] == "/account?tab=tokens"


async def test_disabling_an_organisation_ends_its_access(sqlite_env: Env) -> None:
    env = sqlite_env
    operator, acme = await env.org("operator"), await env.org("acme")
    await env.user(operator, "root@operator.example.com", Role.PLATFORM_ADMIN)
    await env.user(acme, "boss@acme.example.com", Role.ORG_ADMIN)
    root, boss = (
        await env.token("root@operator.example.com"),
        await env.token("boss@acme.example.com"),
    )
    await login(env, "boss@acme.example.com")
    page = await env.client.get("/admin/settings")
    assert page.status_code == 200
    # The org admin cannot switch the organisation on or off through the profile form.
    form = {"name": "Acme", "timezone": "UTC", "locale": "en-US", "is_active": "false"}
    await env.client.post(
        "/admin/settings/profile",
        data=form,
        headers={"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"},
    )
    assert (await env.client.get("/api/v1/organization", headers=boss)).json()["is_active"]
    off = await env.client.patch(
        f"/api/v1/organizations/{acme}", headers=root, json={"is_active": False}
    )
    assert off.status_code == 200
    assert (await env.client.get("/api/v1/me", headers=boss)).status_code == 401
    assert (await env.client.get("/admin/settings")).status_code == 303  # session ended too


async def test_an_admin_password_reset_signs_the_user_out(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    agent = await env.user(org, "a@acme.example.com", Role.AGENT)
    boss = await env.token("boss@acme.example.com")
    await login(env, "a@acme.example.com")
    assert (await env.client.get("/")).status_code == 200
    reset = await env.client.patch(
        f"/api/v1/users/{agent}", headers=boss, json={"password": "fresh-start-123"}
    )
    assert reset.status_code == 200
    assert (await env.client.get("/")).status_code == 303


async def test_repeated_failures_delay_then_recovery(sqlite_env: Env) -> None:
    """Growing delays, not a lock (test_login_throttle.py has the rest)."""
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    for _ in range(4):
        assert (await login(env, "a@acme.example.com", "wrong-password-1")).status_code == 401
    fifth = await login(env, "a@acme.example.com", "wrong-password-1")
    assert fifth.status_code == 401
    slowed = await login(env, "a@acme.example.com")  # right password, too soon
    assert slowed.status_code == 429 and "try again in 1 second" in slowed.text
    assert slowed.headers["retry-after"] == "1"
    await env.clock.advance(1)
    assert (await login(env, "a@acme.example.com")).status_code == 303


async def test_unknown_email_gets_the_same_answer(sqlite_env: Env) -> None:
    resp = await login(sqlite_env, "nobody@acme.example.com", "whatever-123")
    assert resp.status_code == 401 and "Wrong e-mail or password" in resp.text


async def test_deactivated_user_loses_sessions_and_cannot_sign_in(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    agent = await env.user(org, "a@acme.example.com", Role.AGENT)
    h = await env.token("admin@acme.example.com")
    assert (await login(env, "a@acme.example.com")).status_code == 303
    assert (await env.client.get("/")).status_code == 200
    await env.client.patch(f"/api/v1/users/{agent}", headers=h, json={"is_active": False})
    assert (await env.client.get("/")).status_code == 303
    assert (await login(env, "a@acme.example.com")).status_code == 401


async def test_agent_cannot_open_admin_pages(sqlite_env: Env) -> None:
    org = await sqlite_env.org("acme")
    await sqlite_env.user(org, "a@acme.example.com", Role.AGENT)
    await login(sqlite_env, "a@acme.example.com")
    home = await sqlite_env.client.get("/")
    assert home.status_code == 200 and "/admin/users" not in home.text
    for path in ("/admin/users", "/admin/settings", "/admin/audit", "/platform/organizations"):
        assert (await sqlite_env.client.get(path)).status_code == 403


async def test_totp_enrolment_and_second_factor_sign_in(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    token = await env.token("a@acme.example.com")
    refused = await env.client.post("/api/v1/me/totp/setup", headers=token)
    assert refused.status_code == 403 and "browser session" in refused.json()["detail"]
    h = await signed_in(env, "a@acme.example.com")
    setup = (await env.client.post("/api/v1/me/totp/setup", headers=h)).json()
    totp = pyotp.TOTP(setup["secret"])
    assert setup["otpauth_uri"].startswith("otpauth://totp/")
    bad = await env.client.post("/api/v1/me/totp/enable", headers=h, json={"code": "000000"})
    assert bad.status_code == 422
    now = env.clock.now()
    ok = await env.client.post("/api/v1/me/totp/enable", headers=h, json={"code": totp.at(now)})
    assert ok.status_code == 204
    again = await env.client.post("/api/v1/me/totp/setup", headers=h)
    assert again.status_code == 409  # an enabled secret is never shown again
    env.client.cookies.clear()

    resp = await login(env, "a@acme.example.com", next_url="/account")
    assert resp.headers["location"].startswith("/login/totp")
    assert (await env.client.get("/account")).status_code == 303  # pending: not signed in yet
    await env.clock.advance(31)
    code = totp.at(env.clock.now())
    done = await env.client.post("/login/totp", data={"code": code, "next": "/account"})
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert (await env.client.get("/account")).status_code == 200

    # The same code cannot be used twice.
    await login(env, "a@acme.example.com")
    replay = await env.client.post("/login/totp", data={"code": code, "next": "/"})
    assert replay.status_code == 401


async def test_organisation_can_require_two_factor(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    async with env.sessions() as s:
        (await s.get(Organization, org)).require_2fa = True  # type: ignore[union-attr]
        await s.commit()
    resp = await login(env, "a@acme.example.com")
    assert resp.headers["location"].startswith("/login/totp")
    page = await env.client.get("/login/totp")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret, "enrolment shows the new secret"
    code = pyotp.TOTP(secret.group(1)).at(env.clock.now())
    assert (await env.client.post("/login/totp", data={"code": code})).status_code == 303
    async with env.sessions() as s:
        user = await s.scalar(select(User).where(User.email == "a@acme.example.com"))
        assert user is not None and user.totp_enabled


async def test_api_tokens_are_hashed_expire_and_revoke(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    # A token that may mint tokens (by default one may not: test_token_scopes.py).
    h = await env.token("a@acme.example.com", scope="custom", permissions=["tokens:manage"])
    made = await env.client.post(
        "/api/v1/tokens", headers=h, json={"name": "crm", "expires_in_days": 1}
    )
    assert made.status_code == 201
    secret = made.json()["token"]
    async with env.sessions() as s:
        stored = [t.token_hash for t in await s.scalars(select(ApiToken))]
        assert secret not in stored and all(len(x) == 64 for x in stored)
    crm = {"Authorization": f"Bearer {secret}"}
    # Its scope is the minting token's: tokens:manage, not own-account.
    assert (await env.client.get("/api/v1/me", headers=crm)).status_code == 403
    assert (await env.client.get("/api/v1/tokens", headers=crm)).status_code == 403
    await env.clock.advance(86400 + 1)
    expired = await env.client.post("/api/v1/tokens", headers=crm, json={"name": "y"})
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]

    other = (
        await env.client.post(
            "/api/v1/tokens", headers=h, json={"name": "x", "expires_in_days": 30}
        )
    ).json()
    revoked = await env.client.delete(f"/api/v1/tokens/{other['id']}", headers=h)
    assert revoked.json()["revoked_at"] is not None
    dead = await env.client.post(
        "/api/v1/tokens",
        headers={"Authorization": f"Bearer {other['token']}"},
        json={"name": "z"},
    )
    assert dead.status_code == 401
    assert (
        await env.client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    ).status_code == 401


async def test_password_change(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    token = await env.token("a@acme.example.com")
    by_token = await env.client.post(
        "/api/v1/me/password",
        headers=token,
        json={"current_password": PASSWORD, "new_password": "brand-new-pass-2"},
    )
    assert by_token.status_code == 403  # a leaked token cannot take the account over
    h = await signed_in(env, "a@acme.example.com")
    wrong = await env.client.post(
        "/api/v1/me/password",
        headers=h,
        json={"current_password": "nope-nope-1", "new_password": "brand-new-pass-2"},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    ok = await env.client.post(
        "/api/v1/me/password",
        headers=h,
        json={"current_password": PASSWORD, "new_password": "brand-new-pass-2"},
    )
    assert ok.status_code == 204
    env.client.cookies.clear()
    assert (await login(env, "a@acme.example.com")).status_code == 401
    assert (await login(env, "a@acme.example.com", "brand-new-pass-2")).status_code == 303


async def test_logout_ends_the_session(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    await login(env, "a@acme.example.com")
    home = await env.client.get("/")
    out = await env.client.post("/logout", data={"csrf_token": page_csrf(home.text)})
    assert out.status_code == 303
    assert (await env.client.get("/")).status_code == 303


async def test_session_expires(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    await login(env, "a@acme.example.com")
    await env.clock.advance(timedelta(hours=12).total_seconds() + 1)
    assert (await env.client.get("/")).status_code == 303


async def test_two_factor_required_for_chosen_roles_only(sqlite_env: Env) -> None:
    """An organisation may require a second factor of its admins and supervisors but not
    its agents; it is enforced at sign-in and cannot be switched off by those it binds."""
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    await env.user(org, "sup@acme.example.com", Role.SUPERVISOR)
    await env.user(org, "al@acme.example.com", Role.AGENT)
    boss = await env.token("boss@acme.example.com")
    bad = await env.client.patch(
        "/api/v1/organization", headers=boss, json={"require_2fa_roles": ["janitor"]}
    )
    assert bad.status_code == 422 and "require_2fa_roles" in bad.text
    saved = await env.client.patch(
        "/api/v1/organization",
        headers=boss,
        json={"require_2fa_roles": ["org_admin", "supervisor"]},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["require_2fa_roles"] == ["org_admin", "supervisor"]

    agent = await login(env, "al@acme.example.com")
    assert agent.headers["location"] == "/"  # type: ignore[attr-defined]
    env.client.cookies.clear()
    sup = await login(env, "sup@acme.example.com")
    assert sup.headers["location"].startswith("/login/totp")  # type: ignore[attr-defined]
    # Half signed in: nothing but the second step.
    assert (await env.client.get("/agent")).status_code in (303, 401)
    page = await env.client.get("/login/totp")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret, "a supervisor without a second factor enrols now"
    code = pyotp.TOTP(secret.group(1)).at(env.clock.now())
    assert (await env.client.post("/login/totp", data={"code": code})).status_code == 303
    # The supervisor cannot turn it off again.
    await env.clock.advance(31)
    csrf = {"X-CSRF-Token": page_csrf((await env.client.get("/")).text)}
    off = await env.client.post(
        "/api/v1/me/totp/disable",
        headers=csrf,
        json={"code": pyotp.TOTP(secret.group(1)).at(env.clock.now())},
    )
    assert off.status_code == 409 and "requires two-factor" in off.json()["detail"]

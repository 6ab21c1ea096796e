"""API tokens that cannot outgrow their parent (issue 15, finding 2): scopes within the
role, creation only by a scope that says so, lifetimes the organisation bounds, last use
and origin shown, and revocation with the password, a reset or disabling the user."""

from __future__ import annotations

from sqlalchemy import select
from tests.integration.platform.test_auth import signed_in
from tests.support import PASSWORD, Env

from omnivox.accounts.models import ApiToken, Organization
from omnivox.core.security.permissions import Role


async def _made(env: Env, headers: dict[str, str], **body: object) -> dict[str, object]:
    resp = await env.client.post("/api/v1/tokens", headers=headers, json={"name": "x", **body})
    assert resp.status_code == 201, resp.text
    made: dict[str, object] = resp.json()
    return made


def _bearer(made: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {made['token']}"}


async def test_a_token_cannot_mint_a_token_unless_its_scope_says_so(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    plain = await env.token("boss@acme.example.com")  # the whole role, as by default
    refused = await env.client.post("/api/v1/tokens", headers=plain, json={"name": "child"})
    assert refused.status_code == 403 and "tokens:manage" in refused.json()["detail"]

    manager = await env.token(
        "boss@acme.example.com",
        scope="custom",
        permissions=["tokens:manage", "users:read", "own-account"],
        expires_in_days=10,
    )
    child = await _made(env, manager, scope="role", expires_in_days=5)
    # No wider than its parent: the role's other permissions were not the parent's to give.
    assert set(child["scopes"]) <= {"users:read", "own-account"}  # type: ignore[arg-type]
    assert (await env.client.get("/api/v1/users", headers=_bearer(child))).status_code == 200
    teams = await env.client.get("/api/v1/teams", headers=_bearer(child))
    assert teams.status_code == 403
    wider = await env.client.post(
        "/api/v1/tokens",
        headers=manager,
        json={
            "name": "w",
            "scope": "custom",
            "permissions": ["teams:write"],
            "expires_in_days": 5,
        },
    )
    assert wider.status_code == 422 and "teams:write" in wider.json()["detail"]
    longer = await env.client.post(
        "/api/v1/tokens", headers=manager, json={"name": "l", "expires_in_days": 30}
    )
    assert longer.status_code == 422 and "outlive" in longer.json()["detail"]
    unknown = await env.client.post(
        "/api/v1/tokens",
        headers=manager,
        json={
            "name": "u",
            "scope": "custom",
            "permissions": ["everything"],
            "expires_in_days": 5,
        },
    )
    assert unknown.status_code == 422 and "everything" in unknown.json()["detail"]


async def test_read_only_tokens_read_and_do_not_write(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    reader = await env.token("boss@acme.example.com", scope="read")
    assert (await env.client.get("/api/v1/teams", headers=reader)).status_code == 200
    write = await env.client.post("/api/v1/teams", headers=reader, json={"name": "Nope"})
    assert write.status_code == 403
    me = await env.client.get("/api/v1/users", headers=reader)
    assert me.status_code == 200


async def test_the_organisation_bounds_token_lifetimes(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    admin = await env.token(
        "boss@acme.example.com",
        scope="custom",
        permissions=[
            "tokens:manage",
            "org-settings:write",
            "org-settings:read",
            "own-account",
        ],
    )
    set_max = await env.client.patch(
        "/api/v1/organization", headers=admin, json={"api_token_max_days": 30}
    )
    assert set_max.status_code == 200 and set_max.json()["api_token_max_days"] == 30
    long = await env.client.post(
        "/api/v1/tokens", headers=admin, json={"name": "year", "expires_in_days": 60}
    )
    assert long.status_code == 422
    assert "at most 30 days" in long.json()["detail"]
    never = await env.client.post(
        "/api/v1/tokens", headers=admin, json={"name": "forever", "expires_in_days": None}
    )
    assert never.status_code == 422  # every token expires


async def test_last_use_and_origin_are_shown_to_owner_and_admin(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    agent_id = await env.user(org, "al@acme.example.com", Role.AGENT)
    agent = await env.token("al@acme.example.com")
    await env.clock.advance(60)
    assert (await env.client.get("/api/v1/me", headers=agent)).status_code == 200
    boss = await env.token("boss@acme.example.com")
    listed = await env.client.get(f"/api/v1/users/{agent_id}/tokens", headers=boss)
    assert listed.status_code == 200, listed.text
    [row] = listed.json()
    assert row["last_used_from"] == "127.0.0.1" and row["last_used_at"] is not None
    assert "calls:control" in row["scopes"] and "tokens:manage" not in row["scopes"]
    gone = await env.client.delete(f"/api/v1/users/{agent_id}/tokens/{row['id']}", headers=boss)
    assert gone.status_code == 200 and gone.json()["revoked_reason"].startswith("revoked by")
    assert (await env.client.get("/api/v1/me", headers=agent)).status_code == 401
    # An agent cannot read anyone else's tokens.
    other = await env.token("al@acme.example.com")
    mine = await env.client.get(f"/api/v1/users/{agent_id}/tokens", headers=other)
    assert mine.status_code == 403


async def test_password_change_reset_and_disabling_revoke_tokens(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    agent_id = await env.user(org, "al@acme.example.com", Role.AGENT)
    boss = await env.token("boss@acme.example.com")

    first = await env.token("al@acme.example.com")
    csrf = await signed_in(env, "al@acme.example.com")  # credentials change in a browser
    changed = await env.client.post(
        "/api/v1/me/password",
        headers=csrf,
        json={"current_password": PASSWORD, "new_password": "another long passphrase 2"},
    )
    assert changed.status_code == 204, changed.text
    env.client.cookies.clear()
    assert (await env.client.get("/api/v1/me", headers=first)).status_code == 401

    second = await env.token("al@acme.example.com")
    reset = await env.client.patch(
        f"/api/v1/users/{agent_id}", headers=boss, json={"password": "reset by the boss 123"}
    )
    assert reset.status_code == 200, reset.text
    assert (await env.client.get("/api/v1/me", headers=second)).status_code == 401

    third = await env.token("al@acme.example.com")
    off = await env.client.patch(
        f"/api/v1/users/{agent_id}", headers=boss, json={"is_active": False}
    )
    assert off.status_code == 200
    on = await env.client.patch(f"/api/v1/users/{agent_id}", headers=boss, json={"is_active": True})
    assert on.status_code == 200
    assert (await env.client.get("/api/v1/me", headers=third)).status_code == 401  # not revived
    async with env.sessions() as s:
        reasons = sorted(
            t.revoked_reason or ""
            for t in await s.scalars(select(ApiToken).where(ApiToken.user_id == agent_id))
        )
        org_row = await s.get(Organization, org)
        assert org_row is not None and org_row.api_token_max_days == 365
    assert reasons == [
        "the password was changed",
        "the password was reset by boss@acme.example.com",
        "the user was disabled",
    ]


async def test_revoking_a_token_revokes_what_it_minted_and_old_tokens_cannot_mint(
    env: Env,
) -> None:
    """A leaked token's children die with it; a token made before scopes keeps its role
    but not tokens:manage; a long administrator address fits the revocation reason (on
    PostgreSQL too)."""
    org = await env.org("acme")
    boss_email = "the.longest.administrator.address.in.the.company@acme.example.com"
    await env.user(org, boss_email, Role.ORG_ADMIN)
    al = await env.user(org, "al@acme.example.com", Role.AGENT)
    parent = await env.token(
        "al@acme.example.com", scope="custom", permissions=["tokens:manage", "own-account"]
    )
    child = await _made(env, parent, scope="role", expires_in_days=30)
    mine = (await env.client.get("/api/v1/tokens", headers=parent)).json()
    parent_id = next(t["id"] for t in mine if t["id"] != child["id"])
    revoked = await env.client.delete(f"/api/v1/tokens/{parent_id}", headers=parent)
    assert revoked.status_code == 200
    assert (await env.client.get("/api/v1/me", headers=_bearer(child))).status_code == 401

    async with env.sessions() as s:
        legacy = (await s.scalars(select(ApiToken).where(ApiToken.id == child["id"]))).one()
        assert legacy.revoked_reason is not None and "parent" in legacy.revoked_reason
    old = await env.token("al@acme.example.com")
    async with env.sessions() as s:
        for t in await s.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))):
            t.scopes = None  # as made before scopes existed
        await s.commit()
    assert (await env.client.get("/api/v1/me", headers=old)).status_code == 200
    mint = await env.client.post("/api/v1/tokens", headers=old, json={"name": "x"})
    assert mint.status_code == 403

    boss = await env.token(boss_email, whole_role=True)
    reset = await env.client.patch(
        f"/api/v1/users/{al}", headers=boss, json={"password": "reset by the boss 123"}
    )
    assert reset.status_code == 200, reset.text
    assert (await env.client.get("/api/v1/me", headers=old)).status_code == 401

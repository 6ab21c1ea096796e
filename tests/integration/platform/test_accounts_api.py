"""The accounts JSON API on SQLite and PostgreSQL: round trips, errors, audit, tenancy."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.support import Env

from omnivox.accounts.models import AuditEntry, Holiday, User
from omnivox.core.security.permissions import Role


async def _admin(env: Env, slug: str = "acme") -> tuple[str, dict[str, str]]:
    org = await env.org(slug)
    await env.user(org, f"admin@{slug}.example.com", Role.ORG_ADMIN)
    return org, await env.token(f"admin@{slug}.example.com")


async def _count(env: Env, model: type, **where: object) -> int:
    async with env.sessions() as s:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int(await s.scalar(query) or 0)


async def test_user_lifecycle_is_persisted_and_audited(env: Env) -> None:
    _, h = await _admin(env)
    created = await env.client.post(
        "/api/v1/users",
        headers=h,
        json={
            "email": "New.Agent@Acme.example.com",
            "name": "New Agent",
            "role": "agent",
            "password": "long-enough-1",
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "new.agent@acme.example.com" and user["role"] == "agent"

    patched = await env.client.patch(
        f"/api/v1/users/{user['id']}", headers=h, json={"role": "supervisor", "name": "Promoted"}
    )
    assert patched.json()["role"] == "supervisor"
    listed = await env.client.get("/api/v1/users", headers=h)
    assert {u["email"]: u["role"] for u in listed.json()}[
        "new.agent@acme.example.com"
    ] == "supervisor"

    audit = (await env.client.get("/api/v1/audit-log?entity_type=user", headers=h)).json()
    update = next(a for a in audit if a["action"] == "user.update")
    assert update["before"]["role"] == "agent" and update["after"]["role"] == "supervisor"
    assert update["actor_email"] == "admin@acme.example.com"
    assert "password_hash" not in update["after"]

    assert (await env.client.delete(f"/api/v1/users/{user['id']}", headers=h)).status_code == 204
    assert (await env.client.get(f"/api/v1/users/{user['id']}", headers=h)).status_code == 404


async def test_bad_user_input_names_the_field_and_stores_nothing(env: Env) -> None:
    _, h = await _admin(env)
    before = await _count(env, User)
    bad_email = await env.client.post(
        "/api/v1/users",
        headers=h,
        json={"email": "not-an-email", "name": "X", "role": "agent", "password": "long-enough-1"},
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["errors"][0]["field"] == "email"
    weak = await env.client.post(
        "/api/v1/users",
        headers=h,
        json={"email": "w@acme.example.com", "name": "X", "role": "agent", "password": "short"},
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    dup = await env.client.post(
        "/api/v1/users",
        headers=h,
        json={
            "email": "ADMIN@acme.example.com",
            "name": "X",
            "role": "agent",
            "password": "long-enough-1",
        },
    )
    assert dup.status_code == 409 and dup.json()["errors"][0]["field"] == "email"
    bad_role = await env.client.post(
        "/api/v1/users",
        headers=h,
        json={
            "email": "r@acme.example.com",
            "name": "X",
            "role": "king",
            "password": "long-enough-1",
        },
    )
    assert bad_role.status_code == 422 and bad_role.json()["errors"][0]["field"] == "role"
    assert await _count(env, User) == before


async def test_org_admin_cannot_grant_platform_admin(env: Env) -> None:
    _, h = await _admin(env)
    resp = await env.client.post(
        "/api/v1/users",
        headers=h,
        json={
            "email": "p@acme.example.com",
            "name": "P",
            "role": "platform_admin",
            "password": "long-enough-1",
        },
    )
    assert resp.status_code == 403


async def test_organisation_profile_and_timezone(env: Env) -> None:
    _, h = await _admin(env)
    ok = await env.client.patch(
        "/api/v1/organization",
        headers=h,
        json={"timezone": "Europe/London", "default_caller_ids": ["+1 415 555 0100"]},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["default_caller_ids"] == ["+14155550100"]
    bad = await env.client.patch("/api/v1/organization", headers=h, json={"timezone": "Mars/Base"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "timezone"
    assert "unknown time zone" in bad.json()["detail"]
    bad_number = await env.client.patch(
        "/api/v1/organization", headers=h, json={"default_caller_ids": ["12"]}
    )
    assert bad_number.status_code == 422
    org = (await env.client.get("/api/v1/organization", headers=h)).json()
    assert org["timezone"] == "Europe/London" and org["default_caller_ids"] == ["+14155550100"]


async def test_holidays_refuse_overlap(env: Env) -> None:
    org, h = await _admin(env)
    first = await env.client.post(
        "/api/v1/holidays",
        headers=h,
        json={"name": "Christmas", "starts_on": "2026-12-24", "ends_on": "2026-12-26"},
    )
    assert first.status_code == 201
    overlap = await env.client.post(
        "/api/v1/holidays",
        headers=h,
        json={"name": "Boxing week", "starts_on": "2026-12-26", "ends_on": "2026-12-31"},
    )
    assert overlap.status_code == 409 and "Christmas" in overlap.json()["detail"]
    backwards = await env.client.post(
        "/api/v1/holidays",
        headers=h,
        json={"name": "Odd", "starts_on": "2026-12-31", "ends_on": "2026-12-01"},
    )
    assert backwards.status_code == 422
    assert await _count(env, Holiday, organization_id=org) == 1


async def test_business_hours_and_compliance(env: Env) -> None:
    _, h = await _admin(env)
    hours = (await env.client.get("/api/v1/settings/business-hours", headers=h)).json()
    assert len(hours["intervals"]) == 5  # Monday to Friday by default
    overlap = await env.client.put(
        "/api/v1/settings/business-hours",
        headers=h,
        json={
            "intervals": [
                {"weekday": 0, "opens": "09:00", "closes": "13:00"},
                {"weekday": 0, "opens": "12:00", "closes": "17:00"},
            ]
        },
    )
    assert overlap.status_code == 409
    split = await env.client.put(
        "/api/v1/settings/business-hours",
        headers=h,
        json={
            "intervals": [
                {"weekday": 0, "opens": "09:00", "closes": "12:00"},
                {"weekday": 0, "opens": "13:00", "closes": "17:00"},
                {"weekday": 5, "opens": "10:00", "closes": "14:00"},
            ]
        },
    )
    assert split.status_code == 200 and len(split.json()["intervals"]) == 3

    compliance = {
        "abandon_rate_cap": "0.03",
        "abandon_window_hours": 24,
        "calling_window_start": "09:00",
        "calling_window_end": "20:00",
        "recording_disclosure": "Calls are recorded.",
    }
    saved = await env.client.put("/api/v1/settings/compliance", headers=h, json=compliance)
    assert saved.status_code == 200 and saved.json()["abandon_window_hours"] == 24
    inverted = await env.client.put(
        "/api/v1/settings/compliance",
        headers=h,
        json={**compliance, "calling_window_start": "21:00"},
    )
    assert inverted.status_code == 422
    assert inverted.json()["errors"] == [
        {
            "field": "calling_window_start",
            "message": "the calling window must start (calling_window_start) before it ends",
        }
    ]
    too_high = await env.client.put(
        "/api/v1/settings/compliance", headers=h, json={**compliance, "abandon_rate_cap": "0.9"}
    )
    assert (
        too_high.status_code == 422 and too_high.json()["errors"][0]["field"] == "abandon_rate_cap"
    )
    read = (await env.client.get("/api/v1/settings/compliance", headers=h)).json()
    assert read["calling_window_end"] == "20:00:00" and read["abandon_window_hours"] == 24


async def test_teams_skills_and_members(env: Env) -> None:
    org, h = await _admin(env)
    agent = await env.user(org, "a@acme.example.com", Role.AGENT)
    team = (await env.client.post("/api/v1/teams", headers=h, json={"name": "Blue"})).json()
    dup = await env.client.post("/api/v1/teams", headers=h, json={"name": "Blue"})
    assert dup.status_code == 409
    members = await env.client.put(
        f"/api/v1/teams/{team['id']}/members", headers=h, json={"user_ids": [agent]}
    )
    assert members.json()["member_ids"] == [agent]
    unknown = await env.client.put(
        f"/api/v1/teams/{team['id']}/members", headers=h, json={"user_ids": ["nope"]}
    )
    assert unknown.status_code == 422
    skill = (await env.client.post("/api/v1/skills", headers=h, json={"name": "French"})).json()
    levels = await env.client.put(
        f"/api/v1/users/{agent}/skills",
        headers=h,
        json={"skills": [{"skill_id": skill["id"], "proficiency": 7}]},
    )
    assert levels.json()["skills"] == [{"skill_id": skill["id"], "proficiency": 7}]
    out_of_range = await env.client.put(
        f"/api/v1/users/{agent}/skills",
        headers=h,
        json={"skills": [{"skill_id": skill["id"], "proficiency": 11}]},
    )
    assert out_of_range.status_code == 422
    assert (await env.client.delete(f"/api/v1/skills/{skill['id']}", headers=h)).status_code == 204
    user = (await env.client.get(f"/api/v1/users/{agent}", headers=h)).json()
    assert user["skills"] == []


async def test_default_dispositions_and_catalogue_edits(env: Env) -> None:
    _, h = await _admin(env)
    catalogue = (await env.client.get("/api/v1/dispositions", headers=h)).json()
    categories = {d["category"] for d in catalogue}
    assert {
        "contact",
        "no_contact",
        "sale",
        "callback",
        "do_not_call",
        "wrong_number",
    } <= categories
    made = await env.client.post(
        "/api/v1/dispositions",
        headers=h,
        json={"code": "promise_to_pay", "label": "Promise to pay", "category": "contact"},
    )
    assert made.status_code == 201 and made.json()["code"] == "PROMISE_TO_PAY"
    dup = await env.client.post(
        "/api/v1/dispositions",
        headers=h,
        json={"code": "PROMISE_TO_PAY", "label": "Again", "category": "contact"},
    )
    assert dup.status_code == 409
    system = next(d for d in catalogue if d["category"] == "system")
    refused = await env.client.delete(f"/api/v1/dispositions/{system['id']}", headers=h)
    assert refused.status_code == 409


async def test_lists_never_show_another_tenant(env: Env) -> None:
    _, mine = await _admin(env, "mine")
    other, theirs = await _admin(env, "theirs")
    await env.user(other, "secret.agent@theirs.example.com", Role.AGENT)
    await env.client.post("/api/v1/teams", headers=theirs, json={"name": "Hidden team"})
    await env.client.post(
        "/api/v1/holidays",
        headers=theirs,
        json={"name": "Their day", "starts_on": "2027-01-02", "ends_on": "2027-01-02"},
    )
    emails = [u["email"] for u in (await env.client.get("/api/v1/users", headers=mine)).json()]
    assert emails == ["admin@mine.example.com"]
    assert (await env.client.get("/api/v1/teams", headers=mine)).json() == []
    assert (await env.client.get("/api/v1/holidays", headers=mine)).json() == []
    audit = (await env.client.get("/api/v1/audit-log", headers=mine)).json()
    assert all("theirs" not in str(a) for a in audit)


async def test_platform_admin_manages_organisations(env: Env) -> None:
    org = await env.org("operator")
    await env.user(org, "root@operator.example.com", Role.PLATFORM_ADMIN)
    h = await env.token("root@operator.example.com")
    made = await env.client.post(
        "/api/v1/organizations",
        headers=h,
        json={"slug": "new-client", "name": "New Client", "timezone": "America/Chicago"},
    )
    assert made.status_code == 201
    again = await env.client.post(
        "/api/v1/organizations", headers=h, json={"slug": "new-client", "name": "Again"}
    )
    assert again.status_code == 409
    bad_slug = await env.client.post(
        "/api/v1/organizations", headers=h, json={"slug": "Bad Slug!", "name": "x"}
    )
    assert bad_slug.status_code == 422 and bad_slug.json()["errors"][0]["field"] == "slug"
    slugs = [o["slug"] for o in (await env.client.get("/api/v1/organizations", headers=h)).json()]
    assert sorted(slugs) == ["new-client", "operator"]
    assert await _count(env, AuditEntry, action="organization.create") == 2


async def test_org_admin_cannot_take_over_a_platform_admin(env: Env) -> None:
    org, h = await _admin(env)
    root = await env.user(org, "root@acme.example.com", Role.PLATFORM_ADMIN)
    reset = await env.client.patch(
        f"/api/v1/users/{root}", headers=h, json={"password": "taken-over-123"}
    )
    assert reset.status_code == 403
    assert (await env.client.delete(f"/api/v1/users/{root}", headers=h)).status_code == 403
    user = (await env.client.get(f"/api/v1/users/{root}", headers=h)).json()
    assert user["role"] == "platform_admin" and user["is_active"]

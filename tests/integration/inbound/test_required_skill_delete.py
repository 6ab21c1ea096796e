"""A skill that a queue requires cannot be deleted (API and admin page): 409 naming the
queue, nothing deleted; once no queue requires it, it goes (with agents' levels in it)."""

from __future__ import annotations

from sqlalchemy import select
from tests.integration.platform.test_auth import login, page_csrf
from tests.support import Env

from omnivox.accounts.models import AuditEntry, Skill
from omnivox.core.security.permissions import Role


async def _skill_names(env: Env, org: str) -> set[str]:
    async with env.sessions() as s:
        return set(await s.scalars(select(Skill.name).where(Skill.organization_id == org)))


async def _skill_deletes(env: Env, org: str) -> int:
    async with env.sessions() as s:
        rows = await s.scalars(
            select(AuditEntry.id).where(
                AuditEntry.organization_id == org, AuditEntry.action == "skill.delete"
            )
        )
        return len(list(rows))


async def test_skill_required_by_a_queue_is_not_deleted(env: Env) -> None:
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    agent = await env.user(org, "a@acme.example.com", Role.AGENT)
    h = await env.token("admin@acme.example.com")
    spanish = (await env.client.post("/api/v1/skills", headers=h, json={"name": "Spanish"})).json()
    levels = await env.client.put(
        f"/api/v1/users/{agent}/skills",
        headers=h,
        json={"skills": [{"skill_id": spanish["id"], "proficiency": 7}]},
    )
    assert levels.status_code == 200, levels.text
    made = await env.client.post(
        "/api/v1/queues",
        headers=h,
        json={"name": "Support", "strategy": "skills", "required_skills": {spanish["id"]: 5}},
    )
    assert made.status_code == 201, made.text
    support = made.json()
    # A queue that does not require the skill does not stand in the way.
    plain = await env.client.post("/api/v1/queues", headers=h, json={"name": "Billing"})
    assert plain.status_code == 201, plain.text

    refused = await env.client.delete(f"/api/v1/skills/{spanish['id']}", headers=h)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "conflict"
    assert body["detail"] == "the skill is required by queue 'Support'; remove it there first"
    assert await _skill_names(env, org) == {"Spanish"}
    assert await _skill_deletes(env, org) == 0
    user = (await env.client.get(f"/api/v1/users/{agent}", headers=h)).json()
    assert user["skills"] == [{"skill_id": spanish["id"], "proficiency": 7}]

    # Several queues are all named.
    sales = await env.client.post(
        "/api/v1/queues",
        headers=h,
        json={"name": "Sales", "required_skills": {spanish["id"]: 3}},
    )
    assert sales.status_code == 201, sales.text
    both = await env.client.delete(f"/api/v1/skills/{spanish['id']}", headers=h)
    assert both.status_code == 409
    assert both.json()["detail"] == (
        "the skill is required by queues 'Sales', 'Support'; remove it there first"
    )
    gone = await env.client.delete(f"/api/v1/queues/{sales.json()['id']}", headers=h)
    assert gone.status_code == 204

    # Without the requirement the skill can go.
    updated = await env.client.put(
        f"/api/v1/queues/{support['id']}",
        headers=h,
        json={**{k: v for k, v in support.items() if k != "id"}, "required_skills": {}},
    )
    assert updated.status_code == 200, updated.text
    deleted = await env.client.delete(f"/api/v1/skills/{spanish['id']}", headers=h)
    assert deleted.status_code == 204, deleted.text
    assert await _skill_names(env, org) == set()
    assert await _skill_deletes(env, org) == 1
    user = (await env.client.get(f"/api/v1/users/{agent}", headers=h)).json()
    assert user["skills"] == []  # agents' levels in the skill go with it, as before


async def test_skills_page_shows_the_conflict(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    await login(env, "admin@acme.example.com")
    page = await env.client.get("/admin/skills")
    assert page.status_code == 200
    h = {"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"}
    made = await env.client.post("/admin/skills", headers=h, data={"name": "Spanish"})
    assert made.status_code == 200, made.text
    async with env.sessions() as s:
        skill_id = await s.scalar(select(Skill.id).where(Skill.organization_id == org))
    queue = await env.client.post(
        "/api/v1/queues", headers=h, json={"name": "Support", "required_skills": {skill_id: 5}}
    )
    assert queue.status_code == 201, queue.text

    refused = await env.client.post(f"/admin/skills/{skill_id}/delete", headers=h)
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#flash"
    assert "the skill is required by queue &#39;Support&#39;; remove it there first" in (
        refused.text
    )
    assert await _skill_names(env, org) == {"Spanish"}

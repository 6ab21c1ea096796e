"""The live floor lists the people on the floor (issue 14): agents, and a supervisor or an
administrator only while they are signed in as an agent; not every administrator and the
platform operator as if they took calls."""

from __future__ import annotations

from tests.support import Env

from omnivox.core.security.permissions import Role


async def test_the_floor_lists_agents_not_every_administrator(env: Env) -> None:
    org = await env.org("acme")
    ids = {
        role: await env.user(org, f"{role.value}@acme.example.com", role)
        for role in (Role.AGENT, Role.SUPERVISOR, Role.ORG_ADMIN, Role.PLATFORM_ADMIN)
    }
    sup = await env.token("supervisor@acme.example.com")
    floor = await env.client.get("/api/v1/agents", params={"floor": "true"}, headers=sup)
    assert floor.status_code == 200, floor.text
    assert [a["user_id"] for a in floor.json()] == [ids[Role.AGENT]]

    # An administrator who signs in as an agent to take calls is on the floor meanwhile.
    admin = await env.token("org_admin@acme.example.com")
    ready = {"state": "available"}
    assert (
        await env.client.put("/api/v1/agents/me/state", json=ready, headers=admin)
    ).status_code == 200
    floor = await env.client.get("/api/v1/agents", params={"floor": "true"}, headers=sup)
    assert {a["user_id"] for a in floor.json()} == {ids[Role.AGENT], ids[Role.ORG_ADMIN]}
    off = {"state": "offline"}
    await env.client.put("/api/v1/agents/me/state", json=off, headers=admin)
    floor = await env.client.get("/api/v1/agents", params={"floor": "true"}, headers=sup)
    assert [a["user_id"] for a in floor.json()] == [ids[Role.AGENT]]

    everyone = await env.client.get("/api/v1/agents", headers=sup)  # unchanged without it
    assert {a["user_id"] for a in everyone.json()} == set(ids.values())

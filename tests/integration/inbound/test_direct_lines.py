"""Numbers routed to one agent or to a voicemail box, not a queue."""

from __future__ import annotations

from typing import Any

from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.integration.inbound.test_inbound_flow import ALWAYS_OPEN, CALLER
from tests.support import Env

from omnivox.core.security.permissions import Role

DIRECT = "+15005550006"


async def _route(f: Floor, org: str, kind: str, target: str) -> Any:
    admin = f.agents.get("admin") or await f.agent(org, "admin", role=Role.ORG_ADMIN)
    c, h = f.env.client, admin.headers
    assert (
        await c.put("/api/v1/settings/business-hours", headers=h, json=ALWAYS_OPEN)
    ).status_code == 200
    await c.put("/api/v1/agents/me/state", headers=h, json={"state": "offline"})
    return await c.post(
        "/api/v1/numbers",
        headers=h,
        json={"number": DIRECT, "target_kind": kind, "target_id": target},
    )


async def _voicemails(f: Floor, who: Agent) -> list[dict[str, Any]]:
    listed = (await f.env.client.get("/api/v1/voicemails", headers=who.headers)).json()
    return list(listed if isinstance(listed, list) else listed["items"])


async def test_a_direct_line_rings_its_agent(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        assert (await _route(f, org, "agent", alex.user_id)).status_code == 201
        await f.carrier.place_inbound_call(CALLER, DIRECT)
        await f.advance(4)
        assert len(alex.offers) == 1
        assert await f.agent_state(alex) == "on_call"
        call_id = (await env.client.get("/api/v1/agents/me/state", headers=alex.headers)).json()[
            "current_call_id"
        ]
        call = await f.row(call_id)
        assert (call.owner_kind, call.owner_id, call.state) == ("agent", alex.user_id, "connected")


async def test_a_missed_direct_call_leaves_a_message_in_the_agents_box(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        alex.answer = False
        assert (await _route(f, org, "agent", alex.user_id)).status_code == 201
        caller = await f.carrier.place_inbound_call(CALLER, DIRECT)
        await f.advance(50)  # rings 20 s, then the greeting and the message
        assert caller.is_final and len(alex.offers) == 1 and bea.offers == []
        assert await f.agent_state(alex) == "break"  # a missed offer, as from a queue
        [vm] = await _voicemails(f, alex)
        assert vm["assigned_to"] == alex.user_id and vm["status"] == "assigned"
        assert vm["box"] == "Alex" or vm["box"].startswith("alex")
        assert await _voicemails(f, bea) == []  # not Bea's to hear


async def test_an_agent_who_is_away_sends_the_caller_to_voicemail_at_once(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        away = {"state": "break", "reason": "lunch"}
        await sqlite_env.client.put("/api/v1/agents/me/state", headers=alex.headers, json=away)
        assert (await _route(f, org, "agent", alex.user_id)).status_code == 201
        caller = await f.carrier.place_inbound_call(CALLER, DIRECT)
        await f.advance(30)
        said = [e.detail["text"] for e in caller.log if e.kind == "say"]
        assert any("is not available right now" in t for t in said)
        assert alex.offers == []
        [vm] = await _voicemails(f, alex)
        assert vm["assigned_to"] == alex.user_id
        call = await f.row(vm["call_id"])
        assert (call.state, call.end_reason) == ("completed", "self_service")  # not abandoned


async def test_a_voicemail_number_fills_a_queues_box(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        admin = await f.agent(org, "admin", role=Role.ORG_ADMIN)
        queue = (
            await sqlite_env.client.post(
                "/api/v1/queues", headers=admin.headers, json={"name": "Billing"}
            )
        ).json()
        assert (await _route(f, org, "voicemail", queue["id"])).status_code == 201
        caller = await f.carrier.place_inbound_call(CALLER, DIRECT)
        await f.advance(30)
        assert caller.is_final
        [vm] = await _voicemails(f, admin)
        assert (vm["queue_id"], vm["box"], vm["status"]) == (queue["id"], "Billing", "new")


async def test_a_number_must_route_to_something_of_the_organisation(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        other = await sqlite_env.org("globex")
        stranger = await sqlite_env.user(other, "zed@globex.example.com", Role.AGENT)
        admin = await f.agent(org, "admin", role=Role.ORG_ADMIN)
        queue = (
            await sqlite_env.client.post(
                "/api/v1/queues", headers=admin.headers, json={"name": "Billing"}
            )
        ).json()
        to_queue_as_agent = await _route(f, org, "agent", queue["id"])
        assert to_queue_as_agent.status_code == 422
        assert "not a user of your organisation" in to_queue_as_agent.text
        assert (await _route(f, org, "agent", stranger)).status_code == 422
        assert (await _route(f, org, "voicemail", stranger)).status_code == 422
        assert (await _route(f, org, "flow", queue["id"])).status_code == 422
        listed = await sqlite_env.client.get("/api/v1/numbers", headers=admin.headers)
        assert listed.json() == []  # nothing stored by the refusals


async def test_a_person_a_number_routes_to_cannot_be_deleted(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        made = await _route(f, org, "voicemail", alex.user_id)
        assert made.status_code == 201, made.text
        c, h = sqlite_env.client, f.agents["admin"].headers
        refused = await c.delete(f"/api/v1/users/{alex.user_id}", headers=h)
        assert refused.status_code == 409
        assert f"number {DIRECT} routes to this person" in refused.json()["detail"]
        assert (await c.get(f"/api/v1/users/{alex.user_id}", headers=h)).status_code == 200
        unrouted = await c.delete(f"/api/v1/numbers/{made.json()['id']}", headers=h)
        assert unrouted.status_code == 204
        assert (await c.delete(f"/api/v1/users/{alex.user_id}", headers=h)).status_code == 204

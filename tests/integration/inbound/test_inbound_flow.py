"""Calls to our numbers: queued, offered to one agent at a time, refused, missed, abandoned."""

from __future__ import annotations

from sqlalchemy import select
from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.routing.models import QueueEntry
from omnivox.telephony.ports import WebhookKind

NUMBER = "+15005550006"
CALLER = "+14155550199"
ALWAYS_OPEN = {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}


async def _setup(f: Floor, org: str, *agents: Agent, offer_seconds: int = 15) -> str:
    """An always-open organisation with a Support queue served by ``agents``."""
    admin = await f.agent(org, "admin", role=Role.ORG_ADMIN)
    c, h = f.env.client, admin.headers
    hours = await c.put("/api/v1/settings/business-hours", headers=h, json=ALWAYS_OPEN)
    assert hours.status_code == 200
    made_queue = await c.post(
        "/api/v1/queues",
        headers=h,
        json={"name": "Support", "offer_timeout_seconds": offer_seconds},
    )
    queue = made_queue.json()
    members = {"members": [{"user_id": a.user_id} for a in agents]}
    assert (
        await c.put(f"/api/v1/queues/{queue['id']}/members", headers=h, json=members)
    ).status_code == 200
    made = await c.post(
        "/api/v1/numbers", headers=h, json={"number": NUMBER, "target_id": queue["id"]}
    )
    assert made.status_code == 201, made.text
    await c.put("/api/v1/agents/me/state", headers=h, json={"state": "offline"})
    return str(queue["id"])


async def _entries(env: Env) -> list[QueueEntry]:
    async with env.sessions() as s:
        return list((await s.scalars(select(QueueEntry))).all())


async def test_inbound_call_is_offered_to_the_longest_idle_agent(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        await f.advance(5)
        bea = await f.agent(org, "bea")
        queue = await _setup(f, org, alex, bea)
        await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        [entry] = await _entries(env)
        assert entry.status == "connected" and entry.offered_to == alex.user_id
        assert len(alex.offers) == 1 and bea.offers == []
        assert await f.agent_state(alex) == "on_call"
        call = await f.row(entry.call_id)
        assert (call.direction, call.owner_kind, call.owner_id) == ("inbound", "queue", queue)
        assert call.state == "connected" and call.agent_id == alex.user_id
        stats = await env.client.get(f"/api/v1/queues/{queue}/stats", headers=alex.headers)
        assert stats.status_code == 403  # agents do not read queue statistics
        admin = f.agents["admin"].headers
        figures = (await env.client.get(f"/api/v1/queues/{queue}/stats", headers=admin)).json()
        assert figures["answered_today"] == 1 and figures["service_level_today"] == 1.0


async def test_refused_and_missed_offers_move_on(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await f.advance(5)
        bea = await f.agent(org, "bea")
        await f.advance(5)
        cid = await f.agent(org, "cid")
        alex.answer, bea.answer = False, "reject"  # Alex lets it ring out; Bea refuses
        await _setup(f, org, alex, bea, cid, offer_seconds=10)

        await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(2)
        assert len(alex.offers) == 1 and bea.offers == [] and cid.offers == []
        await f.advance(11)  # Alex's offer times out: missed, on break; Bea refuses at once
        assert await f.agent_state(alex) == "break"
        assert len(bea.offers) == 1 and await f.agent_state(bea) == "available"
        await f.advance(2)
        [entry] = await _entries(sqlite_env)
        assert entry.status == "connected" and entry.offered_to == cid.user_id
        assert entry.declined_by == [alex.user_id, bea.user_id]
        assert len(bea.offers) == 1  # not offered again to who refused it
        state = (
            await sqlite_env.client.get("/api/v1/agents/me/state", headers=alex.headers)
        ).json()
        assert state["reason"] == "missed" and state["missed_count"] == 1


async def test_caller_hanging_up_while_waiting_is_abandoned(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await sqlite_env.client.put(
            "/api/v1/agents/me/state",
            headers=alex.headers,
            json={"state": "break", "reason": "lunch"},
        )
        queue = await _setup(f, org, alex)
        call = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(5)
        [entry] = await _entries(sqlite_env)
        assert entry.status == "waiting"
        f.carrier.hang_up_party(call.sid)
        await f.advance(1)
        [entry] = await _entries(sqlite_env)
        assert entry.status == "abandoned"
        assert (await f.row(entry.call_id)).state == "abandoned"
        admin = f.agents["admin"].headers
        stats = (await sqlite_env.client.get(f"/api/v1/queues/{queue}/stats", headers=admin)).json()
        assert stats["abandoned_today"] == 1 and stats["waiting"] == 0
        assert stats["service_level_today"] == 0.0


async def test_closed_hours_play_the_closed_message(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await _setup(f, org, alex)
        admin = f.agents["admin"].headers
        await sqlite_env.client.put(
            "/api/v1/settings/business-hours", headers=admin, json={"intervals": []}
        )
        call = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(20)
        said = [e.detail["text"] for e in call.log if e.kind == "say"]
        assert said and "closed" in said[0]
        assert call.status == "completed" and alex.offers == []


async def test_unknown_number_hears_why(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await _setup(f, org, alex)
        f.carrier.configure_number(
            "+15005550009",
            account_sid=next(iter(f.carrier.accounts)),
            voice_url=f.runtime.service.urls.url(WebhookKind.VOICE),
        )
        call = await f.carrier.place_inbound_call(CALLER, "+15005550009")
        await f.advance(10)
        said = [e.detail["text"] for e in call.log if e.kind == "say"]
        assert said and "not in service" in said[0] and alex.offers == []


async def test_agent_transfers_a_call_to_a_queue(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        queue = await _setup(f, org, bea)
        call_id = await f.call(alex)
        await f.advance(4)
        assert (await f.row(call_id)).state == "connected"
        targets = (
            await f.env.client.get("/api/v1/calls/transfer-targets", headers=alex.headers)
        ).json()
        assert {"id": queue, "name": "Support", "kind": "queue"} in targets
        assert {"id": bea.user_id, "name": "bea", "kind": "agent"} in targets
        bad = await f.post(
            alex, f"/api/v1/calls/{call_id}/transfer", {"kind": "queue", "target": "no-such-queue"}
        )
        assert bad.status_code == 422
        moved = await f.post(
            alex, f"/api/v1/calls/{call_id}/transfer", {"kind": "queue", "target": queue}
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["owner"] == {"kind": "queue", "id": queue}
        await f.advance(3)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == bea.user_id
        assert (await f.agent_state(alex), await f.agent_state(bea)) == ("wrap_up", "on_call")
        conf = f.carrier.conferences[call.conference_sid or ""]
        assert not any(p.hold for p in conf.participants.values())  # off hold with Bea
        [entry] = await _entries(env)
        assert entry.status == "connected" and entry.detail["held"] is True


async def test_closed_hours_take_a_voicemail_that_supervisors_see(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        queue = await _setup(f, org, alex)
        admin = f.agents["admin"].headers
        await sqlite_env.client.put(
            "/api/v1/settings/business-hours", headers=admin, json={"intervals": []}
        )
        call = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(30)
        said = [e.detail["text"] for e in call.log if e.kind == "say"]
        assert "closed" in said[0] and "leave a message" in said[1] and "Thank you" in said[-1]
        voicemails = (await sqlite_env.client.get("/api/v1/voicemails", headers=admin)).json()
        [vm] = voicemails if isinstance(voicemails, list) else voicemails["items"]
        assert vm["caller_number"] == CALLER and vm["queue_id"] == queue and vm["status"] == "new"
        assert vm["duration_seconds"] > 0


async def test_max_wait_overflows_to_voicemail(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await sqlite_env.client.put(
            "/api/v1/agents/me/state",
            headers=alex.headers,
            json={"state": "break", "reason": "lunch"},
        )
        queue = await _setup(f, org, alex)
        admin = f.agents["admin"].headers
        upd = await sqlite_env.client.put(
            f"/api/v1/queues/{queue}",
            headers=admin,
            json={
                "name": "Support",
                "max_wait_seconds": 30,
                "overflow_kind": "voicemail",
                "overflow_target": "default",
            },
        )
        assert upd.status_code == 200, upd.text
        call = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(20)
        assert await f.runtime.plugins.inbound.overflow() == 0  # type: ignore[union-attr]
        await f.advance(15)
        assert await f.runtime.plugins.inbound.overflow() == 1  # type: ignore[union-attr]
        await f.advance(30)
        [entry] = await _entries(sqlite_env)
        assert entry.status == "overflowed" and entry.detail["overflow"] == "voicemail"
        said = [e.detail["text"] for e in call.log if e.kind == "say"]
        assert any("leave a message" in s for s in said)
        vms = (await sqlite_env.client.get("/api/v1/voicemails", headers=admin)).json()
        assert len(vms if isinstance(vms, list) else vms["items"]) == 1

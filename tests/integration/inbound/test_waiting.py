"""Waiting callers hear their place and an estimate learned from real waits; callers who
ask for a callback keep their place, and their turn rings an agent, then them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from tests.integration.calls.calls_harness import Floor, floor
from tests.integration.inbound.test_inbound_flow import CALLER, NUMBER, _setup
from tests.support import Env

from omnivox.routing.models import QueueEntry
from omnivox.telephony.models import Call
from omnivox.telephony.sandbox.model import SandboxCall

SECOND_CALLER = "+14155550123"


async def _queue_settings(f: Floor, queue: str, **changes: Any) -> None:
    admin = f.agents["admin"].headers
    current = (await f.env.client.get(f"/api/v1/queues/{queue}", headers=admin)).json()
    body = {k: v for k, v in current.items() if k != "id"} | changes
    saved = await f.env.client.put(f"/api/v1/queues/{queue}", headers=admin, json=body)
    assert saved.status_code == 200, saved.text


async def _on_break(f: Floor, headers: dict[str, str]) -> None:
    resp = await f.env.client.put(
        "/api/v1/agents/me/state", headers=headers, json={"state": "break", "reason": "lunch"}
    )
    assert resp.status_code == 200, resp.text


def _heard(call: SandboxCall) -> list[str]:
    return [e.detail["text"] for e in call.log if e.kind == "say"]


async def _entries(env: Env) -> list[QueueEntry]:
    async with env.sessions() as s:
        return list((await s.scalars(select(QueueEntry).order_by(QueueEntry.enqueued_at))).all())


async def test_waiting_callers_hear_their_place_and_a_learned_estimate(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        await _on_break(f, alex.headers)
        queue = await _setup(f, org, alex)
        await _queue_settings(f, queue, announce_every_seconds=30)

        first = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(2)
        second = await f.carrier.place_inbound_call(SECOND_CALLER, NUMBER)
        await f.advance(8)
        # No real waits yet: the place, and no invented estimate.
        assert "You are next in line." in _heard(first)
        assert "You are number 2 in line." in _heard(second)
        assert not any("estimated" in t for t in _heard(first) + _heard(second))
        waits = [e for e in second.log if e.kind == "webhook" and "step=wait" in e.detail["url"]]
        assert waits and all(e.detail["status_code"] == 200 for e in waits)

        # Three calls answered earlier today after 90 s at first place: 90 s a place.
        now = f.carrier.clock.now()
        async with env.sessions() as s:
            for i in range(3):
                arrived = now - timedelta(minutes=30 - i)
                s.add(
                    QueueEntry(
                        organization_id=org,
                        queue_id=queue,
                        call_id=f"earlier{i}",
                        status="connected",
                        enqueued_at=arrived,
                        answered_at=arrived + timedelta(seconds=90),
                        detail={"position": 1},
                    )
                )
            await s.commit()
        await f.advance(40)  # the next announcement round
        assert "You are number 2 in line. Your estimated wait is about 3 minutes." in _heard(second)
        assert "You are next in line. Your estimated wait is about 2 minutes." in _heard(first)


async def test_a_callback_keeps_the_place_and_rings_the_agent_first(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        await _on_break(f, alex.headers)
        queue = await _setup(f, org, alex)
        await _queue_settings(f, queue, callback_enabled=True)
        admin = f.agents["admin"].headers

        first = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(1)
        second = await f.carrier.place_inbound_call(SECOND_CALLER, NUMBER)
        await f.advance(4)
        f.carrier.press_digits(second.sid, "1")  # during the offer (barge-in)
        await f.advance(12)
        assert any("press 1" in t for t in _heard(second))
        assert second.is_final  # they hung up ...
        assert any("call you back on 1 4 1 5 5 5 5 0 1 2 3" in t for t in _heard(second))
        one, two = await _entries(env)
        assert (one.status, two.status) == ("waiting", "waiting")  # ... and kept their place
        assert two.callback_number == SECOND_CALLER and two.original_call_id == two.call_id
        stats = (await env.client.get(f"/api/v1/queues/{queue}/stats", headers=admin)).json()
        assert (stats["waiting"], stats["callbacks_waiting"]) == (2, 1)

        # Alex comes back: the caller on the line first (FIFO), then the callback.
        ready = {"state": "available"}
        await env.client.put("/api/v1/agents/me/state", headers=alex.headers, json=ready)
        await f.advance(3)
        one, two = await _entries(env)
        assert (one.status, two.status) == ("connected", "waiting")
        f.carrier.hang_up_party(first.sid)
        await f.advance(2)
        done = await f.post(alex, f"/api/v1/calls/{one.call_id}/disposition", {"code": "SALE"})
        assert done.status_code == 200, done.text
        await f.advance(1)
        assert len(alex.offers) == 2  # the callback rings Alex's phone first
        await f.advance(6)  # Alex answered; the customer is dialled and picks up
        one, two = await _entries(env)
        assert two.status == "connected" and two.offered_to == alex.user_id
        assert two.call_id != two.original_call_id
        back = await f.row(two.call_id)
        assert (back.direction, back.to_number, back.from_number) == (
            "outbound",
            SECOND_CALLER,
            NUMBER,
        )
        assert (back.owner_kind, back.owner_id) == ("queue", queue)
        assert back.state == "connected" and back.agent_id == alex.user_id
        dialled = f.customer_leg(back)
        assert dialled.to == SECOND_CALLER and dialled.status == "in-progress"
        async with env.sessions() as s:
            original = await s.get(Call, two.original_call_id)
            assert original is not None
            # Served without an agent, not abandoned: the caller booked a callback.
            assert (original.state, original.end_reason) == ("completed", "self_service")


async def test_a_callback_nobody_picks_up_is_recorded_and_frees_the_agent(
    sqlite_env: Env,
) -> None:
    from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await _on_break(f, alex.headers)
        queue = await _setup(f, org, alex)
        await _queue_settings(f, queue, callback_enabled=True)
        f.carrier.script_number(CALLER, PartyScript(behaviour=PartyBehaviour.NO_ANSWER))
        caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        f.carrier.press_digits(caller.sid, "1")
        await f.advance(12)
        ready = {"state": "available"}
        await sqlite_env.client.put("/api/v1/agents/me/state", headers=alex.headers, json=ready)
        await f.advance(60)
        [entry] = await _entries(sqlite_env)
        assert entry.status == "callback_failed"
        assert (await f.row(entry.call_id)).state == "no_answer"
        assert await f.agent_state(alex) == "available"


async def test_no_callback_offer_when_an_agent_is_free(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        queue = await _setup(f, org, alex)
        await _queue_settings(f, queue, callback_enabled=True)
        caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(4)
        assert not any("press 1" in t for t in _heard(caller))
        [entry] = await _entries(sqlite_env)
        assert entry.status == "connected"

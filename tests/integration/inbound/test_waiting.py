"""Waiting callers hear their place and an estimate learned from real waits; callers who
ask for a callback keep their place, and their turn rings an agent, then them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.integration.inbound.test_inbound_flow import CALLER, NUMBER, _setup
from tests.support import Env

from omnivox.routing.models import QueueEntry
from omnivox.telephony.models import Call
from omnivox.telephony.sandbox.model import SandboxCall
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

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
        done = await f.post(
            alex, f"/api/v1/calls/{one.call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
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


async def _callback_booked(f: Floor, org: str, **settings: Any) -> tuple[Agent, str]:
    """Alex (on break) serves a callback queue; the caller presses 1 and hangs up. The
    node's periodic sweep runs, as in production: it offers callbacks whose retry is due."""
    await f.runtime.start()
    alex = await f.agent(org, "alex")
    await _on_break(f, alex.headers)
    queue = await _setup(f, org, alex)
    await _queue_settings(f, queue, callback_enabled=True, **settings)
    caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
    await f.advance(3)
    f.carrier.press_digits(caller.sid, "1")
    await f.advance(12)
    assert caller.is_final
    return alex, queue


async def _available(f: Floor, agent: Agent) -> None:
    ready = {"state": "available"}
    resp = await f.env.client.put("/api/v1/agents/me/state", headers=agent.headers, json=ready)
    assert resp.status_code == 200, resp.text


async def _calls_back(env: Env) -> list[Call]:
    """The calls placed to the customer to call them back, oldest first."""
    async with env.sessions() as s:
        rows = await s.scalars(
            select(Call)
            .where(Call.direction == "outbound", Call.to_number == CALLER)
            .order_by(Call.created_at)
        )
        return list(rows.all())


def _customer(behaviour: PartyBehaviour) -> PartyScript:
    return PartyScript(behaviour=behaviour)


async def test_a_callback_nobody_picks_up_is_recorded_and_frees_the_agent(env: Env) -> None:
    async with floor(env) as (f, org):
        # No retries: one try, then the entry ends as it always did.
        f.carrier.script_number(CALLER, _customer(PartyBehaviour.NO_ANSWER))
        alex, _queue = await _callback_booked(f, org, callback_retries=0)
        await _available(f, alex)
        await f.advance(60)
        [entry] = await _entries(env)
        assert entry.status == "callback_failed"
        assert (entry.callback_tries, entry.not_before) == (1, None)
        assert (await f.row(entry.call_id)).state == "no_answer"
        assert await f.agent_state(alex) == "available"
        await f.advance(600)  # nothing is tried again
        assert len(await _calls_back(env)) == 1 and len(alex.offers) == 1


async def test_an_unanswered_callback_is_tried_again_after_the_set_minutes(env: Env) -> None:
    async with floor(env) as (f, org):
        f.carrier.script_number(CALLER, _customer(PartyBehaviour.NO_ANSWER))
        alex, queue = await _callback_booked(f, org, callback_retries=1, callback_retry_minutes=2)
        [booked] = await _entries(env)
        await _available(f, alex)
        await f.advance(60)  # Alex takes the callback; the customer's phone rings out

        [entry] = await _entries(env)
        [first] = await _calls_back(env)
        assert first.state == "no_answer" and len(alex.offers) == 1
        # Back in its original place, to be offered again two minutes after the failure.
        assert entry.status == "waiting" and entry.enqueued_at == booked.enqueued_at
        assert entry.call_id == entry.original_call_id and entry.offered_to is None
        assert entry.callback_tries == 1 and entry.not_before is not None
        assert entry.detail["unanswered_callbacks"] == [first.id]
        assert await f.agent_state(alex) == "available"  # freed meanwhile
        admin = f.agents["admin"].headers
        stats = (await env.client.get(f"/api/v1/queues/{queue}/stats", headers=admin)).json()
        assert (stats["waiting"], stats["callbacks_waiting"]) == (1, 1)
        assert stats["longest_wait_seconds"] is None  # nobody is next in line yet

        f.carrier.script_number(CALLER, _customer(PartyBehaviour.ANSWER))
        wait = (entry.not_before - f.carrier.clock.now()).total_seconds()
        assert 60 <= wait <= 120
        await f.advance(wait - 1)  # Alex is available all along, yet: not yet
        assert len(alex.offers) == 1 and len(await _calls_back(env)) == 1
        [entry] = await _entries(env)
        assert entry.status == "waiting"

        await f.advance(6)  # due (the sweep runs every 5 s): Alex's phone rings first
        assert len(alex.offers) == 2
        await f.advance(6)  # Alex answered; the customer is dialled and picks up
        [entry] = await _entries(env)
        first, second = await _calls_back(env)
        assert entry.status == "connected" and entry.offered_to == alex.user_id
        assert entry.call_id == second.id and second.id not in {first.id, entry.original_call_id}
        assert entry.callback_tries == 2 and entry.not_before is None
        assert entry.enqueued_at == booked.enqueued_at
        second = await f.row(second.id)
        assert (second.direction, second.from_number, second.owner_id) == (
            "outbound",
            NUMBER,
            queue,
        )
        assert second.state == "connected" and second.agent_id == alex.user_id
        assert f.customer_leg(second).status == "in-progress"


async def test_a_callback_retry_keeps_its_place_but_does_not_hold_up_the_line(
    env: Env,
) -> None:
    async with floor(env) as (f, org):
        f.carrier.script_number(CALLER, _customer(PartyBehaviour.NO_ANSWER))
        alex, _queue = await _callback_booked(
            f, org, callback_retries=1, callback_retry_minutes=1, announce_every_seconds=30
        )
        await _available(f, alex)
        await f.advance(60)
        [entry] = await _entries(env)
        assert entry.status == "waiting" and entry.not_before is not None
        await _on_break(f, alex.headers)

        # A new caller while the retry waits: nobody is ahead of them that can be served.
        second = await f.carrier.place_inbound_call(SECOND_CALLER, NUMBER)
        await f.advance(25)  # the whole arrival offer, not taken: they stay on the line
        offer = [t for t in _heard(second) if "press 1" in t]
        assert offer and offer[0].startswith("You are next in line.")
        f.carrier.script_number(CALLER, _customer(PartyBehaviour.ANSWER))
        await f.advance(70)  # the retry is due; nobody is available to take it
        one, two = await _entries(env)
        assert (one.status, one.not_before) == ("waiting", None)
        assert one.callback_number == CALLER and two.status == "waiting"

        # Alex is back: the callback, in its original place, comes first.
        await _available(f, alex)
        await f.advance(8)
        one, two = await _entries(env)
        assert (one.status, two.status) == ("connected", "waiting")
        assert one.callback_number == CALLER and one.callback_tries == 2
        assert len(alex.offers) == 2 and not second.is_final  # the caller still waits


async def test_a_callback_with_its_tries_used_up_fails_and_nothing_more_is_dialled(
    env: Env,
) -> None:
    async with floor(env) as (f, org):
        f.carrier.script_number(CALLER, _customer(PartyBehaviour.BUSY))
        alex, _queue = await _callback_booked(f, org, callback_retries=1, callback_retry_minutes=1)
        await _available(f, alex)
        await f.advance(30)
        [entry] = await _entries(env)
        assert (entry.status, entry.callback_tries) == ("waiting", 1)

        await f.advance(70)  # the one retry: busy again
        [entry] = await _entries(env)
        assert (entry.status, entry.callback_tries) == ("callback_failed", 2)
        assert entry.ended_at is not None and entry.not_before is None
        calls = await _calls_back(env)
        assert [c.state for c in calls] == ["busy", "busy"]
        assert entry.call_id == calls[-1].id
        assert await f.agent_state(alex) == "available"

        await f.advance(300)  # several retry intervals later: nothing more
        assert len(await _calls_back(env)) == 2 and len(alex.offers) == 2
        [entry] = await _entries(env)
        assert entry.status == "callback_failed"


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

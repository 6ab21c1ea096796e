"""A "call back later" disposition on an inbound call (issue 14): the agent picks a time,
the callback waits in the call's queue until then, and is offered to its agents when due;
the agent who takes it rings first, then the customer is dialled."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select
from tests.integration.calls.calls_harness import floor
from tests.integration.inbound.test_inbound_flow import CALLER, NUMBER, _setup
from tests.support import Env

from omnivox.routing.models import QueueEntry
from omnivox.telephony.models import Call
from omnivox.telephony.sandbox.parties import PartyScript


async def test_a_call_back_later_on_an_inbound_call_is_offered_when_due(env: Env) -> None:
    async with floor(env) as (f, org):
        await f.runtime.start()  # the node's sweep releases callbacks that are due
        alex = await f.agent(org, "alex")
        queue = await _setup(f, org, alex)
        caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(4)
        async with env.sessions() as s:
            call = await s.scalar(select(Call).where(Call.from_number == CALLER))
        assert call is not None and call.state == "connected" and call.agent_id == alex.user_id
        f.carrier.hang_up_party(caller.sid)
        await f.advance(1)
        assert await f.agent_state(alex) == "wrap_up"

        due = (env.clock.now() + timedelta(minutes=2)).astimezone(UTC).replace(tzinfo=None)
        past = await f.post(
            alex, f"/api/v1/calls/{call.id}/callback", {"due_local": "2020-01-01T10:00"}
        )
        assert past.status_code == 422 and past.json()["errors"][0]["field"] == "due_local"
        booked = await f.post(
            alex,
            f"/api/v1/calls/{call.id}/callback",
            {"due_local": due.isoformat(), "timezone": "UTC", "notes": "after lunch"},
        )
        assert booked.status_code == 201, booked.text
        assert booked.json()["number"] == CALLER and booked.json()["queue_id"] == queue
        done = await f.post(alex, f"/api/v1/calls/{call.id}/disposition", {"code": "CALLBACK"})
        assert done.status_code == 200, done.text
        await f.advance(1)
        assert await f.agent_state(alex) == "available"
        admin = f.agents["admin"].headers
        stats = (await env.client.get(f"/api/v1/queues/{queue}/stats", headers=admin)).json()
        assert stats["callbacks_waiting"] == 1 and stats["longest_wait_seconds"] is None

        offers = len(alex.offers)
        await f.advance(60)
        assert len(alex.offers) == offers  # not before its time, though Alex is free
        f.carrier.script_number(CALLER, PartyScript(ring_seconds=2))
        await f.advance(75)  # due at 2 min; the sweep runs every 5 s
        assert len(alex.offers) == offers + 1  # Alex's phone rings first ...
        await f.advance(6)
        async with env.sessions() as s:
            back = await s.scalar(
                select(Call).where(Call.direction == "outbound", Call.to_number == CALLER)
            )
            entry = await s.scalar(select(QueueEntry).where(QueueEntry.original_call_id == call.id))
        assert back is not None and (back.owner_kind, back.owner_id) == ("queue", queue)
        assert back.state == "connected" and back.agent_id == alex.user_id  # ... then them
        assert entry is not None and entry.status == "connected"
        assert entry.detail["notes"] == "after lunch"


async def test_a_callback_needs_a_queue_a_number_and_your_own_call(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        f.carrier.script_number("+14155550142", PartyScript(ring_seconds=1))
        own = await f.call(alex)  # a click-to-call: it came through no queue
        await f.advance(3)
        later = (env.clock.now() + timedelta(hours=1)).replace(tzinfo=None).isoformat()
        refused = await f.post(alex, f"/api/v1/calls/{own}/callback", {"due_local": later})
        assert refused.status_code == 409 and "no queue" in refused.json()["detail"]
        theirs = await f.post(bea, f"/api/v1/calls/{own}/callback", {"due_local": later})
        assert theirs.status_code == 403

"""Calls that always end (issue 14): the agent who never takes the offer of their own
click-to-call, and a supervisor on the live floor, can hang up a call in any state; the
customer's leg is hung up, the agent released or sent to wrap-up, the outcome recorded."""

from __future__ import annotations

from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)
RINGS_LONG = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=20)


async def test_the_agent_hangs_up_their_own_call_they_never_took(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        # No line (a connected line takes his own call with no click): the offer of his own
        # call rings his softphone; he never takes it (or reloads).
        alex = await f.agent(org, "alex", line=False)
        alex.answer = False
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        call = await f.row(call_id)
        assert call.state == "answered_human" and await f.agent_state(alex) == "reserved"
        hung = await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
        assert hung.status_code == 200, hung.text
        assert (hung.json()["state"], hung.json()["end_reason"]) == ("abandoned", "abandoned")
        await f.advance(1)
        call = await f.row(call_id)
        assert call.disposition_code == "abandoned" and call.disposition_source == "system"
        assert f.customer_leg(call).status == "completed"  # the customer is not left waiting
        assert await f.agent_state(alex) == "available"  # the offer was let go
        triggers = [h.trigger for h in await f.history(call_id) if h.applied]
        assert "agent_hung_up" in triggers


async def test_a_supervisor_hangs_up_a_call_nobody_took(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex", line=False)  # rung for his own call, never takes it
        sam = await f.agent(org, "sam", role=Role.SUPERVISOR)
        alex.answer = False
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        hung = await f.post(sam, f"/api/v1/calls/{call_id}/hangup")
        assert hung.status_code == 200, hung.text
        assert hung.json()["state"] == "abandoned"
        await f.advance(1)
        call = await f.row(call_id)
        assert f.customer_leg(call).status == "completed"
        assert await f.agent_state(alex) == "available"
        [row] = [h for h in await f.history(call_id) if h.trigger == "supervisor_hung_up"]
        assert row.applied and row.payload["event"]["supervisor_id"] == sam.user_id


async def test_a_supervisor_hangs_up_a_call_in_progress(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", role=Role.SUPERVISOR)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.row(call_id)).state == "connected"
        hung = await f.post(sam, f"/api/v1/calls/{call_id}/hangup")
        assert hung.status_code == 200, hung.text
        assert (hung.json()["state"], hung.json()["end_reason"]) == (
            "wrap_up",
            "supervisor_hangup",
        )
        await f.advance(1)
        assert f.customer_leg(await f.row(call_id)).status == "completed"
        assert await f.agent_state(alex) == "wrap_up"  # the agent still owes the outcome
        done = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert done.status_code == 200 and done.json()["state"] == "completed"


async def test_hanging_up_while_it_rings_cancels_the_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, RINGS_LONG)
        await f.advance(3)
        assert (await f.row(call_id)).state == "ringing"
        hung = await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
        assert hung.status_code == 200, hung.text
        await f.advance(1)
        call = await f.row(call_id)
        assert (call.state, call.end_reason) == ("canceled", "canceled")
        assert f.customer_leg(call).is_final
        # An own call that did not connect goes to wrap-up for notes (the agent's line).
        assert await f.agent_state(alex) == "wrap_up"


async def test_an_agent_cannot_hang_up_someone_elses_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        refused = await f.post(bea, f"/api/v1/calls/{call_id}/hangup")
        assert refused.status_code == 403
        assert (await f.row(call_id)).state == "connected"

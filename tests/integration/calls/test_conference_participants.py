"""A three-way call the agent controls: who is on it, drop the third party, leave the call
to the other two (issue 14: "the participants of a conference with drop and 'leave the
call' controls"), and the wrong thing done at each step."""

from __future__ import annotations

from typing import Any

from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)
THIRD = "+14155550177"


async def _three_way(f: Floor, alex: Agent) -> tuple[str, dict[str, Any]]:
    call_id = await f.call(alex, ANSWERS)
    await f.advance(4)
    f.carrier.script_number(THIRD, ANSWERS)
    third = await f.post(alex, f"/api/v1/calls/{call_id}/conference", {"number": THIRD})
    assert third.status_code == 200, third.text
    await f.advance(3)
    assert (await f.row(call_id)).state == "in_conference"
    return call_id, third.json()


def _third_call(f: Floor) -> Any:
    return next(c for c in f.carrier.calls.values() if c.to == THIRD)


async def _legs(f: Floor, who: Agent, call_id: str) -> list[dict[str, Any]]:
    resp = await f.env.client.get(f"/api/v1/calls/{call_id}", headers=who.headers)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["legs"])


async def test_the_agent_drops_the_third_party_and_talks_on(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id, third = await _three_way(f, alex)
        live = {leg["role"] for leg in await _legs(f, alex, call_id) if leg["status"] == "joined"}
        assert live >= {"agent", "third_party"}
        dropped = await f.post(alex, f"/api/v1/calls/{call_id}/participants/{third['id']}/drop")
        assert dropped.status_code == 200, dropped.text
        await f.advance(1)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        assert _third_call(f).is_final
        assert f.customer_leg(call).status == "in-progress"  # the customer is still there
        [note] = [h for h in await f.history(call_id) if h.event == "ParticipantDropped"]
        assert note.detail == f"{THIRD} dropped by alex" and note.payload["by"] == alex.user_id
        again = await f.post(alex, f"/api/v1/calls/{call_id}/participants/{third['id']}/drop")
        assert again.status_code == 409
        assert again.json()["detail"] == "that participant is no longer on the call"


async def test_the_agent_leaves_the_customer_with_the_third_party(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id, _ = await _three_way(f, alex)
        left = await f.post(alex, f"/api/v1/calls/{call_id}/leave")
        assert left.status_code == 200, left.text
        await f.advance(1)
        call = await f.row(call_id)
        assert call.state == "connected"  # customer and third party talk on
        assert f.customer_leg(call).status == "in-progress"
        assert not _third_call(f).is_final
        # As after a hand-off to an outside number: the call stays the agent's to
        # disposition once it ends (docs/telephony.md).
        assert (await f.row(call_id)).agent_id == alex.user_id
        legs = await _legs(f, alex, call_id)
        assert [leg["target"] for leg in legs if leg["status"] == "joined"] == [THIRD]
        f.carrier.hang_up_party(call.provider_sid or "")
        await f.advance(2)
        assert (await f.row(call_id)).state == "wrap_up"
        assert await f.agent_state(alex) == "wrap_up"
        done = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert done.status_code == 200 and done.json()["state"] == "completed"
        history = [h.trigger for h in await f.history(call_id) if h.applied]
        assert "transfer_completed" in history


async def test_wrong_drops_and_leaves_are_refused_in_words(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        leave = await f.post(alex, f"/api/v1/calls/{call_id}/leave")
        assert leave.status_code == 409
        assert leave.json()["detail"] == "cannot leave: the call is connected, not a conference"
        [agent_leg] = [leg for leg in await _legs(f, alex, call_id) if leg["role"] == "agent"]
        own = await f.post(alex, f"/api/v1/calls/{call_id}/participants/{agent_leg['id']}/drop")
        assert own.status_code == 409 and "hang up" in own.json()["detail"]
        unknown = await f.post(alex, f"/api/v1/calls/{call_id}/participants/nope/drop")
        assert unknown.status_code == 409
        not_hers = await f.post(bea, f"/api/v1/calls/{call_id}/leave")
        assert not_hers.status_code == 403
        assert (await f.row(call_id)).state == "connected"  # nothing was touched


async def test_a_supervisor_drops_the_third_party(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        call_id, third = await _three_way(f, alex)
        path = f"/api/v1/calls/{call_id}/participants/{third['id']}/drop"
        assert (await f.post(sam, path)).status_code == 200
        await f.advance(1)
        assert (await f.row(call_id)).state == "connected"
        [note] = [h for h in await f.history(call_id) if h.event == "ParticipantDropped"]
        assert note.detail.endswith("by sam")

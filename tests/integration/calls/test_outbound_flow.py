"""Whole calls through the sandbox carrier: real HTTP, signed webhooks, database state."""

from __future__ import annotations

from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)


async def test_answered_call_held_transferred_conferenced_and_dispositioned(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        assert (await f.row(call_id)).state in {"dialing", "ringing"}
        await f.advance(4)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id

        held = await f.post(alex, f"/api/v1/calls/{call_id}/hold")
        assert held.status_code == 200 and held.json()["state"] == "on_hold"
        await f.settle()
        assert f.customer_leg(call).status == "in-progress"
        conf = next(iter(f.carrier.conferences.values()))
        assert any(p.hold for p in conf.participants.values())
        again = await f.post(alex, f"/api/v1/calls/{call_id}/hold")
        assert again.status_code == 409 and "on hold" in again.json()["detail"]
        resumed = await f.post(alex, f"/api/v1/calls/{call_id}/resume")
        assert resumed.json()["state"] == "connected"

        warm = await f.post(
            alex,
            f"/api/v1/calls/{call_id}/transfer",
            {"kind": "agent", "target": bea.user_id, "warm": True},
        )
        assert warm.status_code == 200 and warm.json()["state"] == "transferring"
        await f.advance(3)
        assert (await f.row(call_id)).state == "in_conference"
        assert len(bea.offers) == 1
        done = await f.post(alex, f"/api/v1/calls/{call_id}/transfer/complete")
        assert done.status_code == 200, done.text
        await f.advance(1)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == bea.user_id

        third = await f.post(bea, f"/api/v1/calls/{call_id}/conference", {"number": "+14155550177"})
        assert third.status_code == 200
        await f.advance(3)
        assert (await f.row(call_id)).state == "in_conference"

        f.carrier.hang_up_party(call.provider_sid or "")
        await f.advance(1)
        call = await f.row(call_id)
        assert call.state == "wrap_up" and call.end_reason == "customer_hangup", "\n".join(
            f"{h.event} {h.trigger} {h.from_state}->{h.to_state} {h.reason} {h.detail}"
            for h in await f.history(call_id)
        )
        refused = await f.post(alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE"})
        assert refused.status_code == 403  # no longer Alex's call
        unknown = await f.post(bea, f"/api/v1/calls/{call_id}/disposition", {"code": "NOPE"})
        assert unknown.status_code == 422
        ok = await f.post(
            bea, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "notes": "two units"}
        )
        assert ok.status_code == 200 and ok.json()["state"] == "completed"
        call = await f.row(call_id)
        assert call.disposition_code == "SALE" and call.disposition_agent_id == bea.user_id

        history = await f.history(call_id)
        states = [h.to_state for h in history if h.applied]
        for expected in (
            "dialing",
            "connected",
            "on_hold",
            "transferring",
            "in_conference",
            "wrap_up",
            "completed",
        ):
            assert expected in states
        assert all(h.payload for h in history)
        detail = (await env.client.get(f"/api/v1/calls/{call_id}", headers=bea.headers)).json()
        assert {leg["role"] for leg in detail["legs"]} >= {"agent", "third_party"}

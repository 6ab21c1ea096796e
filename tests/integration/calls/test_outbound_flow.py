"""Whole calls through the sandbox carrier: real HTTP, signed webhooks, database state."""

from __future__ import annotations

from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)


async def test_answered_call_held_transferred_conferenced_and_dispositioned(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        assert (await f.row(call_id)).state in {"dialing", "ringing"}
        assert await f.agent_state(alex) == "reserved"
        await f.advance(4)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        assert await f.agent_state(alex) == "on_call"

        held = await f.post(alex, f"/api/v1/calls/{call_id}/hold")
        assert held.status_code == 200 and held.json()["state"] == "on_hold"
        await f.settle()
        assert f.customer_leg(call).status == "in-progress"
        conf = await f.conference(call_id)
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
        assert (await f.agent_state(alex), await f.agent_state(bea)) == ("wrap_up", "on_call")
        # Alex dispositions his part of the call; the call's outcome stays Bea's to give.
        part = await f.post(
            alex,
            f"/api/v1/calls/{call_id}/disposition",
            {"code": "INTERESTED", "notes": "handed to billing"},
        )
        assert part.status_code == 200 and part.json()["state"] == "connected"
        assert await f.agent_state(alex) == "available"
        again = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert again.status_code == 409

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
        assert await f.agent_state(bea) == "wrap_up"
        refused = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert refused.status_code == 409  # Alex's part is done; the call is Bea's
        unknown = await f.post(bea, f"/api/v1/calls/{call_id}/disposition", {"code": "NOPE"})
        assert unknown.status_code == 422
        ok = await f.post(
            bea,
            f"/api/v1/calls/{call_id}/disposition",
            {"code": "SALE", "notes": "two units", "amount": "250.50"},
        )
        assert ok.status_code == 200 and ok.json()["state"] == "completed"
        call = await f.row(call_id)
        assert call.disposition_code == "SALE" and call.disposition_agent_id == bea.user_id
        assert await f.agent_state(bea) == "available"

        history = await f.history(call_id)
        [part_row] = [h for h in history if h.event == "PartDispositioned"]
        assert part_row.payload == {
            "agent_id": alex.user_id,
            "code": "INTERESTED",
            "notes": "handed to billing",
        }
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


async def test_an_agent_on_break_cannot_place_a_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await sqlite_env.client.put(
            "/api/v1/agents/me/state",
            headers=alex.headers,
            json={"state": "break", "reason": "lunch"},
        )
        resp = await sqlite_env.client.post(
            "/api/v1/calls", headers=alex.headers, json={"to": "+14155550142"}
        )
        assert resp.status_code == 409 and "available" in resp.json()["detail"]
        calls = await sqlite_env.client.get("/api/v1/calls", headers=alex.headers)
        assert calls.status_code == 403  # agents do not list the organisation's calls
        assert f.customer_calls() == {}  # nothing was dialled


async def test_a_busy_number_frees_the_agent(sqlite_env: Env) -> None:
    """Their own call that nobody answered puts the agent in wrap-up for a note (issue 14),
    then their disposition frees them."""
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, PartyScript(behaviour=PartyBehaviour.BUSY, ring_seconds=1))
        await f.advance(3)
        assert await f.agent_state(alex) == "wrap_up"
        noted = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "CALLBACK", "notes": "busy"}
        )
        assert noted.status_code == 200, noted.text
        assert await f.agent_state(alex) == "available"


async def test_manual_dialling_obeys_dnc_and_the_calling_window(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        admin = await f.agent(org, "root", role=Role.ORG_ADMIN)
        dnc = await sqlite_env.client.post(
            "/api/v1/dnc", headers=admin.headers, json={"phone": "+14155550166"}
        )
        assert dnc.status_code == 201, dnc.text
        refused = await sqlite_env.client.post(
            "/api/v1/calls", headers=alex.headers, json={"to": "+14155550166"}
        )
        assert refused.status_code == 409 and "do-not-call" in refused.json()["detail"]
        # 18:00 UTC is 11:00 in California but 02:00 in Sydney: outside its window.
        late = await sqlite_env.client.post(
            "/api/v1/calls", headers=alex.headers, json={"to": "+61291234567"}
        )
        assert late.status_code == 409 and "calling window" in late.json()["detail"]
        assert "Australia/Sydney" in late.json()["detail"]
        assert f.customer_calls() == {} and await f.agent_state(alex) == "available"
        audit = await sqlite_env.client.get(
            "/api/v1/audit-log?entity_type=dnc_entry", headers=admin.headers
        )
        assert [a["action"] for a in audit.json()] == ["dnc.add"]
        # Bringing the number in during a call is refused the same way.
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        for path, body in (
            (f"/api/v1/calls/{call_id}/transfer", {"kind": "external", "target": "+14155550166"}),
            (f"/api/v1/calls/{call_id}/conference", {"number": "+14155550166"}),
        ):
            refused = await f.post(alex, path, body)
            assert refused.status_code == 409 and "do-not-call" in refused.json()["detail"]
        assert (await f.row(call_id)).state == "connected"


async def test_customer_card_shows_earlier_calls_with_their_notes(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        first = await f.call(alex, ANSWERS)
        await f.advance(4)
        await f.post(alex, f"/api/v1/calls/{first}/hangup")
        done = await f.post(
            alex,
            f"/api/v1/calls/{first}/disposition",
            {"code": "CALLBACK", "notes": "call after 5pm"},
        )
        assert done.status_code == 200, done.text
        second = await f.call(alex, ANSWERS)
        history = await sqlite_env.client.get(
            f"/api/v1/calls/{second}/customer-history", headers=alex.headers
        )
        [earlier] = history.json()
        assert earlier["id"] == first and earlier["disposition"] == "CALLBACK"
        assert earlier["notes"] == "call after 5pm"

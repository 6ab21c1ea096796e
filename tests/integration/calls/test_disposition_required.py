"""The disposition is required server-side (issue 14): in wrap-up, an agent's own change of
state is refused until the call's outcome is saved; the wrap-up timer still ends it,
flagged for a supervisor."""

from __future__ import annotations

from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.support import Env

from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)
ME = "/api/v1/agents/me/state"


async def _wrapping_up(f: Floor, org: str) -> tuple[Agent, str]:
    alex = await f.agent(org, "alex")
    call_id = await f.call(alex, ANSWERS)
    await f.advance(4)
    hung = await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
    assert hung.status_code == 200 and hung.json()["state"] == "wrap_up"
    await f.advance(1)
    assert await f.agent_state(alex) == "wrap_up"
    return alex, call_id


async def test_available_is_refused_until_the_disposition_is_saved(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex, call_id = await _wrapping_up(f, org)
        client = sqlite_env.client
        for body in ({"state": "available"}, {"state": "break", "reason": "lunch"}):
            refused = await client.put(ME, headers=alex.headers, json=body)
            assert refused.status_code == 409, refused.text
            assert refused.json()["code"] == "disposition-required"
            assert "save the disposition" in refused.json()["detail"]
        # Signing off and on again is no way round it either.
        off = await client.put(ME, headers=alex.headers, json={"state": "offline"})
        assert off.status_code == 409 and off.json()["code"] == "disposition-required"
        assert await f.agent_state(alex) == "wrap_up"
        assert (await f.row(call_id)).state == "wrap_up"

        saved = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert saved.status_code == 200, saved.text
        await f.advance(1)
        assert await f.agent_state(alex) == "available"  # saving it ends the wrap-up
        again = await client.put(
            ME, headers=alex.headers, json={"state": "break", "reason": "lunch"}
        )
        assert again.status_code == 200


async def test_the_wrap_up_timer_still_ends_it_flagged(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        await f.runtime.start()  # the node's periodic sweep, as in production
        alex, call_id = await _wrapping_up(f, org)
        refused = await sqlite_env.client.put(ME, headers=alex.headers, json={"state": "available"})
        assert refused.status_code == 409
        await f.advance(sqlite_env.settings.wrap_up_seconds + 6)  # the sweep runs every 5 s
        call = await f.row(call_id)
        assert call.state == "completed" and call.disposition_code == "wrap_up_timeout"
        assert call.flagged_for_supervisor and call.disposition_source == "system"
        assert await f.agent_state(alex) == "available"
        ok = await sqlite_env.client.put(ME, headers=alex.headers, json={"state": "available"})
        assert ok.status_code == 200

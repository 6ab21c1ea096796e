"""The abandon cap is a hard stop (issue 14): at or over the cap, no mode places a call that
could be abandoned. An agent left available who never takes a call (no click, no line) made
a progressive campaign abandon every answer and keep dialling with the campaign at its cap
("at_cap: true the whole time"); now, at the cap, the campaign dials only for ready agents
it can count on, and says why on its page and the live floor."""

from __future__ import annotations

from tests.integration.calls.calls_harness import floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    campaign,
    campaign_calls,
    engine_of,
    list_of,
    run,
)
from tests.support import Env

from omnivox.telephony.sandbox.parties import PartyScript

PERSON = PartyScript(ring_seconds=3)


async def test_at_the_cap_an_agent_who_takes_nothing_gets_no_more_calls(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        alex.answer = False  # available, but takes nothing: every answer would be abandoned
        cid, boss = await campaign(f, org, [alex])  # progressive, 3 % cap
        phones = [(f"+1415555{i:04d}", "UTC", PERSON) for i in range(12)]
        await add_contacts(f, org, await list_of(f, boss, cid), phones)
        engine = engine_of(f)
        await engine.start()
        try:
            started = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            assert started.status_code == 200, started.text
            await run(f, 45)  # before the fix: an abandon every ~6 s, and dialling went on
            calls = await campaign_calls(f, cid)
            # The first abandon puts the campaign at its cap (1 of 1 live answers); Alex let
            # that call go, so at the cap nobody is counted on and nothing more is dialled.
            assert [c.state for c in calls] == ["abandoned"]
            assert await f.agent_state(alex) == "available"
            figures = (
                await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=boss.headers)
            ).json()
            assert figures["status"] == "active" and figures["at_cap"] is True
            assert figures["cap_notice"].startswith("At the abandon cap: 100.0% of 1 live")
            assert "1 ready agent is not counted" in figures["cap_notice"]
            page = await env.client.get(f"/campaigns/{cid}/figures", headers=boss.headers)
            assert "1 ready agent is not counted" in page.text

            # Alex comes back from a break (at the desk again): one call for one agent.
            for state in ({"state": "break", "reason": "lunch"}, {"state": "available"}):
                moved = await env.client.put(
                    "/api/v1/agents/me/state", headers=alex.headers, json=state
                )
                assert moved.status_code == 200, moved.text
            alex.answer = True
            await run(f, 8)
            calls = await campaign_calls(f, cid)
            assert [c.state for c in calls] == ["abandoned", "connected"]
            assert calls[1].agent_id == alex.user_id
        finally:
            await engine.stop()

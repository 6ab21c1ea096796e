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


async def test_at_the_cap_the_campaign_dials_only_for_agents_it_can_count_on(env: Env) -> None:
    """The agent's line makes "available but takes nothing" impossible for the dialler (a
    connected line is bridged with no click); an abandon now comes from a line lost while
    a customer rings. After it the campaign is at its cap: it dials nothing while nobody is
    ready, and then one call per ready agent, never more."""
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, boss = await campaign(f, org, [alex])  # progressive, 3 % cap
        phones = [(f"+1415555{i:04d}", "UTC", PERSON) for i in range(12)]
        await add_contacts(f, org, await list_of(f, boss, cid), phones)
        engine = engine_of(f)
        await engine.start()
        try:
            started = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            assert started.status_code == 200, started.text
            await run(f, 1)  # the first call rings (3 s)
            f.reload(alex)  # Alex's browser goes away: the line drops while it rings
            await run(f, 30)
            calls = await campaign_calls(f, cid)
            # Answered with nobody to take it: abandoned (safe harbour), and at the cap
            # (1 of 1 live answers) nothing more is dialled while Alex is away.
            assert [c.state for c in calls] == ["abandoned"]
            assert await f.agent_state(alex) != "available"
            figures = (
                await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=boss.headers)
            ).json()
            assert figures["status"] == "active" and figures["at_cap"] is True
            assert figures["cap_notice"].startswith("At the abandon cap: 100.0% of 1 live")

            # Alex is back: line connected, available. At the cap: one call for one agent.
            await f.connect_line(alex)
            moved = await env.client.put(
                "/api/v1/agents/me/state", headers=alex.headers, json={"state": "available"}
            )
            assert moved.status_code == 200, moved.text
            await run(f, 8)
            calls = await campaign_calls(f, cid)
            assert [c.state for c in calls] == ["abandoned", "connected"]
            assert calls[1].agent_id == alex.user_id
        finally:
            await engine.stop()

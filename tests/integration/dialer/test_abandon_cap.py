"""The abandon cap is a hard stop (issue 14): at or over the cap, no mode places a call that
could be abandoned. An agent left available who never takes a call (no click, no line)
made a progressive campaign abandon every answer and keep dialling; now the campaign stops
at the first call it could not connect at the cap, and says why."""

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


async def test_at_the_cap_a_call_that_is_still_abandoned_pauses_the_campaign(env: Env) -> None:
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
            # The first abandon puts the campaign at its cap (1 of 1 live answers); the one
            # call it may place there is abandoned too; then it stops.
            assert [c.state for c in calls] == ["abandoned", "abandoned"]
            live = await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=boss.headers)
            figures = live.json()
            assert figures["status"] == "paused" and figures["at_cap"] is True
            assert "at the abandon cap" in figures["paused_reason"]
            assert "no agent took it" in figures["paused_reason"]
            history = await env.client.get(
                f"/api/v1/campaigns/{cid}/history", headers=boss.headers
            )
            last = history.json()[-1]
            assert (last["to_status"], last["actor_email"]) == ("paused", "dialler (automatic)")
            assert last["reason"] == figures["paused_reason"]
            page = await env.client.get(f"/campaigns/{cid}", headers=boss.headers)
            assert "no agent took it within 2 seconds" in page.text
            await run(f, 20)
            assert len(await campaign_calls(f, cid)) == 2  # nothing more was dialled
        finally:
            await engine.stop()


async def test_while_at_the_cap_the_live_figures_say_why_it_dials_less(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        alex.answer = False
        cid, boss = await campaign(f, org, [alex])
        phones = [(f"+1415555{i:04d}", "UTC", PERSON) for i in range(3)]
        await add_contacts(f, org, await list_of(f, boss, cid), phones)
        engine = engine_of(f)
        await engine.start()
        try:
            await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            await run(f, 7)  # the first answer abandoned at about 5 s
            figures = (
                await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=boss.headers)
            ).json()
            assert figures["status"] == "active" and figures["at_cap"] is True
            assert figures["cap_notice"].startswith("At the abandon cap: 100.0% of 1 live")
            assert "one call per ready agent" in figures["cap_notice"]
        finally:
            await engine.stop()

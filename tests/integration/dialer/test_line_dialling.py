"""The dialler and agents' lines (issue 14): only connected agents are dialled for, and
their calls are bridged with no click, well inside the 2 seconds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from tests.integration.calls.calls_harness import Agent, Floor, floor
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

from omnivox.campaigns.models import ContactAttempt
from omnivox.telephony.line_watch import LINE_GRACE_SECONDS
from omnivox.telephony.models import Call, CallEventRow
from omnivox.telephony.sandbox.parties import PartyScript

TALKS = PartyScript(ring_seconds=3, hang_up_after=6)


async def _start(
    f: Floor, org: str, agents: list[Agent], count: int, *, mode: str = "progressive", **kw: object
) -> tuple[str, dict[str, str]]:
    cid, boss = await campaign(f, org, agents, dial_mode=mode, **kw)
    phones = [(f"+1415555{i:04d}", "UTC", TALKS) for i in range(count)]
    await add_contacts(f, org, await list_of(f, boss, cid), phones)
    await engine_of(f).start()
    started = await f.env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
    assert started.status_code == 200, started.text
    return cid, boss.headers


async def _connected_at(env: Env, call_id: str) -> datetime | None:
    async with env.sessions() as s:
        return await s.scalar(
            select(CallEventRow.at).where(
                CallEventRow.call_id == call_id,
                CallEventRow.applied,
                CallEventRow.trigger == "agent_connected",
            )
        )


async def _answer_to_bridge(env: Env, calls: list[Call]) -> list[float]:
    waits = []
    for call in calls:
        connected = await _connected_at(env, call.id)
        if call.answered_at is not None and connected is not None:
            waits.append((connected - call.answered_at).total_seconds())
    return waits


# --- unhappy paths first ----------------------------------------------------------------------


async def test_an_agent_available_without_a_line_gets_no_dialler_calls(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex", line=False)  # available, softphone but no line
        cid, headers = await _start(f, org, [alex], 5)
        try:
            await run(f, 20)
            assert await campaign_calls(f, cid) == []  # nothing to abandon
            live = (await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=headers)).json()
            assert live["agents"]["available"] == 0 and live["agents"]["no_line"] == 1
            # Her line connects: dialling starts.
            await f.connect_line(alex)
            await run(f, 6)
            [call] = await campaign_calls(f, cid)
            assert call.agent_id == alex.user_id and call.state == "connected"
        finally:
            await engine_of(f).stop()


async def test_a_line_lost_mid_call_ends_the_campaign_call_with_an_outcome(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        long_call = PartyScript(ring_seconds=3)  # stays on the line
        cid, boss = await campaign(f, org, [alex])
        await add_contacts(
            f,
            org,
            await list_of(f, boss, cid),
            [("+14155550001", "UTC", long_call), ("+14155550002", "UTC", long_call)],
        )
        engine = engine_of(f)
        await engine.start()
        try:
            await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            await run(f, 6)
            [call] = await campaign_calls(f, cid)
            assert call.state == "connected"
            f.carrier.softphones.unregister(alex.phone)  # the browser is closed for good
            await f.advance(LINE_GRACE_SECONDS + 2)  # (nobody at the desk dispositions)
            await engine.quiesce()
            call = await f.row(call.id)
            assert call.state in {"wrap_up", "completed"} and call.end_reason == "agent_hangup"
            await f.advance(env.settings.wrap_up_seconds + 1)
            assert f.customer_leg(call).is_final  # told why, then hung up
            await f.runtime.service.expire_wrap_ups()
            await f.settle()
            call = await f.row(call.id)
            assert call.state == "completed" and call.disposition_code == "wrap_up_timeout"
            async with env.sessions() as s:
                attempt = await s.scalar(
                    select(ContactAttempt).where(ContactAttempt.call_id == call.id)
                )
            assert attempt is not None and attempt.disposition == "SYSTEM_WRAPUP_TIMEOUT"
            # Out of available, and no more calls for her: the second contact waits.
            assert await f.agent_state(alex) == "break"
            await run(f, 10)
            assert len(await campaign_calls(f, cid)) == 1
        finally:
            await engine.stop()


async def test_after_a_restart_dialling_resumes_only_for_reconnected_lines(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        # A restart: the carrier's legs of the browsers are gone, the app reconciles its
        # lines at start-up as the lifespan does.
        for call in list(f.carrier.calls.values()):
            call.status_callback = None
            f.carrier.end_call(call, "completed")
        await f.settle()
        assert await f.runtime.service.lines.reconcile() == 2
        assert {await f.agent_state(alex), await f.agent_state(bea)} == {"break"}
        cid, _ = await _start(f, org, [alex, bea], 6)
        try:
            await run(f, 10)
            assert await campaign_calls(f, cid) == []
            await f.connect_line(bea)  # only Bea's browser comes back
            await run(f, 6)
            calls = await campaign_calls(f, cid)
            assert calls and {c.agent_id for c in calls if c.agent_id} == {bea.user_id}
            assert await f.agent_state(alex) == "break"
        finally:
            await engine_of(f).stop()


# --- what works ---------------------------------------------------------------------------------


async def test_a_connected_agent_who_never_clicks_takes_every_progressive_call(
    env: Env,
) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, headers = await _start(f, org, [alex], 6)
        try:
            await run(f, 90)
            calls = await campaign_calls(f, cid)
            assert len(calls) == 6
            assert all(c.state == "completed" and c.end_reason == "customer_hangup" for c in calls)
            assert alex.offers == []  # never rang, never clicked
            waits = await _answer_to_bridge(env, calls)
            assert len(waits) == 6 and max(waits) < 2.0, waits
            live = (await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=headers)).json()
            assert live["abandoned"] == 0 and live["live_answers"] == 6
        finally:
            await engine_of(f).stop()


async def test_two_connected_agents_take_a_predictive_campaign_with_no_abandons(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex, bea = await f.agent(org, "alex"), await f.agent(org, "bea")
        cid, headers = await _start(f, org, [alex, bea], 16, mode="predictive")
        try:
            await run(f, 120)
            calls = await campaign_calls(f, cid)
            assert len(calls) >= 10
            answered = [c for c in calls if c.answered_at is not None]
            waits = await _answer_to_bridge(env, answered)
            abandoned = [c for c in calls if c.state == "abandoned"]
            # No answer was lost for want of a click: every one not abandoned reached an
            # agent within the 2 seconds, and the figures equal the call records.
            assert len(waits) == len(answered) - len(abandoned)
            assert max(waits) < 2.0, waits
            assert alex.offers == [] and bea.offers == []
            live = (await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=headers)).json()
            assert live["abandoned"] == len(abandoned)
            assert live["live_answers"] == len(answered)
            assert abandoned == [], [c.to_number for c in abandoned]
        finally:
            await engine_of(f).stop()

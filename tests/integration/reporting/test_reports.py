"""Reports over a scripted morning: the rollups follow the app's own events, and every
figure the engine returns equals the one worked out by hand from the script (``shift``).
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.reporting.shift import DAY, Shift, at, build_shift
from tests.support import Env

from omnivox.agents import AgentState, AgentStateChanged
from omnivox.agents.fsm import Actor
from omnivox.core.errors import InvalidInput
from omnivox.core.events import Audience
from omnivox.core.security.permissions import Role
from omnivox.reporting import (
    ReportRequest,
    abandon_compliance,
    add_ended_call,
    get_template,
    rebuild,
    run_report,
)
from omnivox.reporting.models import AgentStateInterval, CallInterval, CountedCall
from omnivox.routing import Queue
from omnivox.telephony import Call, CallEnded, CallState, summary_of

D = date(2026, 3, 10)


async def announce(env: Env, shift: Shift) -> None:
    """Publish what the call core and the agents publish: each call's end, each change."""
    bus = env.app.state.omnivox.bus  # type: ignore[attr-defined]
    async with env.sessions() as s:
        calls = [await s.get(Call, cid) for cid in shift.call_ids]
    for call in calls:
        assert call is not None
        summary = summary_of(call)
        ended = CallEnded(
            audience=Audience.organization(shift.org_id),
            at=summary.ended_at or DAY,
            call=summary,
            outcome=CallState(call.state),
            end_reason=None,
        )
        await bus.publish(ended)
        await bus.publish(ended)  # a provider retry: must not count twice
    previous: dict[str, AgentState] = {}
    for user, when, state, reason in shift.changes:
        await bus.publish(
            AgentStateChanged(
                audience=Audience.user(shift.org_id, user),
                at=when,
                user_id=user,
                state=AgentState(state),
                previous_state=previous.get(user, AgentState.OFFLINE),
                reason=reason,
                since=when,
                call_id=None,
                missed_count=0,
                by=Actor.SELF,
                actor_id=None,
                released_call_id=None,
            )
        )
        previous[user] = AgentState(state)
    await env.counted()  # the ended calls are counted in batches


@pytest.fixture
async def shift(env: Env) -> Shift:
    built = await build_shift(env)
    await announce(env, built)
    return built


async def report(env: Env, shift: Shift, **kw: Any) -> list[dict[str, Any]]:
    request = ReportRequest(start=kw.pop("start", D), end=kw.pop("end", D), **kw)
    async with env.sessions() as s:
        return (await run_report(s, shift.org_id, request, env.settings)).rows


async def test_queue_figures_by_queue(env: Env, shift: Shift) -> None:
    rows = await report(
        env,
        shift,
        metrics=get_template("queue_interval").metrics,
        by=("queue",),
    )
    support, sales = (next(r for r in rows if r["queue"] == n) for n in ("Support", "Sales"))
    assert support == {
        "queue": "Support",
        "queue_id": shift.support,
        "calls_offered": 4,
        "calls_handled": 2,
        "calls_abandoned": 2,
        "abandon_rate": 33.33,  # (2 - 1 short) / (4 - 1 short)
        "service_level_offered": 25.0,  # 8 s within 20 s; 25 s not: 1 / 4
        "service_level_answered": 50.0,
        "asa": 16.5,  # (8 + 25) / 2
        "average_wait": 19.5,  # (8 + 25 + 5 + 40) / 4
        "longest_wait": 40.0,
        "aht": 120.0,  # (120 + 30 + 20 + 60 + 10) / 2
    }
    # Sales' target is 25 s, counted at the 20 s bucket: its 15 s wait is within it.
    assert sales["service_level_offered"] == 100.0 and sales["asa"] == 15.0


async def test_totals_over_queues_and_the_interval_a_call_ends_in(env: Env, shift: Shift) -> None:
    metrics = ("calls_offered", "calls_handled", "short_abandoned", "abandon_rate")
    (total,) = await report(env, shift, metrics=(*metrics, "service_level_offered", "asa"))
    assert total == {
        "calls_offered": 5,
        "calls_handled": 3,
        "short_abandoned": 1,
        "abandon_rate": 25.0,
        "service_level_offered": 40.0,
        "asa": 16.0,
    }
    by_15m = await report(env, shift, metrics=("calls_offered",), granularity="15m")
    # The Sales call began at 09:14:50 and ended at 09:15:35: it counts at 09:15.
    assert [(r["period"], r["calls_offered"]) for r in by_15m] == [
        ("2026-03-10T09:00:00+00:00", 3),
        ("2026-03-10T09:15:00+00:00", 2),
        ("2026-03-10T10:00:00+00:00", 0),
    ]


async def test_campaign_performance(env: Env, shift: Shift) -> None:
    rows = await report(
        env, shift, metrics=get_template("campaign_performance").metrics, by=("campaign",)
    )
    spring = next(r for r in rows if r["campaign"] == "Spring")
    assert spring == {
        "campaign": "Spring",
        "campaign_id": shift.spring,
        "outbound_dials": 4,
        "live_answers": 3,
        "outbound_connects": 2,
        "contact_rate": 50.0,
        "amd_machines": 1,
        "amd_machine_rate": 25.0,
        "outbound_abandoned": 1,
        "legal_abandon_rate": 33.33,
        "conversions": 1,
        "conversion_rate": 50.0,
        "talk_time": 300.0,
        "aht": 175.0,  # (200 + 30 + 100 + 20) / 2
    }


async def test_agent_performance_mixes_calls_and_state_time(env: Env, shift: Shift) -> None:
    rows = await report(
        env, shift, metrics=get_template("agent_performance").metrics, by=("agent",)
    )
    alice = next(r for r in rows if r["agent_id"] == shift.alice)
    assert alice["agent"] == "alice"
    assert alice["calls_with_agent"] == 3
    assert alice["aht"] == 106.7  # (170 + 30 + 120) / 3
    assert (alice["talk_time"], alice["hold_time"], alice["wrap_time"]) == (250.0, 30.0, 40.0)
    assert alice["conversions"] == 1
    assert alice["time_logged_in"] == 6000.0  # 08:50 to 10:30
    assert alice["occupancy"] == 4.05  # 170 / (4030 + 150 + 20)
    assert alice["utilisation"] == 2.83  # 170 / 6000
    assert alice["talk_minutes_per_agent_hour"] == 2.5  # (250 / 60) / (6000 / 3600)
    bob = next(r for r in rows if r["agent_id"] == shift.bob)
    assert (bob["calls_with_agent"], bob["aht"], bob["time_logged_in"]) == (2, 150.0, 7200.0)


async def test_state_time_is_split_across_intervals(env: Env, shift: Shift) -> None:
    rows = await report(
        env,
        shift,
        metrics=("time_available", "time_break"),
        by=("agent",),
        filters={"agent": "alice@acme.example.com"},
        granularity="15m",
    )
    got = {r["period"][11:16]: (r["time_available"], r["time_break"]) for r in rows}
    assert got == {
        "08:45": (600.0, 0.0),
        "09:00": (730.0, 0.0),  # 8 s before the call, 09:02:58 to 09:15 after it
        "09:15": (900.0, 0.0),
        "09:30": (0.0, 900.0),
        "09:45": (0.0, 900.0),
        "10:00": (900.0, 0.0),
        "10:15": (900.0, 0.0),
    }
    reasons = await report(env, shift, metrics=("time_break",), by=("break_reason",))
    assert {r["break_reason"]: r["time_break"] for r in reasons} == {None: 0.0, "lunch": 1800.0}


async def test_dispositions_template(env: Env, shift: Shift) -> None:
    t = get_template("dispositions")
    rows = await report(env, shift, metrics=t.metrics, by=t.by)
    assert {r["disposition"]: r["calls"] for r in rows} == {
        "SALE": 2,
        "INTERESTED": 1,
        "ABANDONED": 3,
        "NOT_INTERESTED": 2,
        "VOICEMAIL": 1,
    }
    assert sum(r["conversions"] for r in rows) == 2


async def test_compliance_per_legal_window(env: Env, shift: Shift) -> None:
    async with env.sessions() as s:
        result = await abandon_compliance(s, shift.org_id, D, D, {}, env.settings)
    rows = {r["campaign"]: r for r in result.rows}
    assert rows["Spring"]["window_hours"] == 720
    assert rows["Spring"]["window_start"] == "2026-02-09T00:00:00+00:00"
    assert (rows["Spring"]["live_answers"], rows["Spring"]["outbound_abandoned"]) == (3, 1)
    assert rows["Spring"]["legal_abandon_rate"] == 33.33 and rows["Spring"]["cap"] == 3.0
    assert rows["Spring"]["status"] == "over cap"
    assert rows["UK"]["status"] == "no live answers" and rows["UK"]["legal_abandon_rate"] is None


async def test_a_repeated_event_counts_once_and_a_rebuild_changes_nothing(
    env: Env, shift: Shift
) -> None:
    assert not await add_ended_call(
        env.sessions, shift.org_id, shift.call_ids[0]
    )  # counted already
    before = await _snapshot(env)
    async with env.sessions() as s:
        counted = await rebuild(s, shift.org_id, at(0, 0), at(23, 45))
        await s.commit()
    assert counted == len(shift.call_ids)
    assert await _snapshot(env) == before
    async with env.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(CountedCall)) == 9


async def test_a_lost_event_is_put_right_by_a_rebuild(env: Env) -> None:
    shift = await build_shift(env, "lost")  # nothing announced: every event lost
    assert (await report(env, shift, metrics=("calls",)))[0]["calls"] == 0
    async with env.sessions() as s:
        await rebuild(s, shift.org_id, at(0, 0), at(23, 59))
        await s.commit()
    assert (await report(env, shift, metrics=("calls",)))[0]["calls"] == 9


async def _snapshot(env: Env) -> tuple[list[Any], list[Any]]:
    async with env.sessions() as s:
        calls = [tuple(r) for r in await s.execute(select(CallInterval.__table__))]
        states = [tuple(r) for r in await s.execute(select(AgentStateInterval.__table__))]
    return sorted(calls, key=repr), sorted(states, key=repr)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"metrics": ("profit",)}, "unknown metric 'profit'"),
        ({"metrics": ("calls",), "by": ("colour",)}, "unknown dimension 'colour'"),
        ({"metrics": ("occupancy",), "by": ("queue",)}, "'occupancy' cannot be split by 'queue'"),
        ({"metrics": ("calls",), "start": date(2026, 3, 11)}, "ends (2026-03-10) before"),
        (
            {"metrics": ("calls",), "start": date(2016, 3, 10)},
            "at most 400 (OMNIVOX_REPORT_MAX_DAYS)",
        ),
        ({"metrics": ("calls",), "filters": {"queue": "Nope"}}, "no queue 'Nope'"),
        ({"metrics": ("calls",), "granularity": "year"}, "unknown granularity 'year'"),
    ],
)
async def test_bad_requests_say_what_is_wrong(
    env: Env, shift: Shift, kw: dict[str, Any], says: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await report(env, shift, **kw)
    assert says in caught.value.detail


async def test_another_tenants_queue_is_refused_as_a_filter(env: Env, shift: Shift) -> None:
    other = await build_shift(env, "other")
    for key, value in (("queue", other.support), ("campaign", other.spring), ("agent", other.bob)):
        with pytest.raises(InvalidInput) as caught:
            await report(env, shift, metrics=("calls",), filters={key: value})
        assert f"no {key} {value!r} in this organisation" in caught.value.detail
    # And the other tenant's calls never show in this one's totals.
    await announce(env, other)
    assert (await report(env, shift, metrics=("calls",)))[0]["calls"] == 9


async def test_callbacks_in_queue(env: Env) -> None:
    from tests.integration.reporting.script import Inbound, Outbound, insert_call

    from omnivox.routing.models import QueueEntry

    org_id = await env.org("cb")
    agent = await env.user(org_id, "al@cb.example.com", Role.AGENT)
    async with env.sessions() as s:
        queue = Queue(organization_id=org_id, name="Help")
        s.add(queue)
        await s.flush()
        owner = ("queue", queue.id)
        asked = await insert_call(s, org_id, Inbound(at(9, 0), 30, served=True), owner=owner)
        back = await insert_call(
            s, org_id, Outbound(at(9, 20), 6, 90, 10), owner=owner, agent_id=agent
        )
        s.add(
            QueueEntry(
                organization_id=org_id,
                queue_id=queue.id,
                call_id=back,
                status="connected",
                callback_number="+14155550100",
                original_call_id=asked,
                enqueued_at=at(9, 0, 30),
            )
        )
        await s.commit()
    for call_id in (asked, back):
        assert await add_ended_call(env.sessions, org_id, call_id)
    t = get_template("callbacks")
    request = t.request(D, D)
    async with env.sessions() as s:
        rows = (await run_report(s, org_id, request, env.settings)).rows
    assert rows == [
        {
            "queue": "Help",
            "queue_id": queue.id,
            "callbacks_requested": 1,
            "callbacks_completed": 1,
            "voicemails": 0,
        }
    ]
    served = await report_of(env, org_id, ("calls_offered", "calls_abandoned", "calls_handled"))
    assert served == [{"calls_offered": 1, "calls_abandoned": 0, "calls_handled": 0}]


async def report_of(env: Env, org_id: str, metrics: tuple[str, ...]) -> list[dict[str, Any]]:
    async with env.sessions() as s:
        return (await run_report(s, org_id, ReportRequest(metrics, D, D), env.settings)).rows

"""The engine reads the coarsest rollup that answers exactly: hourly rows where every
quarter of the hour falls in one requested period, 15-minute rows elsewhere. In a zone
half an hour from UTC a local day starts in the middle of a UTC hour, so the figures
below (worked by hand) come out wrong if an hourly row is read across a day boundary.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.integration.reporting.script import Inbound, insert_call, insert_states
from tests.integration.reporting.test_rollup_property import _event
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.reporting import ReportRequest, add_ended_call, run_report
from omnivox.reporting.handlers import follow_agent_change
from omnivox.reporting.query import hour_ranges, local_bounds, offsets
from omnivox.routing import Queue

D = date(2026, 3, 10)
KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+05:30: local midnight is 18:30 UTC
UTC_D = datetime(2026, 3, 10, tzinfo=UTC)


def test_hour_ranges_leave_out_the_hours_a_period_boundary_cuts() -> None:
    bounds = local_bounds(D, D + timedelta(days=1), KOLKATA)  # 18:30 UTC on 9th .. 11th
    assert bounds == (UTC_D - timedelta(hours=5, minutes=30), UTC_D + timedelta(hours=42.5))
    # Whole range: every whole hour inside; the half hours at the edges are left.
    assert hour_ranges(bounds, KOLKATA, None) == [
        (bounds[0] + timedelta(minutes=30), bounds[1] - timedelta(minutes=30))
    ]
    # By day: the 18:00 UTC hour holds the local midnight, so it is left to 15-min rows.
    assert hour_ranges(bounds, KOLKATA, "day") == [
        (UTC_D - timedelta(hours=5), UTC_D + timedelta(hours=18)),
        (UTC_D + timedelta(hours=19), UTC_D + timedelta(hours=42)),
    ]
    # Local hours start at half past in UTC: no UTC hour is one local hour.
    assert hour_ranges(bounds, KOLKATA, "hour") == []
    assert hour_ranges(bounds, KOLKATA, "15m") == []
    london = local_bounds(D, D + timedelta(days=1), ZoneInfo("Europe/London"))
    assert hour_ranges(london, ZoneInfo("Europe/London"), "hour") == [london]


async def test_figures_in_a_half_hour_zone_split_by_local_day_and_hour(env: Env) -> None:
    org_id = await env.org("kolkata", "Asia/Kolkata")
    agent = await env.user(org_id, "a@kolkata.example.com", Role.AGENT)
    at = lambda h, m: UTC_D + timedelta(hours=h, minutes=m)  # noqa: E731
    async with env.sessions() as s:
        queue = Queue(organization_id=org_id, name="Q")
        s.add(queue)
        await s.flush()
        ids = [
            await insert_call(
                s,
                org_id,
                Inbound(at(h, m), wait=10, talk=60),
                owner=("queue", queue.id),
                agent_id=agent,
            )
            for h, m in ((12, 0), (18, 19), (18, 35))  # end local 17:31, 23:50, 00:06 (11th)
        ]
        # Logged in 18:00-19:00 UTC: 23:30-00:30 local, half on each local day.
        changes = [(at(18, 0), "available", None), (at(19, 0), "offline", None)]
        await insert_states(s, org_id, agent, changes)
        await s.commit()
    for call_id in ids:
        assert await add_ended_call(env.sessions, org_id, call_id)
    for when, state, _ in changes:
        await follow_agent_change(env.sessions, _event(org_id, agent, when, state))

    async def run(start: date, end: date, granularity: str | None) -> list[dict[str, object]]:
        request = ReportRequest(
            ("calls_offered", "calls_with_agent", "time_logged_in"),
            start,
            end,
            by=("agent",),
            granularity=granularity,
        )
        async with env.sessions() as s:
            return (await run_report(s, org_id, request, env.settings)).rows

    def figures(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return [
            (r.get("period"), r["calls_offered"], r["calls_with_agent"], r["time_logged_in"])
            for r in rows
        ]

    two_days = D, D + timedelta(days=1)
    assert figures(await run(*two_days, None)) == [(None, 3, 3, 3600.0)]
    assert figures(await run(*two_days, "day")) == [
        ("2026-03-10", 2, 2, 1800.0),
        ("2026-03-11", 1, 1, 1800.0),
    ]
    assert figures(await run(*two_days, "hour")) == [
        ("2026-03-10T17:00:00+05:30", 1, 1, 0.0),
        ("2026-03-10T23:00:00+05:30", 1, 1, 1800.0),
        ("2026-03-11T00:00:00+05:30", 1, 1, 1800.0),
    ]
    # One local day: its last half hour (18:00-18:30 UTC) comes from 15-minute rows.
    assert figures(await run(D, D, None)) == [(None, 2, 2, 1800.0)]


def test_offsets_follow_the_zone_across_a_daylight_saving_change() -> None:
    new_york = ZoneInfo("America/New_York")  # UTC-5, UTC-4 from 07:00 UTC on 8 March 2026
    bounds = local_bounds(date(2026, 3, 1), date(2026, 3, 31), new_york)
    change = datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert offsets(new_york, [bounds]) == [
        (change, timedelta(hours=-5)),
        (None, timedelta(hours=-4)),
    ]
    assert offsets(KOLKATA, [local_bounds(D, D, KOLKATA)]) == [
        (None, timedelta(hours=5, minutes=30))
    ]


async def test_local_days_and_weeks_across_a_daylight_saving_change(env: Env) -> None:
    org_id = await env.org("newyork", "America/New_York")
    async with env.sessions() as s:
        queue = Queue(organization_id=org_id, name="Q")
        s.add(queue)
        await s.flush()
        # Each waits 10 s and talks 60 s: ends 70 s after it starts.
        ends = [
            datetime(2026, 3, 8, 4, 30, tzinfo=UTC),  # 23:31 on 7 March (UTC-5)
            datetime(2026, 3, 9, 3, 30, tzinfo=UTC),  # 23:31 on 8 March (UTC-4)
            datetime(2026, 3, 9, 4, 30, tzinfo=UTC),  # 00:31 on 9 March (UTC-4)
        ]
        ids = [
            await insert_call(s, org_id, Inbound(e, wait=10, talk=60), owner=("queue", queue.id))
            for e in ends
        ]
        await s.commit()
    for call_id in ids:
        assert await add_ended_call(env.sessions, org_id, call_id)

    async def run(granularity: str) -> list[tuple[object, object]]:
        request = ReportRequest(
            ("calls_offered",), date(2026, 3, 1), date(2026, 3, 14), granularity=granularity
        )
        async with env.sessions() as s:
            rows = (await run_report(s, org_id, request, env.settings)).rows
        return [(r["period"], r["calls_offered"]) for r in rows]

    assert await run("day") == [("2026-03-07", 1), ("2026-03-08", 1), ("2026-03-09", 1)]
    # Weeks start on Monday: 7 and 8 March are in the week of the 2nd.
    assert await run("week") == [("2026-03-02", 2), ("2026-03-09", 1)]
    assert await run("month") == [("2026-03-01", 3)]

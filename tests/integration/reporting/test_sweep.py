"""Calls whose end event was lost (the process died between the call's commit and the
rollup upkeep) are counted by the sweep, once, however often it runs or however it is
interrupted; on SQLite and PostgreSQL, and through `omnivox reports sweep`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from tests.integration.reporting.script import Inbound, Outbound, insert_call
from tests.integration.reporting.test_reports_cli import omnivox
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.reporting import ReportRequest, add_ended_call, run_report
from omnivox.reporting.models import CALL_ROLLUPS, CountedCall
from omnivox.reporting.upkeep import sweep_uncounted
from omnivox.routing import Queue

D = datetime(2026, 3, 10, 9, tzinfo=UTC)


async def _calls(env: Env, slug: str) -> tuple[str, list[str]]:
    """An organisation with four ended calls on the 10th and one on the 8th; none counted."""
    org_id = await env.org(slug)
    agent = await env.user(org_id, f"a@{slug}.example.com", Role.AGENT)
    async with env.sessions() as s:
        queue = Queue(organization_id=org_id, name="Q")
        s.add(queue)
        await s.flush()
        owner = ("queue", queue.id)
        specs = [
            Inbound(D, wait=10, talk=60),
            Inbound(D + timedelta(minutes=20), wait=30, abandon=True),
            Inbound(D + timedelta(hours=2), wait=5, talk=100),
            Inbound(D - timedelta(days=2), wait=5, talk=100),  # before the sweep's window
        ]
        ids = [await insert_call(s, org_id, spec, owner=owner, agent_id=agent) for spec in specs]
        dial = Outbound(D + timedelta(hours=1), ring=5, talk=30)
        ids.append(await insert_call(s, org_id, dial, owner=("campaign", "c1"), agent_id=agent))
        await s.commit()
    return org_id, ids


async def _totals(env: Env, org_id: str) -> list[int]:
    """Calls in each call rollup, and claims."""
    async with env.sessions() as s:
        out = []
        for rollup in CALL_ROLLUPS:
            table = rollup.table.__table__
            out.append(
                await s.scalar(
                    select(func.coalesce(func.sum(table.c.calls), 0)).where(
                        table.c.organization_id == org_id
                    )
                )
                or 0
            )
        claims = select(func.count()).where(CountedCall.organization_id == org_id)
        out.append(await s.scalar(claims) or 0)
    return out


async def test_a_call_ended_while_the_handler_was_down_is_counted_by_the_sweep_once(
    env: Env,
) -> None:
    org_id, ids = await _calls(env, "sweep")
    # The first call's event was followed; the rest were lost while the handler was down.
    assert await add_ended_call(env.sessions, org_id, ids[0])
    assert await _totals(env, org_id) == [1, 1, 1, 1, 1]

    since = D.replace(hour=0)
    async with env.sessions() as s:  # a sweep that dies before committing counts nothing
        assert await sweep_uncounted(s, org_id, since) == 3
        await s.rollback()
    assert await _totals(env, org_id) == [1, 1, 1, 1, 1]

    async with env.sessions() as s:
        assert await sweep_uncounted(s, org_id, since) == 3
        await s.commit()
    assert await _totals(env, org_id) == [4, 4, 4, 4, 4]  # the 8th's call is outside
    async with env.sessions() as s:  # again, and a late event: nothing more
        assert await sweep_uncounted(s, org_id, since) == 0
        await s.commit()
    assert not await add_ended_call(env.sessions, org_id, ids[1])
    assert await _totals(env, org_id) == [4, 4, 4, 4, 4]

    request = ReportRequest(
        ("calls_offered", "calls_abandoned", "outbound_dials"), date(2026, 3, 10), date(2026, 3, 10)
    )
    async with env.sessions() as s:
        rows = (await run_report(s, org_id, request, env.settings)).rows
    assert rows == [{"calls_offered": 3, "calls_abandoned": 1, "outbound_dials": 1}]


async def test_sweep_command(sqlite_env: Env, tmp_path: Path) -> None:
    env = sqlite_env
    org_id, _ids = await _calls(env, "acme")
    done = omnivox(env, tmp_path, "sweep", "--org", "acme", "--since", "2026-03-08")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "swept: 5 uncounted calls counted"
    again = omnivox(env, tmp_path, "sweep", "--org", "acme", "--since", "2026-03-08T00:00:00+00:00")
    assert again.stdout.strip() == "swept: 0 uncounted calls counted"
    assert await _totals(env, org_id) == [5, 5, 5, 5, 5]

    bad = omnivox(env, tmp_path, "sweep", "--org", "acme", "--since", "last tuesday")
    assert bad.returncode != 0
    assert bad.stderr.strip() == "error: --since: 'last tuesday' is not a date or an ISO time"
    unknown = omnivox(env, tmp_path, "sweep", "--org", "nope")
    assert unknown.returncode != 0 and "no organisation with slug 'nope'" in unknown.stderr


async def test_the_job_layer_sweeps_every_organisation_by_itself(env: Env) -> None:
    """Nobody runs the command: the periodic job counts the lost endings of every active
    organisation within OMNIVOX_REPORT_SWEEP_HOURS, once however often it runs."""
    from omnivox.app import all_jobs
    from omnivox.jobs import JobContext
    from omnivox.reporting.sweep_job import SWEEP_JOB

    first, _ = await _calls(env, "first")
    second, _ = await _calls(env, "second")
    env.clock.set(D + timedelta(hours=6))
    task = all_jobs(env.settings).tasks[SWEEP_JOB]
    assert task.every_seconds == env.settings.report_sweep_every_seconds
    context = JobContext(sessions=env.sessions, settings=env.settings, clock=env.clock, queue=None)  # type: ignore[arg-type]
    for _ in range(2):
        await task.fn(context, {})
    for org_id in (first, second):
        # The four calls within 48 h, in every rollup; the one of the 8th is outside it.
        assert await _totals(env, org_id) == [4] * len(CALL_ROLLUPS) + [4]

"""The job layer on PostgreSQL: procrastinate workers run the deliveries, a job deferred
in a transaction that rolls back never runs, and the periodic pass fires on its own."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.integration.reporting.schedule_support import DAILY, Hook, admin, webhook_server
from tests.support import Env

from omnivox.app import all_jobs
from omnivox.jobs.postgres import ProcrastinateQueue
from omnivox.reporting.schedule_delivery import SEND_JOB, run_now
from omnivox.reporting.schedule_models import ReportDelivery, ReportSchedule

SLOT = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _local_receivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook receiver is on this machine (the worker's environment inherits it)."""
    monkeypatch.setenv("OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE", "true")


@pytest.fixture
def hook() -> Iterator[tuple[str, Hook]]:
    yield from webhook_server()


def _postgres_only(env: Env) -> None:
    if env.settings.is_sqlite:
        pytest.skip("procrastinate is the PostgreSQL job queue (SQLite runs jobs in-process)")


async def _schedule(env: Env, url: str, *, enabled: bool = True) -> str:
    headers = await admin(env)
    body = DAILY | {"webhook_url": url, "enabled": enabled}
    resp = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def test_a_worker_runs_what_a_committed_transaction_deferred(
    env: Env, hook: tuple[str, Hook]
) -> None:
    _postgres_only(env)
    url, received = hook
    schedule_id = await _schedule(env, url)
    queue = ProcrastinateQueue(all_jobs(env.settings), env.sessions, env.settings, env.clock)
    async with env.sessions() as s:
        # Rolled back: the job goes with the transaction.
        await queue.defer(s, SEND_JOB, {"delivery_id": "0" * 32})
        await s.rollback()
        schedule = await s.get(ReportSchedule, schedule_id)
        assert schedule is not None
        delivery = await run_now(s, queue, schedule, env.clock.now())
    await queue.work(wait=False)

    assert len(received.requests) == 1
    async with env.sessions() as s:
        row = await s.get(ReportDelivery, delivery.id)
        assert row is not None and (row.status, row.attempts) == ("sent", 1)
        jobs = await s.execute(
            text(
                "SELECT args->>'delivery_id', status FROM procrastinate_jobs "
                "WHERE task_name = :task AND args->>'delivery_id' IN (:ours, :rolled_back)"
            ),
            {"task": SEND_JOB, "ours": delivery.id, "rolled_back": "0" * 32},
        )
    assert [tuple(j) for j in jobs] == [(delivery.id, "succeeded")]


async def test_the_periodic_pass_runs_in_a_worker(env: Env, hook: tuple[str, Hook]) -> None:
    _postgres_only(env)
    url, received = hook
    await _schedule(env, url)
    await env.clock.advance((SLOT - env.clock.now()).total_seconds() + 30)
    settings = env.settings.model_copy(update={"jobs_tick_seconds": 1})
    queue = ProcrastinateQueue(all_jobs(settings), env.sessions, settings, env.clock)
    worker = asyncio.create_task(queue.work())
    try:
        for _ in range(100):
            if received.requests:
                break
            await asyncio.sleep(0.1)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert len(received.requests) == 1
    async with env.sessions() as s:
        rows = list(await s.scalars(select(ReportDelivery)))
    assert [(r.slot_at, r.status) for r in rows] == [(SLOT, "sent")]


def _worker_command(env: Env, tmp_path: Path) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "OMNIVOX_DATABASE_URL": env.settings.database_url,
        "OMNIVOX_DATA_DIR": str(tmp_path),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "omnivox", "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
        cwd=tmp_path,
    )


async def test_omnivox_worker_delivers_and_stops_on_sigterm(
    env: Env, hook: tuple[str, Hook], tmp_path: Path
) -> None:
    url, received = hook
    # Paused: the worker runs on the real clock, and its periodic pass would otherwise also
    # send today's regular slot whenever the test runs after the schedule's time of day.
    schedule_id = await _schedule(env, url, enabled=False)
    headers = await env.token("boss@acme.example.com")
    resp = await env.client.post(
        f"/api/v1/reports/schedules/{schedule_id}/run-now", headers=headers
    )
    assert resp.status_code == 202, resp.text
    if env.settings.is_sqlite:
        proc = _worker_command(env, tmp_path)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1
        assert err.strip() == (
            "error: `omnivox worker` needs PostgreSQL; on SQLite `omnivox serve` runs the jobs"
        )
        return
    proc = _worker_command(env, tmp_path)
    try:
        # A new Python process that imports the app and connects: slow on a loaded machine,
        # so wait long (it ends as soon as the delivery arrives).
        for _ in range(1200):
            if received.requests or proc.poll() is not None:
                break
            await asyncio.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert len(received.requests) == 1, err
    assert proc.returncode == 0, err
    log = await env.client.get(
        f"/api/v1/reports/schedules/{schedule_id}/deliveries", headers=headers
    )
    assert [r["status"] for r in log.json()] == ["sent"]


async def test_a_failed_attempt_defers_its_retry_to_the_back_off_instant(
    env: Env, hook: tuple[str, Hook]
) -> None:
    _postgres_only(env)
    url, received = hook
    received.status = 503
    schedule_id = await _schedule(env, url)
    queue = ProcrastinateQueue(all_jobs(env.settings), env.sessions, env.settings, env.clock)
    async with env.sessions() as s:
        schedule = await s.get(ReportSchedule, schedule_id)
        assert schedule is not None
        delivery = await run_now(s, queue, schedule, env.clock.now())
    await queue.work(wait=False)
    assert len(received.requests) == 1
    async with env.sessions() as s:
        row = await s.get(ReportDelivery, delivery.id)
        assert row is not None and (row.status, row.attempts) == ("pending", 1)
        scheduled = await s.scalars(
            text(
                "SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = :task "
                "AND args->>'delivery_id' = :id AND scheduled_at IS NOT NULL"
            ),
            {"task": SEND_JOB, "id": delivery.id},
        )
        assert list(scheduled) == [row.next_attempt_at]

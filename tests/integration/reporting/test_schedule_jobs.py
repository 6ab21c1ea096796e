"""The job layer on PostgreSQL: procrastinate workers run the deliveries, a job deferred
in a transaction that rolls back never runs, and the periodic pass fires on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from tests.integration.reporting.schedule_support import DAILY, Hook, admin, webhook_server
from tests.support import Env

from omnivox.app import all_jobs
from omnivox.jobs import ProcrastinateQueue
from omnivox.reporting.schedule_delivery import SEND_JOB, run_now
from omnivox.reporting.schedule_models import ReportDelivery, ReportSchedule

SLOT = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)


@pytest.fixture
def hook() -> Iterator[tuple[str, Hook]]:
    yield from webhook_server()


def _postgres_only(env: Env) -> None:
    if env.settings.is_sqlite:
        pytest.skip("procrastinate is the PostgreSQL job queue (SQLite runs jobs in-process)")


async def _schedule(env: Env, url: str) -> str:
    headers = await admin(env)
    resp = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
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

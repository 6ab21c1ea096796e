"""The sweep counting many uncounted calls while a live batch counts some of the same
ones (its calls ended, the sweep found them before the batch was counted): each sweep
batch is committed by itself, so the sweep never holds one batch's claims while it
waits on the live batch's. Held to the end of the sweep, they made PostgreSQL break a
deadlock: the whole organisation's sweep (every call it had counted) or the live batch
failed. PostgreSQL (SQLite has one writer at a time)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from tests.integration.reporting.test_sweep import _totals
from tests.integration.reporting.test_upkeep_batches import (
    D,
    _ended_calls,
    skip_unless_postgres,
    someone_waits_on_a_lock,
)
from tests.support import Env

from omnivox.reporting import upkeep
from omnivox.reporting.batcher import count_batch
from omnivox.reporting.upkeep import sweep_uncounted
from omnivox.telephony import Call


async def test_a_sweep_and_a_live_batch_of_the_same_calls_do_not_deadlock(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    await skip_unless_postgres(env)
    org_id, ids = await _ended_calls(env, "sweep-lock", 2)
    low, high = sorted(ids)
    async with env.sessions() as s:  # the sweep takes ``high`` first (it ended first)
        ended = D + timedelta(hours=2)
        await s.execute(update(Call).where(Call.id == high).values(ended_at=ended))
        await s.execute(
            update(Call).where(Call.id == low).values(ended_at=ended + timedelta(seconds=1))
        )
        await s.commit()
    monkeypatch.setattr(upkeep, "SWEEP_BATCH", 1)
    first_done = asyncio.Event()
    live_done = asyncio.Event()
    sweep_counts = upkeep.count_calls

    async def sweep_step(session: AsyncSession, org: str, call_ids: Sequence[str]) -> list[str]:
        if first_done.is_set():  # its second batch once the live batch waits or is done
            while not live_done.is_set() and not await someone_waits_on_a_lock(env):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        done = await sweep_counts(session, org, call_ids)
        first_done.set()
        return done

    monkeypatch.setattr(upkeep, "count_calls", sweep_step)

    async def sweep() -> int:
        async with env.sessions() as s:
            counted = await sweep_uncounted(s, org_id, D.replace(hour=0))
            await s.commit()
            return counted

    async def live() -> dict[str, list[str]]:
        await first_done.wait()
        try:
            return await count_batch(env.sessions, {low: org_id, high: org_id})
        finally:
            live_done.set()

    results = await asyncio.wait_for(
        asyncio.gather(sweep(), live(), return_exceptions=True), timeout=60
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    assert failed == [], failed
    assert await _totals(env, org_id) == [2, 2, 2, 2, 2]

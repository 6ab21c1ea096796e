"""Two nodes counting batches that hold calls of the same organisations at once (a
multi-tenant deployment with more than one node, every batch touching each
organisation's current cells): each takes the organisations' rollup rows in one order,
so neither waits on the other in a cycle. In opposite orders PostgreSQL found a deadlock,
failed one batch and left its calls to the retry or, failing that, to the sweep
minutes later. PostgreSQL (SQLite has one writer at a time)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.integration.reporting.test_sweep import _totals
from tests.integration.reporting.test_upkeep_batches import (
    _ended_calls,
    skip_unless_postgres,
    someone_waits_on_a_lock,
)
from tests.support import Env

from omnivox.reporting import batcher as batcher_module
from omnivox.reporting.batcher import count_batch
from omnivox.reporting.upkeep import count_calls


async def test_two_nodes_batches_of_the_same_organisations_do_not_deadlock(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    await skip_unless_postgres(env)
    one, one_calls = await _ended_calls(env, "lock-one", 2)
    two, two_calls = await _ended_calls(env, "lock-two", 2)
    # Node A's batch ended one's call first, node B's two's: same cells, other calls.
    batch_a = {one_calls[0]: one, two_calls[0]: two}
    batch_b = {two_calls[1]: two, one_calls[1]: one}
    a_first, b_first = asyncio.Event(), asyncio.Event()
    counted = count_calls

    async def interleaved(session: AsyncSession, org_id: str, ids: Sequence[str]) -> list[str]:
        node_a = ids[0] in batch_a
        if node_a and a_first.is_set():
            # A's second organisation: once B holds its first one's rows, or waits on A
            # (a lock wait is seen only in the database's own view: it is polled).
            while not b_first.is_set() and not await someone_waits_on_a_lock(env):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        if not node_a and not b_first.is_set():
            await a_first.wait()  # B starts once A holds its first organisation's rows
        done = await counted(session, org_id, ids)
        (a_first if node_a else b_first).set()
        return done

    monkeypatch.setattr(batcher_module, "count_calls", interleaved)
    results = await asyncio.wait_for(
        asyncio.gather(
            count_batch(env.sessions, batch_a),
            count_batch(env.sessions, batch_b),
            return_exceptions=True,
        ),
        timeout=60,
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    assert failed == [], failed
    assert await _totals(env, one) == [2, 2, 2, 2, 2]
    assert await _totals(env, two) == [2, 2, 2, 2, 2]

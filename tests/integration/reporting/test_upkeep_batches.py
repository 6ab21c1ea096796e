"""Live upkeep counts ended calls in batches (issue 16: "a late or duplicate event never
double-counts"): a batch is counted when full or after its delay, in one transaction,
each call once; what a process that died before counting left uncounted is counted by
the sweep, once; stopping counts what waits. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from tests.conftest import make_settings
from tests.integration.reporting.script import Inbound, Outbound, insert_call
from tests.integration.reporting.test_sweep import _totals
from tests.support import Env

from omnivox.core.events import Audience, InProcessBus
from omnivox.core.security.permissions import Role
from omnivox.reporting.batcher import CallBatcher
from omnivox.reporting.events import CallsCounted
from omnivox.reporting.upkeep import sweep_uncounted
from omnivox.routing import Queue
from omnivox.telephony import Call, CallEnded, CallState, summary_of

D = datetime(2026, 3, 10, 9, tzinfo=UTC)
HOUR = 3600.0  # a batch delay no test waits for: only a full batch or a flush counts


async def _ended_calls(env: Env, slug: str, n: int) -> tuple[str, list[str]]:
    """An organisation with ``n`` ended calls (inbound and outbound), none counted."""
    org_id = await env.org(slug)
    agent = await env.user(org_id, f"a@{slug}.example.com", Role.AGENT)
    async with env.sessions() as s:
        queue = Queue(organization_id=org_id, name="Q")
        s.add(queue)
        await s.flush()
        ids = []
        for i in range(n):
            at = D + timedelta(minutes=7 * i)
            if i % 3 == 2:
                spec: Inbound | Outbound = Outbound(at, ring=5, talk=30)
                owner = ("campaign", "c1")
            else:
                spec, owner = Inbound(at, wait=10, talk=60, abandon=i % 3 == 1), ("queue", queue.id)
            ids.append(await insert_call(s, org_id, spec, owner=owner, agent_id=agent))
        await s.commit()
    return org_id, ids


async def someone_waits_on_a_lock(env: Env) -> bool:
    """PostgreSQL: a session of this database waits on a lock (lock-order tests)."""
    async with env.sessions() as s:
        waiting = await s.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


async def skip_unless_postgres(env: Env) -> None:
    async with env.sessions() as s:
        if (await s.connection()).dialect.name != "postgresql":
            pytest.skip("row locks between concurrent writers: PostgreSQL")


def _batcher(env: Env, bus: InProcessBus, size: int, delay: float = HOUR) -> CallBatcher:
    return CallBatcher(env.sessions, bus, env.clock, size=size, delay_seconds=delay)


def _announced(bus: InProcessBus) -> asyncio.Queue[CallsCounted]:
    seen: asyncio.Queue[CallsCounted] = asyncio.Queue()

    async def on_counted(event: CallsCounted) -> None:
        seen.put_nowait(event)

    bus.subscribe(CallsCounted, on_counted)
    return seen


async def test_a_full_batch_is_counted_at_once_in_one_go(env: Env) -> None:
    org_id, ids = await _ended_calls(env, "full", 4)
    bus = InProcessBus()
    seen = _announced(bus)
    batcher = _batcher(env, bus, size=3)
    for call_id in ids[:2]:
        batcher.add(org_id, call_id)
    batcher.add(org_id, ids[0])  # a provider retry: the same call, not a third
    assert batcher.waiting == 2
    batcher.add(org_id, ids[2])  # the third call fills the batch; its hour-long delay is moot
    event = await asyncio.wait_for(seen.get(), timeout=30)
    assert (event.organization_id, sorted(event.call_ids)) == (org_id, sorted(ids[:3]))
    assert await _totals(env, org_id) == [3, 3, 3, 3, 3]

    batcher.add(org_id, ids[3])
    assert await _totals(env, org_id) == [3, 3, 3, 3, 3]  # one call waits for its batch
    batcher.add(org_id, ids[1])  # a late repeat of a counted call
    assert await batcher.flush() == 1
    assert await _totals(env, org_id) == [4, 4, 4, 4, 4]
    assert sorted((await seen.get()).call_ids) == [ids[3]]
    await batcher.stop()


async def test_a_batch_is_counted_after_its_delay(env: Env) -> None:
    org_id, ids = await _ended_calls(env, "delay", 2)
    bus = InProcessBus()
    seen = _announced(bus)
    batcher = _batcher(env, bus, size=200, delay=0.01)
    for call_id in ids:
        batcher.add(org_id, call_id)
    event = await asyncio.wait_for(seen.get(), timeout=30)  # nothing else counts them
    assert sorted(event.call_ids) == sorted(ids)
    assert await _totals(env, org_id) == [2, 2, 2, 2, 2]
    await batcher.stop()


async def test_calls_a_dead_process_never_counted_are_counted_by_the_sweep_once(
    env: Env,
) -> None:
    org_id, ids = await _ended_calls(env, "crash", 5)
    bus = InProcessBus()
    seen = _announced(bus)
    # The process took the calls' endings and died before its batch was counted.
    dead = _batcher(env, bus, size=200)
    for call_id in ids:
        dead.add(org_id, call_id)
    await dead.tasks.stop()  # its background work is gone, its batch never counted
    assert dead.waiting == 5
    assert await _totals(env, org_id) == [0, 0, 0, 0, 0]

    async with env.sessions() as s:
        assert await sweep_uncounted(s, org_id, D.replace(hour=0)) == 5
        await s.commit()
    assert await _totals(env, org_id) == [5, 5, 5, 5, 5]
    async with env.sessions() as s:
        assert await sweep_uncounted(s, org_id, D.replace(hour=0)) == 0
        await s.commit()
    # Had it lived after all (or another node had the same events): nothing more.
    assert await dead.flush() == 0
    assert await _totals(env, org_id) == [5, 5, 5, 5, 5]
    assert seen.empty()  # no CallsCounted for calls counted by someone else


async def test_the_app_counts_ended_calls_and_stopping_counts_what_waits(env: Env) -> None:
    """Through the app's own bus: a CallEnded (twice: a retry) is counted once; the
    batch that waits when the app stops is counted by the stop, before the wallboard
    and the database go."""
    org_id, ids = await _ended_calls(env, "app", 3)
    bus = env.app.state.omnivox.bus  # type: ignore[attr-defined]
    batcher: CallBatcher = env.app.state.call_batcher  # type: ignore[attr-defined]
    batcher.delay_seconds = HOUR
    async with env.sessions() as s:
        calls = [await s.get(Call, c) for c in ids]
    for call in [*calls, calls[0]]:
        assert call is not None
        summary = summary_of(call)
        ended = CallEnded(
            audience=Audience.organization(org_id),
            at=summary.ended_at or D,
            call=summary,
            outcome=CallState(call.state),
            end_reason=None,
        )
        await bus.publish(ended)
    assert batcher.waiting == 3
    assert await _totals(env, org_id) == [0, 0, 0, 0, 0]
    await batcher.stop()
    assert await _totals(env, org_id) == [3, 3, 3, 3, 3]
    batcher.add(org_id, ids[0])  # an ending during the shutdown: the sweep's, later
    assert batcher.waiting == 0


@pytest.mark.parametrize(
    ("setting", "value"),
    [("report_upkeep_batch_size", 0), ("report_upkeep_batch_ms", 5000)],
)
def test_batch_settings_out_of_range_are_refused(
    setting: str, value: int, tmp_path: object
) -> None:
    with pytest.raises(ValidationError, match=setting):
        make_settings("sqlite+aiosqlite:///x.db", tmp_path, **{setting: value})


async def test_a_slow_count_starts_no_pile_of_timers(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a batch is being counted (the database slow), the calls ending meanwhile
    wait under one timer, not one each; all are counted once the database answers."""
    org_id, ids = await _ended_calls(env, "slow", 12)
    from omnivox.reporting import batcher as batcher_module

    real = batcher_module.count_batch
    release, entered = asyncio.Event(), asyncio.Event()

    async def slow(sessions: object, batch: dict[str, str]) -> dict[str, list[str]]:
        entered.set()
        await release.wait()
        return await real(env.sessions, batch)

    monkeypatch.setattr(batcher_module, "count_batch", slow)
    bus = InProcessBus()
    batcher = _batcher(env, bus, size=200, delay=0.001)
    batcher.add(org_id, ids[0])
    await asyncio.wait_for(entered.wait(), timeout=30)  # the first batch is being counted
    for call_id in ids[1:]:
        batcher.add(org_id, call_id)
        await asyncio.sleep(0.005)  # each ending after the previous one's delay is over
    timers = [t for t in asyncio.all_tasks() if t.get_name() == "report upkeep batch"]
    assert len(timers) <= 2  # the batch being counted, and the next one's timer
    release.set()
    await batcher.flush()
    assert await _totals(env, org_id) == [12, 12, 12, 12, 12]
    await batcher.stop()


async def test_a_failing_count_leaves_the_calls_to_the_sweep_and_stopping_still_stops(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any failure while counting (not only a deadlock: a pool timeout, a bug) loses only
    the counting, which the sweep does; a shutdown meeting it still completes."""
    org_id, ids = await _ended_calls(env, "broken", 3)
    from omnivox.reporting import batcher as batcher_module

    async def broken(sessions: object, batch: dict[str, str]) -> dict[str, list[str]]:
        raise RuntimeError("connection pool exhausted")

    monkeypatch.setattr(batcher_module, "count_batch", broken)
    batcher = _batcher(env, InProcessBus(), size=200)
    for call_id in ids:
        batcher.add(org_id, call_id)
    await batcher.stop()  # does not raise: the lifespan goes on to stop the rest
    assert await _totals(env, org_id) == [0, 0, 0, 0, 0]
    async with env.sessions() as s:
        assert await sweep_uncounted(s, org_id, D.replace(hour=0)) == 3
        await s.commit()
    assert await _totals(env, org_id) == [3, 3, 3, 3, 3]

"""Keeping the rollups: add an ended call once, recompute an agent's state time over the
intervals a change touched, rebuild a range from raw records, and sweep up calls whose
ending was never counted. The caller commits.

Idempotent by construction: a call is added together with its claim in
``report_counted_calls`` (INSERT ... ON CONFLICT DO NOTHING: a second try, here or on
another node, finds the key taken and adds nothing), and agent state time is recomputed
from history rather than added to, so a late, repeated or lost event is put right by the
next change, a sweep or a rebuild. A rebuild is meant for intervals no call is ending in
now: a call counted live between its delete and its insert would stop it on the key.

Every call rollup (``models.CALL_ROLLUPS``) gets the same counters from the same fact,
projected onto its keys and grain, so the coarse tables are sums of the fine one. Ended
calls are counted in batches (``count_calls``: one read, one claim insert returning the
calls taken now, one upsert per rollup for those only); one call is a batch of one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.db import insert_on_conflict
from omnivox.reporting import sources
from omnivox.reporting.agent_time import StateCell, login_cells, state_cells
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS, CallFact, CellKey, call_fact, merge
from omnivox.reporting.intervals import HOUR, ceil_hour, floor_to, hour_of, interval_of
from omnivox.reporting.models import (
    CALL_ROLLUPS,
    AgentStateHour,
    AgentStateInterval,
    CallRollup,
    CountedCall,
    ReportDisposition,
    ReportNumber,
)

_TIME = ("organization_id", "interval_start")
#: Calls a sweep counts per statement set (their ids are bound parameters).
SWEEP_BATCH = 500
RollupCells = dict[CallRollup, dict[tuple[Any, ...], dict[str, float]]]


def _columns(rollup: CallRollup) -> tuple[str, ...]:
    return (*_TIME, *rollup.keys)


def cell_of(rollup: CallRollup, key: CellKey) -> tuple[Any, ...]:
    """The rollup's cell holding a call of ``key``: its grain's start and its keys."""
    return (
        key.organization_id,
        floor_to(key.interval_start, rollup.grain),
        *(getattr(key, k) for k in rollup.keys),
    )


def fold_facts(facts: Iterable[CallFact]) -> RollupCells:
    """Each rollup's cells, summed over the facts (what a rebuild writes)."""
    cells: RollupCells = {r: {} for r in CALL_ROLLUPS}
    for fact in facts:
        for rollup, into in cells.items():
            merge(into.setdefault(cell_of(rollup, fact.key), {}), fact.values)
    return cells


async def _dialect(session: AsyncSession) -> str:
    return (await session.connection()).dialect.name


def _upsert(dialect: str, rollup: CallRollup, stmt: Any) -> Any:
    """``stmt`` (an INSERT into the rollup) adding to the cells that exist already.
    Built once per rollup (``functools.cache`` below): forty SET expressions cost more
    to construct than the statement takes to run."""
    table: Table = rollup.table.__table__  # type: ignore[assignment]
    larger = func.greatest if dialect == "postgresql" else func.max
    update: dict[str, Any] = {c: table.c[c] + stmt.excluded[c] for c in SUM_COLUMNS}
    update |= {c: larger(table.c[c], stmt.excluded[c]) for c in MAX_COLUMNS}
    return stmt.on_conflict_do_update(index_elements=_columns(rollup), set_=update)


@functools.cache
def _upsert_into(dialect: str, rollup: CallRollup) -> Any:
    # Into the Table, not the mapped class: a list of rows then goes straight to the
    # driver's executemany instead of through the ORM's bulk insert, row by row.
    return _upsert(dialect, rollup, insert_on_conflict(dialect)(rollup.table.__table__))


async def add_cells(session: AsyncSession, cells: RollupCells) -> None:
    """Add counters to their cells, creating the cells that do not exist yet."""
    dialect = await _dialect(session)
    for rollup, by_cell in cells.items():
        if not by_cell:
            continue
        # Cells in one order (their keys as text: a key may be None), so two batches
        # upserting the same cells on different nodes take their locks alike.
        ordered = sorted(by_cell.items(), key=lambda item: tuple(map(str, item[0])))
        rows = [dict(zip(_columns(rollup), cell, strict=True)) | v for cell, v in ordered]
        await session.execute(_upsert_into(dialect, rollup), rows)
        for key, table in _USED:
            if key in rollup.keys:
                await _note_used(session, dialect, rows, key, table)


#: What the finest rollup's cells name that the builder and the filters list: numbers
#: and disposition codes, each kept in a small table of its own.
_USED: tuple[tuple[str, type[ReportNumber] | type[ReportDisposition]], ...] = (
    ("number", ReportNumber),
    ("disposition", ReportDisposition),
)


async def _note_used(
    session: AsyncSession,
    dialect: str,
    rows: list[dict[str, Any]],
    key: str,
    table: type[ReportNumber] | type[ReportDisposition],
) -> None:
    """Keep ``table`` up with the values of ``key`` the cells name (a few per batch)."""
    used = sorted({(r["organization_id"], r[key]) for r in rows if r[key]})
    if used:
        stmt = insert_on_conflict(dialect)(table).on_conflict_do_nothing()
        await session.execute(stmt, [{"organization_id": o, key: v} for o, v in used])


async def relax_commit(session: AsyncSession) -> None:
    """PostgreSQL: let this transaction commit without waiting for its WAL flush. A crash
    may then lose the last fraction of a second of upkeep, claim and counts together
    (the database stays consistent), and those calls are uncounted again, which is what
    ``sweep_uncounted`` finds and counts. For the upkeep's own transactions only, never
    one that holds other work."""
    if await _dialect(session) == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))


async def count_call(session: AsyncSession, org_id: str, call_id: str) -> bool:
    """Add an ended call to the call rollups unless it is there already (``count_calls``
    of one); False when it was counted before (or concurrently) or has not ended."""
    return bool(await count_calls(session, org_id, [call_id]))


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """Claims for many calls, returning those taken now (an executemany with RETURNING:
    SQLAlchemy sends it as multi-row INSERTs, compiled once rather than per batch)."""
    return (
        insert_on_conflict(dialect)(CountedCall.__table__)
        .on_conflict_do_nothing(index_elements=["call_id"])
        .returning(CountedCall.__table__.c.call_id)
    )


async def count_calls(session: AsyncSession, org_id: str, call_ids: Sequence[str]) -> list[str]:
    """Add a batch of the organisation's ended calls to the call rollups, each unless it
    is there already: one read of the calls with their changes, one claim insert, one
    upsert per rollup table. Returns the ids counted now (not those counted before, or
    concurrently, nor those that have not ended)."""
    facts = {r.id: call_fact(r) for r in await sources.find_ended_calls(session, org_id, call_ids)}
    if not facts:
        return []
    claims = [
        {"call_id": c, "organization_id": org_id, "interval_start": f.key.interval_start}
        for c, f in sorted(facts.items())  # one lock order for every node's batches
    ]
    claimed = list(await session.scalars(_claim_statement(await _dialect(session)), claims))
    await add_cells(session, fold_facts(facts[c] for c in claimed))
    return claimed


def state_rows(
    org_id: str,
    cells: Mapping[StateCell, float],
    logins: Mapping[StateCell, tuple[int, int]] | None = None,
) -> list[tuple[type[AgentStateInterval] | type[AgentStateHour], list[dict[str, Any]]]]:
    """The rows of both state rollups for 15-minute ``cells`` of seconds and of
    (logins, logouts) (``agent_time``); hours are their sums."""
    counts = logins or {}
    quarters: dict[StateCell, tuple[float, int, int]] = {
        c: (seconds, 0, 0) for c, seconds in cells.items() if seconds > 0
    }
    for c, (ins, outs) in counts.items():
        quarters[c] = (quarters.get(c, (0.0, 0, 0))[0], ins, outs)
    hours: dict[StateCell, tuple[float, int, int]] = {}
    for c, (seconds, ins, outs) in quarters.items():
        hour = StateCell(hour_of(c.interval_start), c.agent_id, c.state, c.reason)
        was = hours.get(hour, (0.0, 0, 0))
        hours[hour] = (was[0] + seconds, was[1] + ins, was[2] + outs)
    return [
        (
            table,
            [
                {
                    "organization_id": org_id,
                    "interval_start": c.interval_start,
                    "agent_id": c.agent_id,
                    "state": c.state,
                    "reason": c.reason,
                    "seconds": seconds,
                    "logins": ins,
                    "logouts": outs,
                }
                for c, (seconds, ins, outs) in found.items()
            ],
        )
        for table, found in ((AgentStateInterval, quarters), (AgentStateHour, hours))
    ]


async def _write_state_cells(
    session: AsyncSession, org_id: str, history: list[Any], lo: datetime, hi: datetime
) -> None:
    cells, logins = state_cells(history, lo, hi), login_cells(history, lo, hi)
    for table, rows in state_rows(org_id, cells, logins):
        if rows:
            await session.execute(insert(table), rows)


async def recount_agent(
    session: AsyncSession, org_id: str, user_id: str, start: datetime, end: datetime
) -> None:
    """Recompute one agent's state time, logins and logouts in the hours covering
    ``[start, end]``: the hour of ``end`` too, so a login at ``end`` counts at once."""
    lo, hi = hour_of(start), hour_of(end) + HOUR  # whole hours: the hourly rows are rewritten
    for table in (AgentStateInterval, AgentStateHour):
        await session.execute(
            delete(table).where(
                table.organization_id == org_id,
                table.agent_id == user_id,
                table.interval_start >= lo,
                table.interval_start < hi,
            )
        )
    history = await sources.state_history(session, org_id, lo, hi, user_id)
    await _write_state_cells(session, org_id, history, lo, hi)


async def opened_before(
    session: AsyncSession, org_id: str, user_id: str, at: datetime
) -> datetime | None:
    """When the state that a change at ``at`` closed began: the agent's previous change."""
    rows = await sources.state_history(session, org_id, at, at, user_id)
    return min((r.at for r in rows if r.at < at), default=None)


async def rebuild(session: AsyncSession, org_id: str, start: datetime, end: datetime) -> int:
    """Recompute every rollup for the hours covering ``[start, end)`` from raw records;
    returns the number of calls counted."""
    lo, hi = hour_of(start), ceil_hour(end)  # whole hours: the hourly rows are rewritten
    tables: list[Any] = [r.table for r in CALL_ROLLUPS]
    for table in (*tables, AgentStateInterval, AgentStateHour, CountedCall):
        await session.execute(
            delete(table).where(
                table.organization_id == org_id,
                table.interval_start >= lo,
                table.interval_start < hi,
            )
        )
    records = await sources.ended_between(session, org_id, lo, hi)
    if records:
        await session.execute(
            insert(CountedCall),
            [
                {
                    "call_id": r.id,
                    "organization_id": org_id,
                    "interval_start": interval_of(r.ended_at),
                }
                for r in records
            ],
        )
    await add_cells(session, fold_facts(call_fact(r) for r in records))
    history = await sources.state_history(session, org_id, lo, hi)
    await _write_state_cells(session, org_id, history, lo, hi)
    return len(records)


async def sweep_uncounted(session: AsyncSession, org_id: str, since: datetime) -> int:
    """Count every call of the organisation that ended from ``since`` on and has no
    claim in ``report_counted_calls`` (its ``CallEnded`` was lost: a crash between the
    call's commit and the upkeep's); returns how many were counted. Safe to run beside
    live upkeep and on several nodes: each call is still claimed once.

    A batch is committed before the next is counted (the caller commits the last):
    holding one batch's claims and rollup rows while the next waited on a live batch
    (which takes its own in sorted order) deadlocked."""
    missing = await sources.uncounted_calls(session, org_id, since)
    counted = 0
    for i in range(0, len(missing), SWEEP_BATCH):
        if i:
            await session.commit()
        counted += len(await count_calls(session, org_id, missing[i : i + SWEEP_BATCH]))
    return counted

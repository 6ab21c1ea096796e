"""Keeping the rollups: add an ended call once, recompute an agent's state time over the
intervals a change touched, rebuild a range from raw records. The caller commits.

Idempotent by construction: a call is added together with its claim in
``report_counted_calls`` (INSERT ... ON CONFLICT DO NOTHING: a second try, here or on
another node, finds the key taken and adds nothing), and agent state time is recomputed
from history rather than added to, so a late, repeated or lost event is put right by the
next change or a rebuild. A rebuild is meant for intervals no call is ending in now: a
call counted live between its delete and its insert would stop it on the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.reporting import sources
from omnivox.reporting.agent_time import StateCell, state_cells
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS, CellKey, call_fact, merge
from omnivox.reporting.intervals import ceil_interval, interval_of
from omnivox.reporting.models import AgentStateInterval, CallInterval, CountedCall

_KEY = ("organization_id", "interval_start", "queue_id", "campaign_id", "agent_id", "disposition")


def _key_values(key: CellKey) -> dict[str, Any]:
    return {name: getattr(key, name) for name in _KEY}


async def _insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT (both have ON CONFLICT)."""
    dialect = (await session.connection()).dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def _add_call_cells(session: AsyncSession, cells: Mapping[CellKey, dict[str, float]]) -> None:
    """Add counters to their cells, creating the cells that do not exist yet."""
    if not cells:
        return
    rows = [_key_values(key) | values for key, values in cells.items()]
    dialect = (await session.connection()).dialect.name
    stmt = (await _insert_for(session))(CallInterval)
    table = CallInterval.__table__.c
    larger = func.greatest if dialect == "postgresql" else func.max
    update: dict[str, Any] = {c: table[c] + stmt.excluded[c] for c in SUM_COLUMNS}
    update |= {c: larger(table[c], stmt.excluded[c]) for c in MAX_COLUMNS}
    await session.execute(stmt.on_conflict_do_update(index_elements=_KEY, set_=update), rows)


async def count_call(session: AsyncSession, org_id: str, call_id: str) -> bool:
    """Add an ended call to the call rollup unless it is there already; False when it was
    counted before (or concurrently) or has not ended."""
    record = await sources.find_ended_call(session, org_id, call_id)
    if record is None:
        return False
    fact = call_fact(record)
    build = await _insert_for(session)
    claimed = await session.scalar(
        build(CountedCall)
        .values(call_id=call_id, organization_id=org_id, interval_start=fact.key.interval_start)
        .on_conflict_do_nothing(index_elements=["call_id"])
        .returning(CountedCall.call_id)
    )
    if claimed is None:
        return False  # counted already: the key kept the second count out
    await _add_call_cells(session, {fact.key: fact.values})
    return True


async def _write_state_cells(
    session: AsyncSession, org_id: str, cells: Mapping[StateCell, float]
) -> None:
    rows = [
        {
            "organization_id": org_id,
            "interval_start": c.interval_start,
            "agent_id": c.agent_id,
            "state": c.state,
            "reason": c.reason,
            "seconds": seconds,
        }
        for c, seconds in cells.items()
        if seconds > 0
    ]
    if rows:
        await session.execute(insert(AgentStateInterval), rows)


async def recount_agent(
    session: AsyncSession, org_id: str, user_id: str, start: datetime, end: datetime
) -> None:
    """Recompute one agent's state time in the intervals covering ``[start, end)``."""
    lo, hi = interval_of(start), ceil_interval(end)
    await session.execute(
        delete(AgentStateInterval).where(
            AgentStateInterval.organization_id == org_id,
            AgentStateInterval.agent_id == user_id,
            AgentStateInterval.interval_start >= lo,
            AgentStateInterval.interval_start < hi,
        )
    )
    history = await sources.state_history(session, org_id, lo, hi, user_id)
    await _write_state_cells(session, org_id, state_cells(history, lo, hi))


async def opened_before(
    session: AsyncSession, org_id: str, user_id: str, at: datetime
) -> datetime | None:
    """When the state that a change at ``at`` closed began: the agent's previous change."""
    rows = await sources.state_history(session, org_id, at, at, user_id)
    return min((r.at for r in rows if r.at < at), default=None)


async def rebuild(session: AsyncSession, org_id: str, start: datetime, end: datetime) -> int:
    """Recompute both rollups for the intervals covering ``[start, end)`` from raw
    records; returns the number of calls counted."""
    lo, hi = interval_of(start), ceil_interval(end)
    for table in (CallInterval, AgentStateInterval, CountedCall):
        await session.execute(
            delete(table).where(
                table.organization_id == org_id,
                table.interval_start >= lo,
                table.interval_start < hi,
            )
        )
    records = await sources.ended_between(session, org_id, lo, hi)
    cells: dict[CellKey, dict[str, float]] = {}
    for record in records:
        fact = call_fact(record)
        merge(cells.setdefault(fact.key, {}), fact.values)
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
    await _add_call_cells(session, cells)
    history = await sources.state_history(session, org_id, lo, hi)
    await _write_state_cells(session, org_id, state_cells(history, lo, hi))
    return len(records)

"""The one query path behind every report, template, export and page: metrics x
dimensions x filters over a range of local dates, read from the rollups only.

Each rollup is read grouped by interval (and, for calls, by queue, whose service-level
target decides which wait bucket counts), then folded into the requested time periods of
the organisation's zone and the requested dimensions, and each metric's catalogue formula
is applied to the folded totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import get_organization
from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput
from omnivox.reporting.access import check_agent_filter
from omnivox.reporting.catalogue import SHORT_ABANDONED, WITHIN_TARGET, Metric, Source, Unit
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS
from omnivox.reporting.intervals import WAIT_BUCKETS, as_utc, bucket_column
from omnivox.reporting.models import AgentStateInterval, CallInterval
from omnivox.reporting.names import Names, load_names, resolve_filters
from omnivox.reporting.request import (
    CALL_DIMENSIONS,
    Plan,
    ReportRequest,
    check_request,
)

_ENTITY_DIMENSIONS = ("agent", "queue", "campaign")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class ReportResult:
    """Rows as ``{column: value}``; the columns in order (period, dimensions, metrics)."""

    columns: list[str]
    rows: list[dict[str, Any]]


def local_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of local midnight on ``start`` and after ``end``."""
    try:
        lo = datetime.combine(start, time(), tz)
        hi = datetime.combine(end + timedelta(days=1), time(), tz)
        return as_utc(lo), as_utc(hi)
    except OverflowError:  # the first or last day the calendar holds
        raise InvalidInput.on("to", f"{start}..{end} reaches past the dates we can hold") from None


def period_of(at: datetime, tz: ZoneInfo, granularity: str) -> datetime:
    """The start, in local time, of the period of ``granularity`` holding ``at``."""
    local = as_utc(at).astimezone(tz)
    if granularity == "15m":
        return local
    if granularity == "hour":
        return local.replace(minute=0)
    day = datetime.combine(local.date(), time(), tz)
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if granularity == "month" else day


def _target_bucket(seconds: float | None) -> str | None:
    """The wait bucket a queue's service-level target is counted at: the largest not
    above it (None when the target is below the smallest bucket)."""
    fitting = [b for b in WAIT_BUCKETS if seconds is not None and b <= seconds]
    return bucket_column("answered", fitting[-1]) if fitting else None


class _Folder:
    """Totals per output key (period, dimension values)."""

    def __init__(self, plan: Plan, tz: ZoneInfo) -> None:
        self.plan, self.tz = plan, tz
        self.totals: dict[Key, dict[str, float]] = {}

    def key(self, interval_start: datetime | None, dims: Mapping[str, str]) -> Key:
        period = (
            period_of(interval_start, self.tz, self.plan.granularity)
            if self.plan.granularity and interval_start is not None
            else None
        )
        return (period, *(dims[d] for d in self.plan.dimensions))

    def add(self, key: Key, values: Mapping[str, float]) -> None:
        into = self.totals.setdefault(key, {})
        for name, value in values.items():
            if name in MAX_COLUMNS:
                into[name] = max(into.get(name, 0.0), value)
            else:
                into[name] = into.get(name, 0.0) + value


Scope = tuple[tuple[datetime, datetime], frozenset[str] | None]


async def _fold_calls(
    session: AsyncSession,
    org_id: str,
    scope: Scope,
    filters: Mapping[str, str],
    names: Names,
    folder: _Folder,
    short_abandon: int,
) -> None:
    table = CallInterval.__table__.c
    bounds, agents = scope
    dims = [d for d in folder.plan.dimensions if d != "queue"]
    # Split by interval only when periods are asked for: a whole range folds far fewer rows.
    timed = [table.interval_start] if folder.plan.granularity else []
    group = [*timed, table.queue_id, *(table[CALL_DIMENSIONS[d]] for d in dims)]
    short = bucket_column("abandoned", short_abandon)
    sums, maxima = _needed_columns(folder.plan, names, short)
    stmt = (
        select(
            *group,
            *(func.sum(table[c]).label(c) for c in sums),
            *(func.max(table[c]).label(c) for c in maxima),
        )
        .where(
            table.organization_id == org_id,
            table.interval_start >= bounds[0],
            table.interval_start < bounds[1],
            *(table[CALL_DIMENSIONS[k]] == v for k, v in filters.items()),
            *([] if agents is None else [table.agent_id.in_(agents)]),
        )
        .group_by(*group)
    )
    for row in await session.execute(stmt):
        values = _call_values(row, (*sums, *maxima), names, short)
        dim_values = {d: row._mapping[CALL_DIMENSIONS[d]] for d in folder.plan.dimensions}
        folder.add(folder.key(row._mapping.get("interval_start"), dim_values), values)


def _needed_columns(plan: Plan, names: Names, short: str) -> tuple[list[str], list[str]]:
    """The rollup columns the plan's formulas read, directly or through the totals the
    engine derives per queue (within target, short abandons, queued calls)."""
    wanted: set[str] = set().union(*(m.totals for m in plan.metrics))
    if WITHIN_TARGET in wanted:
        wanted |= {b for b in map(_target_bucket, names.targets.values()) if b}
    if SHORT_ABANDONED in wanted:
        wanted.add(short)
    if wanted & {"queue_offered", "queue_handled"}:
        wanted |= {"inbound_offered", "inbound_handled"}
    return [c for c in SUM_COLUMNS if c in wanted], [c for c in MAX_COLUMNS if c in wanted]


def _call_values(
    row: Row[Any], columns: tuple[str, ...], names: Names, short: str
) -> dict[str, float]:
    m = row._mapping
    values = {c: float(m[c] or 0) for c in columns}
    values[SHORT_ABANDONED] = values.get(short, 0.0)
    bucket = _target_bucket(names.targets.get(m["queue_id"])) if m["queue_id"] else None
    values[WITHIN_TARGET] = values.get(bucket, 0.0) if bucket else 0.0
    queued = 1.0 if m["queue_id"] else 0.0
    values["queue_offered"] = values.get("inbound_offered", 0.0) * queued
    values["queue_handled"] = values.get("inbound_handled", 0.0) * queued
    return values


async def _fold_states(
    session: AsyncSession,
    org_id: str,
    scope: Scope,
    filters: Mapping[str, str],
    folder: _Folder,
) -> None:
    t = AgentStateInterval
    bounds, agents = scope
    timed = [t.interval_start] if folder.plan.granularity else []
    split = [
        c
        for d, c in (("agent", t.agent_id), ("break_reason", t.reason))
        if d in folder.plan.dimensions
    ]
    group = [*timed, t.state, *split]
    stmt = (
        select(*group, func.sum(t.seconds).label("seconds"))
        .where(
            t.organization_id == org_id,
            t.interval_start >= bounds[0],
            t.interval_start < bounds[1],
            *((t.agent_id == v) for k, v in filters.items() if k == "agent"),
            *([] if agents is None else [t.agent_id.in_(agents)]),
        )
        .group_by(*group)
    )
    for row in await session.execute(stmt):
        m = row._mapping
        dims = {"agent": m.get("agent_id", ""), "break_reason": m.get("reason", "")}
        seconds = float(m["seconds"] or 0)
        folder.add(folder.key(m.get("interval_start"), dims), {f"state:{m['state']}": seconds})


def _format(metric: Metric, value: float | None) -> float | int | None:
    if value is None:
        return None
    if metric.unit is Unit.COUNT:
        return round(value)
    return round(value, 1 if metric.unit is Unit.SECONDS else 2)


def _period_text(period: datetime, granularity: str) -> str:
    return period.isoformat() if granularity in ("15m", "hour") else period.date().isoformat()


def _rows(plan: Plan, folder: _Folder, names: Names) -> ReportResult:
    columns = ["period"] if plan.granularity else []
    for d in plan.dimensions:
        columns += [d, f"{d}_id"] if d in _ENTITY_DIMENSIONS else [d]
    columns += [m.name for m in plan.metrics]
    if not plan.dimensions and not plan.granularity and not folder.totals:
        folder.totals[(None,)] = {}  # totals of nothing are zeros, not an empty report
    rows = []
    for key in sorted(folder.totals, key=lambda k: tuple("" if v is None else v for v in k)):
        totals = folder.totals[key]
        row: dict[str, Any] = {}
        if plan.granularity:
            row["period"] = _period_text(key[0], plan.granularity)
        for dim, value in zip(plan.dimensions, key[1:], strict=True):
            if dim in _ENTITY_DIMENSIONS:
                row[dim] = names.label(dim, value) if value else None
                row[f"{dim}_id"] = value or None
            else:
                row[dim] = value or None
        for metric in plan.metrics:
            row[metric.name] = _format(metric, metric.compute(totals))
        rows.append(row)
    return ReportResult(columns, rows)


async def run_report(
    session: AsyncSession,
    org_id: str,
    request: ReportRequest,
    settings: Settings,
    agents: frozenset[str] | None = None,
) -> ReportResult:
    """Check ``request`` and compute it for the organisation from the rollups; ``agents``
    narrows every figure to those agents' (see ``access``)."""
    plan = check_request(request, settings.report_max_days)
    org = await get_organization(session, org_id)
    tz = ZoneInfo(org.timezone)
    filters = await resolve_filters(session, org_id, plan.filters)
    check_agent_filter(agents, filters)
    names = await load_names(session, org_id)
    bounds = local_bounds(plan.start, plan.end, tz)
    folder = _Folder(plan, tz)
    if Source.CALLS in plan.sources:
        short = settings.report_short_abandon_seconds
        await _fold_calls(session, org_id, (bounds, agents), filters, names, folder, short)
    if Source.AGENT_STATES in plan.sources:
        await _fold_states(session, org_id, (bounds, agents), filters, folder)
    return _rows(plan, folder, names)

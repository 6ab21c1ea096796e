"""The one query path behind every report, template, export and page: metrics x
dimensions x filters over a range of local dates, read from the rollups only.

Each rollup is read grouped by interval (and, for calls, by queue when a figure needs
the queue's service-level target or its queued calls), then folded into the requested
time periods of the organisation's zone and the requested dimensions, and each metric's
catalogue formula is applied to the folded totals.

Which table: the coarsest that answers exactly. A call rollup qualifies when it keeps
every key the request splits, filters or narrows by; of those, the hourly one answers
the UTC hours whose four quarters all fall in one requested period (every hour of the
range, for a zone a whole number of hours from UTC), and the 15-minute one the rest
(the range's edges or, in a zone a quarter or half hour off, the hours a period boundary
cuts). The hourly tables hold the same counters summed, so the figures are the same.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Interval,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import MINOR_DIGITS, get_organization
from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput
from omnivox.reporting.access import check_agent_filter, narrow_to_team
from omnivox.reporting.catalogue import SHORT_ABANDONED, WITHIN_TARGET, Metric, Source, Unit
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS
from omnivox.reporting.intervals import (
    HOUR,
    INTERVAL,
    WAIT_BUCKETS,
    as_utc,
    bucket_column,
    ceil_hour,
    hour_of,
)
from omnivox.reporting.models import (
    CALL_ROLLUPS,
    AgentStateHour,
    AgentStateInterval,
    CallRollup,
)
from omnivox.reporting.names import NO_TEAM, Names, load_names, resolve_filters
from omnivox.reporting.request import (
    CALL_DIMENSIONS,
    FOLDED,
    STATE_DIMENSIONS,
    Plan,
    ReportRequest,
    check_request,
)

_ENTITY_DIMENSIONS = ("agent", "team", "queue", "campaign", "number")
#: Agent-state counts (``agent_time.login_cells``) beside the seconds per state.
_STATE_COUNTS = ("logins", "logouts")
_MAXIMA = frozenset(MAX_COLUMNS)
#: Periods the database groups rows into, by each row's local date.
_SQL_PERIODS = frozenset({"day", "week", "month"})
_QUEUE_TOTALS = frozenset({WITHIN_TARGET, "queue_offered", "queue_handled"})
#: Beyond this many separate stretches of whole hours (a zone a half hour off, split by
#: day over a long range), one read of the 15-minute rows is simpler than many ranges.
_MAX_HOUR_RANGES = 64
Key = tuple[Any, ...]
Ranges = list[tuple[datetime, datetime]]


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


def offsets(tz: ZoneInfo, ranges: Ranges) -> list[tuple[datetime | None, timedelta]]:
    """The zone's UTC offset over ``ranges`` as (until, offset) stretches: each offset
    holds before its ``until``, the last (until None) to the end."""
    lo, hi = min(a for a, _ in ranges), max(b for _, b in ranges)

    def offset(at: datetime) -> timedelta:
        return at.astimezone(tz).utcoffset() or timedelta()

    out: list[tuple[datetime | None, timedelta]] = []
    at, current = lo, offset(lo)
    while at < hi:
        step = min(at + timedelta(days=1), hi)
        if offset(step) != current:
            # A change within the day: bisect to the minute (changes fall on one).
            a, b = at, step
            while b - a > timedelta(minutes=1):
                mid = a + (b - a) / 2
                a, b = (mid, b) if offset(mid) == current else (a, mid)
            b = b.replace(second=0, microsecond=0)
            out.append((b, current))
            current = offset(b)
        at = step
    out.append((None, current))
    return out


def local_date(
    column: Any, dialect: str, stretches: list[tuple[datetime | None, timedelta]]
) -> ColumnElement[Any]:
    """A UTC instant's local date in SQL from the zone's offsets over the range: one
    comparison and a fixed shift per row rather than a time zone lookup."""
    if dialect == "postgresql":
        shifts = [(u, literal(o, Interval())) for u, o in stretches]
        shift = _by_stretch(column, shifts)
        return cast(func.timezone("UTC", column) + shift, Date)
    modifiers = [(u, literal(f"{int(o.total_seconds())} seconds")) for u, o in stretches]
    return func.date(column, _by_stretch(column, modifiers))


def _by_stretch(column: Any, values: list[tuple[datetime | None, Any]]) -> Any:
    if len(values) == 1:
        return values[0][1]
    return case(*((column < u, v) for u, v in values[:-1]), else_=values[-1][1])


def _period_of_day(day: date | str, tz: ZoneInfo, granularity: str | None) -> datetime:
    """The local period (day, week from Monday, month) holding a local date (SQLite
    gives it as text)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    if granularity == "week":
        d -= timedelta(days=d.weekday())
    elif granularity == "month":
        d = d.replace(day=1)
    return datetime.combine(d, time(), tz)


@functools.cache
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
        # Many rows share an interval or a local date: its period is worked out once.
        self._periods: dict[datetime, datetime] = {}
        self._days: dict[Any, datetime] = {}

    def timed(self, column: Any, dialect: str, ranges: Ranges) -> list[Any]:
        """What to group rows by in time: nothing for a whole range; for days, weeks
        and months each row's local date, so a long range comes back as one row per
        day rather than per interval; else the interval."""
        g = self.plan.granularity
        if not g:
            return []
        if g in _SQL_PERIODS:
            return [local_date(column, dialect, offsets(self.tz, ranges)).label("local_day")]
        return [column]

    def key_of(self, m: Mapping[Any, Any], dims: Mapping[str, str]) -> Key:
        """The output key of a row grouped by ``timed``."""
        g = self.plan.granularity
        if g in _SQL_PERIODS:
            day = m["local_day"]
            period = self._days.get(day)
            if period is None:
                period = self._days[day] = _period_of_day(day, self.tz, g)
            return (period, *(dims[d] for d in self.plan.dimensions))
        return self.key(m["interval_start"] if g else None, dims)

    def key(self, interval_start: datetime | None, dims: Mapping[str, str]) -> Key:
        period = None
        if self.plan.granularity and interval_start is not None:
            period = self._periods.get(interval_start)
            if period is None:
                period = period_of(interval_start, self.tz, self.plan.granularity)
                self._periods[interval_start] = period
        return (period, *(dims[d] for d in self.plan.dimensions))

    def add(self, key: Key, values: Mapping[str, float]) -> None:
        into = self.totals.get(key)
        if into is None:  # most keys arrive once when SQL grouped by the output's own
            self.totals[key] = dict(values)  # a copy: one row can fold into several teams
            return
        for name, value in values.items():
            if name in _MAXIMA:
                into[name] = max(into.get(name, 0.0), value)
            else:
                into[name] = into.get(name, 0.0) + value


Scope = tuple[tuple[datetime, datetime], frozenset[str] | None]


def hour_ranges(bounds: tuple[datetime, datetime], tz: ZoneInfo, granularity: str | None) -> Ranges:
    """The stretches of whole UTC hours within ``bounds`` that hourly rows answer
    exactly: each hour's four quarters fall in one period of ``granularity``."""
    lo, hi = ceil_hour(bounds[0]), hour_of(bounds[1])
    if granularity == "15m" or lo >= hi:
        return []
    if granularity is None:
        return [(lo, hi)]
    ranges: Ranges = []
    at = lo
    while at < hi:
        if period_of(at, tz, granularity) == period_of(at + HOUR - INTERVAL, tz, granularity):
            if ranges and ranges[-1][1] == at:
                ranges[-1] = (ranges[-1][0], at + HOUR)
            else:
                ranges.append((at, at + HOUR))
        at += HOUR
    return ranges if len(ranges) <= _MAX_HOUR_RANGES else []


def _rest(bounds: tuple[datetime, datetime], taken: Ranges) -> Ranges:
    """What of ``bounds`` the ranges ``taken`` (ordered, inside it) leave."""
    out: Ranges = []
    cursor = bounds[0]
    for a, b in taken:
        if cursor < a:
            out.append((cursor, a))
        cursor = b
    if cursor < bounds[1]:
        out.append((cursor, bounds[1]))
    return out


def _within(column: Any, ranges: Ranges) -> ColumnElement[bool]:
    return or_(*(and_(column >= a, column < b) for a, b in ranges))


def _call_rollup(grain: Any, needed: set[str]) -> CallRollup | None:
    """The call rollup of ``grain`` with the fewest keys that keeps ``needed``."""
    fitting = [r for r in CALL_ROLLUPS if r.grain == grain and needed <= set(r.keys)]
    return min(fitting, key=lambda r: len(r.keys), default=None)


def _call_reads(
    plan: Plan, bounds: tuple[datetime, datetime], tz: ZoneInfo, needed: set[str]
) -> list[tuple[CallRollup, Ranges]]:
    """Which call rollups to read over which UTC ranges."""
    fine = _call_rollup(INTERVAL, needed)
    assert fine is not None, "the finest rollup keeps every key"
    hourly = _call_rollup(HOUR, needed)
    hours = hour_ranges(bounds, tz, plan.granularity) if hourly is not None else []
    if hourly is None or not hours:
        return [(fine, [bounds])]
    rest = _rest(bounds, hours)
    return [(hourly, hours), *([(fine, rest)] if rest else [])]


async def _fold_calls(
    session: AsyncSession,
    org_id: str,
    scope: Scope,
    filters: Mapping[str, str],
    names: Names,
    folder: _Folder,
    short_abandon: int,
) -> None:
    bounds, agents = scope
    short = bucket_column("abandoned", short_abandon)
    sums, maxima = _needed_columns(folder.plan, names, short)
    wanted = set().union(*(m.totals for m in folder.plan.metrics))
    # The queue splits the figures only when its target or queued calls are needed.
    by_queue = bool(wanted & _QUEUE_TOTALS) or "queue" in folder.plan.dimensions
    keys = ["queue_id"] if by_queue else []
    keys += [CALL_DIMENSIONS[d] for d in folder.plan.dimensions if d != "queue"]
    keys = list(dict.fromkeys(keys))  # a team reads the agent column, as the agent does
    needed = set(keys) | {CALL_DIMENSIONS[k] for k in filters}
    if agents is not None:
        needed.add("agent_id")
    dialect = (await session.connection()).dialect.name
    for rollup, ranges in _call_reads(folder.plan, bounds, folder.tz, needed):
        table: Table = rollup.table.__table__  # type: ignore[assignment]
        # Split by interval only when periods are asked for: a range folds fewer rows.
        timed = folder.timed(table.c.interval_start, dialect, ranges)
        group = [*timed, *(table.c[k] for k in keys)]
        stmt = (
            select(
                *group,
                *(func.sum(table.c[c]).label(c) for c in sums),
                *(func.max(table.c[c]).label(c) for c in maxima),
            )
            .where(
                table.c.organization_id == org_id,
                _within(table.c.interval_start, ranges),
                *(table.c[CALL_DIMENSIONS[k]] == v for k, v in filters.items()),
                *([] if agents is None else [table.c.agent_id.in_(agents)]),
            )
            .group_by(*group)
        )
        counters = (*sums, *maxima)
        first = len(group)  # the counters follow the grouping columns
        for row in await session.execute(stmt):
            m = row._mapping
            values = _call_values(m, dict(zip(counters, row[first:], strict=True)), names, short)
            dim_values = {d: m[CALL_DIMENSIONS[d]] for d in folder.plan.dimensions}
            for dims in _fold_teams(dim_values, names):
                folder.add(folder.key_of(m, dims), values)


def _fold_teams(dims: dict[str, str], names: Names) -> list[dict[str, str]]:
    """The row's dimension values once per team its agent belongs to (``team`` holds the
    agent's id until here); one row with no team for an agent in none or no agent."""
    if not FOLDED & dims.keys():
        return [dims]
    return [dims | {"team": team} for team in names.teams_of(dims["team"])]


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
    m: Mapping[Any, Any], summed: dict[str, Any], names: Names, short: str
) -> dict[str, float]:
    """A row's counters (``summed``, taken over) with the totals derived per queue."""
    values = summed
    for c, v in values.items():
        if v is None or v.__class__ is not float:
            values[c] = float(v or 0)
    values[SHORT_ABANDONED] = values.get(short, 0.0)
    queue = m.get("queue_id") or ""  # absent when no figure asked needs the queue
    bucket = _target_bucket(names.targets.get(queue)) if queue else None
    values[WITHIN_TARGET] = values.get(bucket, 0.0) if bucket else 0.0
    queued = 1.0 if queue else 0.0
    values["queue_offered"] = values.get("inbound_offered", 0.0) * queued
    values["queue_handled"] = values.get("inbound_handled", 0.0) * queued
    return values


async def _fold_states(
    session: AsyncSession,
    org_id: str,
    scope: Scope,
    filters: Mapping[str, str],
    names: Names,
    folder: _Folder,
) -> None:
    bounds, agents = scope
    hours = hour_ranges(bounds, folder.tz, folder.plan.granularity)
    reads: list[tuple[type[AgentStateInterval] | type[AgentStateHour], Ranges]] = [
        (AgentStateHour, hours),
        (AgentStateInterval, _rest(bounds, hours)),
    ]
    wanted = set().union(*(m.totals for m in folder.plan.metrics))
    counts = [c for c in _STATE_COUNTS if c in wanted]
    # Only the cells holding what is asked: time, or logins and logouts alone.
    timed_too = any(w.startswith("state:") for w in wanted) or not counts
    dialect = (await session.connection()).dialect.name
    for t, ranges in reads:
        if not ranges:
            continue
        timed = folder.timed(t.interval_start, dialect, ranges)
        columns = dict.fromkeys(STATE_DIMENSIONS[d] for d in folder.plan.dimensions)
        split = [getattr(t, c) for c in columns]
        group = [*timed, t.state, *split]
        stmt = (
            select(
                *group,
                func.sum(t.seconds).label("seconds"),
                *(func.sum(getattr(t, c)).label(c) for c in counts),
            )
            .where(
                t.organization_id == org_id,
                _within(t.interval_start, ranges),
                *((t.agent_id == v) for k, v in filters.items() if k == "agent"),
                *([] if agents is None else [t.agent_id.in_(agents)]),
                or_(*([t.seconds > 0] if timed_too else []), *(getattr(t, c) > 0 for c in counts)),
            )
            .group_by(*group)
        )
        for row in await session.execute(stmt):
            m = row._mapping
            agent = m.get("agent_id", "")
            dim_values = {"agent": agent, "team": agent, "break_reason": m.get("reason", "")}
            values = {f"state:{m['state']}": float(m["seconds"] or 0)}
            values |= {c: float(m[c] or 0) for c in counts}
            for dims in _fold_teams(dim_values, names):
                folder.add(folder.key_of(m, dims), values)


def _teams_within(
    teams: Mapping[str, tuple[str, ...]], scope: frozenset[str]
) -> dict[str, tuple[str, ...]]:
    """Each agent's teams, keeping only those whose members are all in ``scope`` (as
    ``narrow_to_team`` allows a team filter): a team with someone outside it would show
    only its in-scope part under the whole team's name."""
    members: dict[str, set[str]] = {}
    for agent, of in teams.items():
        for t in of:
            members.setdefault(t, set()).add(agent)
    inside = {t for t, who in members.items() if who <= scope}
    return {a: kept for a, of in teams.items() if (kept := tuple(t for t in of if t in inside))}


def _format(metric: Metric, value: float | None, currency_digits: int = 2) -> float | int | None:
    """A figure as shown: counts whole, seconds to a tenth, money to the currency's minor
    unit (3 decimals for KWD, none for JPY), the rest to two decimals."""
    if value is None:
        return None
    if metric.unit is Unit.COUNT:
        return round(value)
    if metric.unit is Unit.CURRENCY:
        return round(value, currency_digits)
    return round(value, 1 if metric.unit is Unit.SECONDS else 2)


def _period_text(period: datetime, granularity: str) -> str:
    return period.isoformat() if granularity in ("15m", "hour") else period.date().isoformat()


def _order(plan: Plan, names: Names, key: Key) -> tuple[Any, ...]:
    """Where a row goes: by period, then each dimension's value; teams by name (their ids
    mean nothing to a reader), "(no team)" first as every dimension's "none"."""
    out: list[Any] = ["" if key[0] is None else key[0]]
    for dim, value in zip(plan.dimensions, key[1:], strict=True):
        if dim == "team":
            label = names.label(dim, value) if value else ""
            out.append((label.casefold(), label, value))
        else:
            out.append("" if value is None else value)
    return tuple(out)


def _rows(plan: Plan, folder: _Folder, names: Names, currency_digits: int = 2) -> ReportResult:
    columns = ["period"] if plan.granularity else []
    for d in plan.dimensions:
        columns += [d, f"{d}_id"] if d in _ENTITY_DIMENSIONS else [d]
    columns += [m.name for m in plan.metrics]
    if not plan.dimensions and not plan.granularity and not folder.totals:
        folder.totals[(None,)] = {}  # totals of nothing are zeros, not an empty report
    rows = []
    texts: dict[datetime, str] = {}  # many rows share a period
    for key in sorted(folder.totals, key=functools.partial(_order, plan, names)):
        totals = folder.totals[key]
        row: dict[str, Any] = {}
        if plan.granularity:
            text = texts.get(key[0])
            if text is None:
                text = texts[key[0]] = _period_text(key[0], plan.granularity)
            row["period"] = text
        for dim, value in zip(plan.dimensions, key[1:], strict=True):
            if dim in _ENTITY_DIMENSIONS:
                none = NO_TEAM if dim == "team" else None
                row[dim] = names.label(dim, value) if value else none
                row[f"{dim}_id"] = value or None
            else:
                row[dim] = value or None
        for metric in plan.metrics:
            row[metric.name] = _format(metric, metric.compute(totals), currency_digits)
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
    team = filters.get("team")
    filters, agents = await narrow_to_team(session, org_id, agents, filters)
    names = await load_names(session, org_id, plan.dimensions)
    if team is not None:  # split by team too: the team asked for, not its agents' others
        names = replace(names, teams={a: (team,) for a, t in names.teams.items() if team in t})
    elif agents is not None and "team" in plan.dimensions:
        names = replace(names, teams=_teams_within(names.teams, agents))
    bounds = local_bounds(plan.start, plan.end, tz)
    folder = _Folder(plan, tz)
    if Source.CALLS in plan.sources:
        short = settings.report_short_abandon_seconds
        await _fold_calls(session, org_id, (bounds, agents), filters, names, folder, short)
    if Source.AGENT_STATES in plan.sources:
        await _fold_states(session, org_id, (bounds, agents), filters, names, folder)
    return _rows(plan, folder, names, MINOR_DIGITS.get(org.currency, 2))

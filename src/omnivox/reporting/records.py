"""Call detail records: the calls behind a report's figures, read from the call table
(telephony's surface) in pages keyed by (end, id), never the whole result at once.

A call belongs to the period in which it ended, as the rollups count it, and its wait,
talk and outcome are worked out by the rollups' own ``facts.call_fact``, so a record
and the figure it stands behind agree. Outcomes, in this order:

* ``answered``: the call reached an agent (it was ``connected``);
* ``abandoned``: it ended ``abandoned`` (the caller hung up, or was dropped, before an
  agent);
* ``machine``: an answering machine answered (end reason ``machine``);
* ``unanswered``: none of these (no answer, busy, failed, served by the system).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import get_organization
from omnivox.core.errors import InvalidInput
from omnivox.reporting.access import check_agent_filter, narrow_to_team
from omnivox.reporting.facts import Change, call_fact
from omnivox.reporting.intervals import as_utc
from omnivox.reporting.names import Names, load_names, resolve_filters
from omnivox.reporting.query import local_bounds
from omnivox.reporting.request import GRANULARITIES
from omnivox.reporting.sources import record_of
from omnivox.telephony import (
    TERMINAL_STATES,
    Call,
    CallEventRow,
    CallState,
    Direction,
    EndReason,
    OwnerKind,
    Recording,
    recording_has_audio,
)

OUTCOMES: tuple[str, ...] = ("answered", "abandoned", "machine", "unanswered")
DIRECTIONS: tuple[str, ...] = (Direction.INBOUND.value, Direction.OUTBOUND.value)
#: Filters as a report names them (``number``: the organisation's number the call used,
#: exactly; ``CallSearch.number`` is the free search of either end).
FILTERS: tuple[str, ...] = ("agent", "team", "queue", "campaign", "disposition", "number")
COLUMNS: list[str] = [
    "call_id",
    "start",
    "end",
    "direction",
    "from",
    "to",
    "queue",
    "campaign",
    "agent",
    "disposition",
    "outcome",
    "wait_seconds",
    "talk_seconds",
    "end_reason",
]
_ENDED = [s.value for s in TERMINAL_STATES]
_BATCH = 1000


@dataclass(frozen=True)
class CallSearch:
    """Calls that ended within local dates ``start``..``end`` (and within ``period`` of
    ``granularity`` when given), narrowed by the filters."""

    start: date
    end: date
    filters: Mapping[str, str] = field(default_factory=dict)
    period: str = ""
    granularity: str = ""
    direction: str = ""
    number: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class Selection:
    """A checked search for one organisation, ready to read."""

    org_id: str
    tz: ZoneInfo
    bounds: tuple[datetime, datetime]
    filters: Mapping[str, str]
    agents: frozenset[str] | None
    search: CallSearch
    names: Names


@dataclass(frozen=True)
class RecordingRef:
    id: str
    status: str
    duration_seconds: int | None
    has_audio: bool


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    recordings: Mapping[str, list[RecordingRef]]
    next_after: str | None


def _period_bounds(period: str, granularity: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    if granularity not in GRANULARITIES:
        raise InvalidInput.on(
            "granularity", f"give the period's granularity: one of {', '.join(GRANULARITIES)}"
        )
    # A "+hh:mm" offset arrives as a space when a link does not encode it.
    text = period.strip().replace(" ", "+")
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput.on("period", f"{period!r} is not an ISO date or date-time") from None
    local = start.astimezone(tz) if start.tzinfo else start.replace(tzinfo=tz)
    if granularity in ("15m", "hour"):
        lo = as_utc(local)
        return lo, lo + (timedelta(minutes=15) if granularity == "15m" else timedelta(hours=1))
    day = local.date()
    if granularity == "day":
        nxt = day + timedelta(days=1)
    elif granularity == "week":
        nxt = day + timedelta(days=7)
    else:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return as_utc(datetime.combine(day, time(), tz)), as_utc(datetime.combine(nxt, time(), tz))


def period_dates(period: str, granularity: str, tz: ZoneInfo) -> tuple[date, date]:
    """The local dates a period covers (a link may name a period and no range)."""
    lo, hi = _period_bounds(period, granularity, tz)
    return lo.astimezone(tz).date(), (hi - timedelta(microseconds=1)).astimezone(tz).date()


def _check(search: CallSearch, max_days: int) -> None:
    if search.end < search.start:
        raise InvalidInput.on("to", f"the range ends ({search.end}) before it starts")
    days = (search.end - search.start).days + 1
    if days > max_days:
        raise InvalidInput.on(
            "to", f"the range covers {days} days; at most {max_days} (OMNIVOX_REPORT_MAX_DAYS)"
        )
    for key in search.filters:
        if key not in FILTERS:
            raise InvalidInput.on("filter", f"unknown filter {key!r}; known: {', '.join(FILTERS)}")
    if search.direction and search.direction not in DIRECTIONS:
        raise InvalidInput.on("direction", f"{search.direction!r} is not inbound or outbound")
    if search.outcome and search.outcome not in OUTCOMES:
        raise InvalidInput.on("outcome", f"{search.outcome!r} is not one of {', '.join(OUTCOMES)}")
    if search.period and not search.granularity:
        raise InvalidInput.on("granularity", "a period needs its granularity")


async def select_calls(
    session: AsyncSession,
    org_id: str,
    search: CallSearch,
    agents: frozenset[str] | None,
    max_days: int,
) -> Selection:
    """Check ``search`` and resolve its names for the organisation; ``agents`` narrows it
    to those agents' calls (``access.agent_scope``)."""
    _check(search, max_days)
    tz = ZoneInfo((await get_organization(session, org_id)).timezone)
    filters = await resolve_filters(session, org_id, search.filters)
    check_agent_filter(agents, filters)
    # A team narrows to its members' calls, as the report's team row counts them.
    filters, agents = await narrow_to_team(session, org_id, agents, filters)
    lo, hi = local_bounds(search.start, search.end, tz)
    if search.period:
        p_lo, p_hi = _period_bounds(search.period, search.granularity, tz)
        lo, hi = max(lo, p_lo), min(hi, p_hi)
    names = await load_names(session, org_id)
    return Selection(org_id, tz, (lo, hi), filters, agents, search, names)


def _connected() -> ColumnElement[bool]:
    return exists(
        select(CallEventRow.id).where(
            CallEventRow.call_id == Call.id,
            CallEventRow.applied.is_(True),
            CallEventRow.to_state == CallState.CONNECTED.value,
        )
    )


def _outcome_where(outcome: str) -> list[ColumnElement[bool]]:
    """As ``facts.call_fact`` decides: a machine is a machine even if it reached an agent
    before detection decided (it was taken back: nobody talked to a customer)."""
    machine = and_(Call.end_reason.is_not(None), Call.end_reason == EndReason.MACHINE.value)
    connected = and_(_connected(), not_(machine))
    abandoned = Call.state == CallState.ABANDONED.value
    if outcome == "answered":
        return [connected]
    if outcome == "abandoned":
        return [not_(connected), abandoned]
    if outcome == "machine":
        return [machine, not_(abandoned)]
    return [not_(connected), not_(abandoned), not_(machine)]


def _where(sel: Selection) -> list[ColumnElement[bool]]:
    s, f = sel.search, sel.filters
    out: list[ColumnElement[bool]] = [
        Call.organization_id == sel.org_id,
        Call.state.in_(_ENDED),
        Call.ended_at >= sel.bounds[0],
        Call.ended_at < sel.bounds[1],
    ]
    if "agent" in f:
        out.append(Call.agent_id == f["agent"])
    if sel.agents is not None:
        out.append(Call.agent_id.in_(sel.agents))
    for key, kind in (("queue", OwnerKind.QUEUE), ("campaign", OwnerKind.CAMPAIGN)):
        if key in f:
            out += [Call.owner_kind == kind.value, Call.owner_id == f[key]]
    if "disposition" in f:
        out.append(Call.disposition_code == f["disposition"])
    if "number" in f:  # as ``sources.number_used`` decides
        inbound = Call.direction == Direction.INBOUND.value
        out.append(
            or_(
                and_(inbound, Call.to_number == f["number"]),
                and_(not_(inbound), Call.from_number == f["number"]),
            )
        )
    if s.direction:
        out.append(Call.direction == s.direction)
    if s.number.strip():
        pattern = "%" + _escape_like(s.number.strip()) + "%"
        out.append(
            or_(
                Call.from_number.like(pattern, escape="\\"),
                Call.to_number.like(pattern, escape="\\"),
            )
        )
    if s.outcome:
        out += _outcome_where(s.outcome)
    return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def count_calls(session: AsyncSession, sel: Selection) -> int:
    total = await session.scalar(select(func.count()).select_from(Call).where(*_where(sel)))
    return int(total or 0)


def _cursor(call: Call) -> str:
    assert call.ended_at is not None
    return f"{as_utc(call.ended_at).isoformat()}~{call.id}"


def _after(cursor: str) -> ColumnElement[bool]:
    at_text, sep, call_id = cursor.partition("~")
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        at = None
    if not sep or at is None or at.tzinfo is None or not call_id:
        raise InvalidInput.on("after", f"{cursor!r} is not a page cursor this search gave")
    at = at.astimezone(UTC)
    return or_(Call.ended_at > at, and_(Call.ended_at == at, Call.id > call_id))


async def _read(session: AsyncSession, sel: Selection, after: str | None, limit: int) -> list[Call]:
    stmt = select(Call).where(*_where(sel))
    if after:
        stmt = stmt.where(_after(after))
    return list(await session.scalars(stmt.order_by(Call.ended_at, Call.id).limit(limit)))


async def _changes(session: AsyncSession, calls: list[Call]) -> dict[str, list[Change]]:
    found: dict[str, list[Change]] = defaultdict(list)
    if not calls:
        return found
    rows = await session.execute(
        select(CallEventRow.call_id, CallEventRow.at, CallEventRow.to_state, CallEventRow.trigger)
        .where(CallEventRow.call_id.in_([c.id for c in calls]), CallEventRow.applied.is_(True))
        .order_by(CallEventRow.call_id, CallEventRow.at, CallEventRow.id)
    )
    for call_id, at, to_state, trigger in rows:
        found[call_id].append(Change(at, to_state, trigger))
    return found


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return as_utc(at).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at else ""


def _row(call: Call, changes: list[Change], sel: Selection) -> dict[str, Any]:
    assert call.ended_at is not None, "only ended calls are read"
    # Counted as the rollups count it (a machine taken back from an agent is a machine).
    fact = call_fact(record_of(call, changes, voicemail=False)).values
    if fact["handled"]:
        outcome, wait = "answered", fact["answered_wait_seconds"]
    elif call.state == CallState.ABANDONED:
        outcome, wait = "abandoned", fact["abandoned_wait_seconds"]
    else:
        outcome = "machine" if call.end_reason == EndReason.MACHINE else "unanswered"
        wait = None
    inbound = call.direction == Direction.INBOUND
    queue = call.owner_id if call.owner_kind == OwnerKind.QUEUE else ""
    campaign = call.owner_id if call.owner_kind == OwnerKind.CAMPAIGN else ""
    return {
        "call_id": call.id,
        "start": _local(call.created_at, sel.tz),
        "end": _local(call.ended_at, sel.tz),
        "direction": call.direction,
        "from": call.from_number,
        "to": call.to_number,
        "queue": sel.names.label("queue", queue) if queue else None,
        "campaign": sel.names.label("campaign", campaign) if campaign else None,
        "agent": sel.names.label("agent", call.agent_id) if call.agent_id else None,
        "disposition": call.disposition_code,
        "outcome": outcome,
        # Wait is the inbound caller's, from the answer to the agent (or the hang-up).
        "wait_seconds": round(wait, 1) if wait is not None and inbound else None,
        "talk_seconds": round(fact["talk_seconds"], 1) if fact["handled"] else None,
        "end_reason": call.end_reason,
    }


async def _recordings(
    session: AsyncSession, org_id: str, calls: list[Call]
) -> dict[str, list[RecordingRef]]:
    found: dict[str, list[RecordingRef]] = defaultdict(list)
    if not calls:
        return found
    rows = await session.scalars(
        select(Recording)
        .where(
            Recording.organization_id == org_id,
            Recording.call_id.in_([c.id for c in calls]),
        )
        .order_by(Recording.started_at)
    )
    for r in rows:
        found[r.call_id].append(
            RecordingRef(r.id, r.status, r.duration_seconds, recording_has_audio(r.url))
        )
    return found


async def page_of(
    session: AsyncSession,
    sel: Selection,
    after: str | None,
    limit: int,
    with_recordings: bool = False,
) -> Page:
    """One page of records after the cursor ``after`` (None: the first page)."""
    calls = await _read(session, sel, after, limit + 1)
    more = len(calls) > limit
    calls = calls[:limit]
    changes = await _changes(session, calls)
    rows = [_row(c, changes[c.id], sel) for c in calls]
    recordings = await _recordings(session, sel.org_id, calls) if with_recordings else {}
    return Page(rows, recordings, _cursor(calls[-1]) if more and calls else None)


async def iter_records(session: AsyncSession, sel: Selection) -> AsyncIterator[dict[str, Any]]:
    """Every record, page after page; memory holds one page."""
    after: str | None = None
    while True:
        calls = await _read(session, sel, after, _BATCH)
        if not calls:
            return
        changes = await _changes(session, calls)
        for call in calls:
            yield _row(call, changes[call.id], sel)
        if len(calls) < _BATCH:
            return
        after = _cursor(calls[-1])
        for call in calls:  # the identity map would otherwise keep every call read
            session.expunge(call)

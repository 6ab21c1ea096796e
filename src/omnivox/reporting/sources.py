"""Reading the raw records rollups are built from: calls with their applied state changes
(telephony), voicemails (voicemail), sale dispositions and users (accounts), agent state
history (agents), callbacks in queue (routing). Each is read through its domain's
surface; nothing here writes.

Ended calls (live upkeep, a batch of them at a time) are read in one statement: their
rows joined to their applied changes. Voicemails and callback requests are asked about
only for inbound calls the system served without an agent (the only way either happens),
a completed callback only for a queue's outbound calls that reached an agent, and the
organisation's sale codes come from a cache kept ``SALE_CODES_TTL`` seconds (a rebuild
reads them afresh).
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import list_dispositions
from omnivox.agents import AgentStateHistory
from omnivox.reporting.facts import CallRecord, Change
from omnivox.reporting.models import CountedCall
from omnivox.reporting.repeats import repeat_calls
from omnivox.routing import callback_requests, completed_callbacks
from omnivox.telephony import (
    TERMINAL_STATES,
    Call,
    CallEventRow,
    CallState,
    Direction,
    OwnerKind,
)
from omnivox.voicemail import Voicemail

_SALE = "sale"
_BATCH = 5000
_ENDED = [s.value for s in TERMINAL_STATES]
#: No call lasts longer (carriers cap a call at 24 hours, Twilio's ``timeLimit`` too):
#: calls that ended in a range were created at most this long before it, which lets a
#: range read use the calls' (state, created_at) index instead of every ended call.
LONGEST_CALL = timedelta(days=1)
#: How long live upkeep trusts the sale codes it read (a code newly marked as a sale
#: counts conversions from at most this much later on; a rebuild puts earlier calls right).
SALE_CODES_TTL = 30.0


@dataclass(frozen=True)
class DispositionCodes:
    sales: frozenset[str]
    right_party: frozenset[str]


NO_CODES = DispositionCodes(frozenset(), frozenset())
_codes_cache: dict[str, tuple[float, DispositionCodes]] = {}


class CallRow(Protocol):
    """The fields of a call row a record is made of (an ORM row or a selected row)."""

    id: str
    organization_id: str
    direction: str
    owner_kind: str
    owner_id: str
    state: str
    agent_id: str | None
    answered_at: datetime | None
    created_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    disposition_code: str | None
    sale_amount: Decimal | None
    from_number: str
    to_number: str


_CALL_FIELDS = (
    Call.id,
    Call.organization_id,
    Call.direction,
    Call.owner_kind,
    Call.owner_id,
    Call.state,
    Call.agent_id,
    Call.answered_at,
    Call.created_at,
    Call.ended_at,
    Call.end_reason,
    Call.disposition_code,
    Call.sale_amount,
    Call.from_number,
    Call.to_number,
)


async def disposition_codes(session: AsyncSession, org_id: str) -> DispositionCodes:
    """The organisation's sale codes (category ``sale``) and right-party codes."""
    listed = await list_dispositions(session, org_id)
    found = DispositionCodes(
        sales=frozenset(d.code for d in listed if d.category == _SALE),
        right_party=frozenset(d.code for d in listed if d.right_party),
    )
    _codes_cache[org_id] = (time.monotonic() + SALE_CODES_TTL, found)
    return found


async def recent_disposition_codes(session: AsyncSession, org_id: str) -> DispositionCodes:
    """The codes as read at most ``SALE_CODES_TTL`` seconds ago."""
    cached = _codes_cache.get(org_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return await disposition_codes(session, org_id)


async def sale_codes(session: AsyncSession, org_id: str) -> frozenset[str]:
    """Disposition codes the organisation counts as a sale (category ``sale``)."""
    return (await disposition_codes(session, org_id)).sales


async def ended_calls(
    session: AsyncSession, where: ColumnElement[bool], org_id: str
) -> list[CallRecord]:
    """Every call matching ``where`` that reached a final state, with its changes."""
    ended = and_(where, Call.organization_id == org_id, Call.state.in_(_ENDED))
    calls = list(await session.scalars(select(Call).where(ended).order_by(Call.id)))
    if not calls:
        return []
    changes: dict[str, list[Change]] = defaultdict(list)
    rows = await session.execute(
        select(CallEventRow.call_id, CallEventRow.at, CallEventRow.to_state, CallEventRow.trigger)
        .join(Call, Call.id == CallEventRow.call_id)
        .where(ended, CallEventRow.applied.is_(True))
        .order_by(CallEventRow.call_id, CallEventRow.at, CallEventRow.id)
    )
    for call_id, at, to_state, trigger in rows:
        changes[call_id].append(Change(at, to_state, trigger))
    # Voicemails and callback requests are inbound matters, completed callbacks outbound:
    # each is asked only about the calls it can concern.
    inbound = [c.id for c in calls if c.direction == Direction.INBOUND]
    outbound = [c.id for c in calls if c.direction != Direction.INBOUND]
    codes = await disposition_codes(session, org_id)
    return await _records(session, org_id, calls, changes, (inbound, outbound), codes)


async def _with_voicemail(session: AsyncSession, org_id: str, call_ids: list[str]) -> set[str]:
    found = await session.scalars(
        select(Voicemail.call_id).where(
            Voicemail.organization_id == org_id, Voicemail.call_id.in_(call_ids)
        )
    )
    return {c for c in found if c}


async def _batched(
    session: AsyncSession,
    org_id: str,
    call_ids: list[str],
    ask: Callable[[AsyncSession, str, list[str]], Awaitable[set[str]]],
) -> set[str]:
    """``ask`` about the calls in batches (a bound list per statement); none: no query."""
    found: set[str] = set()
    for i in range(0, len(call_ids), _BATCH):
        found |= await ask(session, org_id, call_ids[i : i + _BATCH])
    return found


def record_of(
    call: CallRow,
    changes: Sequence[Change],
    voicemail: bool,
    codes: DispositionCodes = NO_CODES,
    callbacks: tuple[bool, bool] = (False, False),
    *,
    repeat: bool = False,
) -> CallRecord:
    """A call's record for ``facts.call_fact``; what it asked for (voicemail, callbacks)
    and what its disposition means come from the caller, none by default."""
    assert call.ended_at is not None, "a call in a final state has ended"
    return CallRecord(
        id=call.id,
        organization_id=call.organization_id,
        direction=call.direction,
        owner_kind=call.owner_kind,
        owner_id=call.owner_id,
        state=call.state,
        agent_id=call.agent_id,
        answered_at=call.answered_at,
        created_at=call.created_at,
        ended_at=call.ended_at,
        end_reason=call.end_reason,
        disposition=call.disposition_code,
        changes=tuple(changes),
        has_voicemail=voicemail,
        is_sale=call.disposition_code in codes.sales,
        asked_callback=callbacks[0],
        is_callback=callbacks[1],
        sale_amount=call.sale_amount,
        right_party=call.disposition_code in codes.right_party,
        repeat_contact=repeat,
        number=number_used(call.direction, call.from_number, call.to_number),
    )


def number_used(direction: str, from_number: str, to_number: str) -> str:
    """Which of the organisation's numbers a call used: the one dialled for an inbound
    call, the caller ID presented for an outbound one."""
    return (to_number if direction == Direction.INBOUND else from_number) or ""


@functools.cache
def _some_calls() -> Any:
    """Ended calls' rows, each joined to its applied changes in order (built once)."""
    return (
        select(*_CALL_FIELDS, CallEventRow.at, CallEventRow.to_state, CallEventRow.trigger)
        .outerjoin(
            CallEventRow, and_(CallEventRow.call_id == Call.id, CallEventRow.applied.is_(True))
        )
        .where(
            Call.id.in_(bindparam("call_ids", expanding=True)),
            Call.organization_id == bindparam("org_id"),
            Call.state.in_(_ENDED),
        )
        .order_by(Call.id, CallEventRow.at, CallEventRow.id)
    )


async def find_ended_calls(
    session: AsyncSession, org_id: str, call_ids: Sequence[str]
) -> list[CallRecord]:
    """Those of the organisation's calls that have reached a final state, by id: their
    rows and applied changes in one statement, and what else a call can have asked only
    of the calls that can have (voicemail and callback requests: inbound calls the system
    served; a completed callback: a queue's outbound call that reached an agent)."""
    rows = await session.execute(_some_calls(), {"call_ids": list(call_ids), "org_id": org_id})
    calls: dict[str, CallRow] = {}
    changes: dict[str, list[Change]] = defaultdict(list)
    for r in rows:
        calls.setdefault(r.id, r)
        if r.at is not None:
            changes[r.id].append(Change(r.at, r.to_state, r.trigger))
    if not calls:
        return []
    served, reached_agent = [], []
    for c in calls.values():
        states = {ch.to_state for ch in changes[c.id]}
        if c.direction == Direction.INBOUND:
            if CallState.SELF_SERVICE in states:
                served.append(c.id)
        elif c.owner_kind == OwnerKind.QUEUE and CallState.CONNECTED in states:
            reached_agent.append(c.id)
    disposed = any(c.disposition_code for c in calls.values())
    codes = await recent_disposition_codes(session, org_id) if disposed else NO_CODES
    asks = (served, reached_agent)
    return await _records(session, org_id, list(calls.values()), changes, asks, codes)


async def _records(
    session: AsyncSession,
    org_id: str,
    calls: Sequence[CallRow],
    changes: Mapping[str, Sequence[Change]],
    asks: tuple[list[str], list[str]],
    codes: DispositionCodes,
) -> list[CallRecord]:
    """The calls' records; ``asks``: the calls to ask about voicemails and callback
    requests, and those to ask about completed callbacks (each only where it can be)."""
    inbound, outbound = asks
    messages = await _batched(session, org_id, inbound, _with_voicemail)
    asked = await _batched(session, org_id, inbound, callback_requests)
    reached = await _batched(session, org_id, outbound, completed_callbacks)
    repeats = await repeat_calls(session, org_id, calls)
    return [
        record_of(
            c,
            changes[c.id],
            c.id in messages,
            codes,
            (c.id in asked, c.id in reached),
            repeat=c.id in repeats,
        )
        for c in calls
    ]


async def ended_between(
    session: AsyncSession, org_id: str, start: datetime, end: datetime
) -> list[CallRecord]:
    window = and_(
        Call.created_at >= start - LONGEST_CALL,
        Call.created_at < end,
        Call.ended_at >= start,
        Call.ended_at < end,
    )
    return await ended_calls(session, window, org_id)


async def state_history(
    session: AsyncSession,
    org_id: str,
    start: datetime,
    end: datetime,
    user_id: str | None = None,
) -> list[AgentStateHistory]:
    """Every change in ``[start, end)``, with each agent's last change before ``start``
    and first change from ``end`` on, ordered per agent by time and sequence."""
    scope = AgentStateHistory.organization_id == org_id
    if user_id is not None:
        scope = and_(scope, AgentStateHistory.user_id == user_id)
    # The state at ``start`` (each agent's latest change before it) and what closes the
    # state running at ``end`` (each agent's first change from it on).
    openings = await _edge_rows(session, scope, AgentStateHistory.at < start, func.max, last=True)
    closings = await _edge_rows(session, scope, AgentStateHistory.at >= end, func.min, last=False)
    rows = list(
        await session.scalars(
            select(AgentStateHistory)
            .where(scope, AgentStateHistory.at >= start, AgentStateHistory.at < end)
            .order_by(AgentStateHistory.user_id, AgentStateHistory.at, AgentStateHistory.seq)
        )
    )
    rows.extend(openings + closings)
    rows.sort(key=lambda r: (r.user_id, r.at, r.seq))
    return rows


async def _edge_rows(
    session: AsyncSession,
    scope: ColumnElement[bool],
    side: ColumnElement[bool],
    pick: Callable[..., Any],
    *,
    last: bool,
) -> list[AgentStateHistory]:
    """Per agent, the change at the latest (``last``) or earliest instant on ``side``; of
    several at that instant, the latest or earliest in sequence."""
    edge = (
        select(AgentStateHistory.user_id, pick(AgentStateHistory.at).label("at"))
        .where(scope, side)
        .group_by(AgentStateHistory.user_id)
        .subquery()
    )
    found: dict[str, AgentStateHistory] = {}
    for row in await session.scalars(
        select(AgentStateHistory).join(
            edge,
            and_(AgentStateHistory.user_id == edge.c.user_id, AgentStateHistory.at == edge.c.at),
        )
    ):
        best = found.get(row.user_id)
        if best is None or (row.seq > best.seq) == last:
            found[row.user_id] = row
    return list(found.values())


async def uncounted_calls(session: AsyncSession, org_id: str, since: datetime) -> list[str]:
    """The organisation's calls that ended from ``since`` on and were never counted."""
    found = await session.scalars(
        select(Call.id)
        .outerjoin(CountedCall, CountedCall.call_id == Call.id)
        .where(
            Call.organization_id == org_id,
            Call.state.in_(_ENDED),
            Call.created_at >= since - LONGEST_CALL,
            Call.ended_at >= since,
            CountedCall.call_id.is_(None),
        )
        .order_by(Call.ended_at, Call.id)
    )
    return list(found)

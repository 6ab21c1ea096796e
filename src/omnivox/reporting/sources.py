"""Reading the raw records rollups are built from: calls with their applied state changes
(telephony), voicemails (voicemail), sale dispositions and users (accounts), agent state
history (agents), callbacks in queue (routing). Each is read through its domain's
surface; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import list_dispositions
from omnivox.agents import AgentStateHistory
from omnivox.reporting.facts import CallRecord, Change
from omnivox.reporting.repeats import repeat_calls
from omnivox.routing import callback_requests, completed_callbacks
from omnivox.telephony import TERMINAL_STATES, Call, CallEventRow, Direction
from omnivox.voicemail import Voicemail

_SALE = "sale"
_BATCH = 5000
_ENDED = [s.value for s in TERMINAL_STATES]


async def sale_codes(session: AsyncSession, org_id: str) -> set[str]:
    """Disposition codes the organisation counts as a sale (category ``sale``)."""
    return {d.code for d in await list_dispositions(session, org_id) if d.category == _SALE}


async def right_party_codes(session: AsyncSession, org_id: str) -> set[str]:
    """Disposition codes the organisation counts as a right-party contact."""
    return {d.code for d in await list_dispositions(session, org_id) if d.right_party}


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
    messages = await _batched(session, org_id, inbound, _with_voicemail)
    asked = await _batched(session, org_id, inbound, callback_requests)
    reached = await _batched(session, org_id, outbound, completed_callbacks)
    sales = await sale_codes(session, org_id)
    right_party = await right_party_codes(session, org_id)
    repeats = await repeat_calls(session, org_id, calls)
    return [
        replace(
            _record(c, changes[c.id], c.id in messages, sales, (c.id in asked, c.id in reached)),
            sale_amount=c.sale_amount,
            right_party=c.disposition_code in right_party,
            repeat_contact=c.id in repeats,
        )
        for c in calls
    ]


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


def _record(
    call: Call,
    changes: Sequence[Change],
    voicemail: bool,
    sales: set[str],
    callbacks: tuple[bool, bool],
) -> CallRecord:
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
        is_sale=call.disposition_code in sales,
        asked_callback=callbacks[0],
        is_callback=callbacks[1],
    )


async def find_ended_call(session: AsyncSession, org_id: str, call_id: str) -> CallRecord | None:
    """The organisation's call, if it has reached a final state."""
    found = await ended_calls(session, Call.id == call_id, org_id)
    return found[0] if found else None


async def ended_between(
    session: AsyncSession, org_id: str, start: datetime, end: datetime
) -> list[CallRecord]:
    return await ended_calls(session, and_(Call.ended_at >= start, Call.ended_at < end), org_id)


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

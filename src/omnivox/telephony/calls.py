"""Calls in the database: snapshot in and out of the row, events applied and recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from omnivox.accounts import reach_of, within
from omnivox.core.db import new_id
from omnivox.core.errors import NotFound, PermissionDenied
from omnivox.core.logging import get_logger
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.telephony import fsm
from omnivox.telephony.domain_ports import AgentHoldsCall
from omnivox.telephony.errors import ConcurrentUpdateError
from omnivox.telephony.events import CallSummary, OwnerRef
from omnivox.telephony.fsm_types import (
    AnsweredBy,
    CallEvent,
    CallSnapshot,
    CallState,
    Direction,
    Disposition,
    DispositionSource,
    EndReason,
    Owner,
    OwnerKind,
    ProviderCallStatus,
)
from omnivox.telephony.models import Call, CallEventRow, CallLeg

log = get_logger(__name__)
MAX_STALE_RETRIES = 8  # concurrent webhooks about one call: re-apply on the fresh row


def snapshot_of(call: Call) -> CallSnapshot:
    disposition = None
    if call.disposition_code and call.disposition_source and call.disposition_at:
        disposition = Disposition(
            code=call.disposition_code,
            source=DispositionSource(call.disposition_source),
            at=call.disposition_at,
            agent_id=call.disposition_agent_id,
            notes=call.disposition_notes,
            flagged_for_supervisor=call.flagged_for_supervisor,
            amount=call.sale_amount,
        )
    return CallSnapshot(
        state=CallState(call.state),
        owner=Owner(OwnerKind(call.owner_kind), call.owner_id),
        direction=Direction(call.direction),
        created_at=call.created_at,
        agent_id=call.agent_id,
        answered_by=AnsweredBy(call.answered_by) if call.answered_by else None,
        ringing_at=call.ringing_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        end_reason=EndReason(call.end_reason) if call.end_reason else None,
        disposition=disposition,
        resume_to=CallState(call.resume_to) if call.resume_to else None,
        last_sequence_number=call.last_sequence_number,
        last_provider_timestamp=call.last_provider_timestamp,
    )


def store(call: Call, snap: CallSnapshot) -> None:
    call.state = snap.state.value
    call.owner_kind, call.owner_id = snap.owner.kind.value, snap.owner.id
    call.agent_id = snap.agent_id
    call.answered_by = snap.answered_by.value if snap.answered_by else None
    call.ringing_at, call.answered_at, call.ended_at = (
        snap.ringing_at,
        snap.answered_at,
        snap.ended_at,
    )
    call.end_reason = snap.end_reason.value if snap.end_reason else None
    call.resume_to = snap.resume_to.value if snap.resume_to else None
    call.last_sequence_number = snap.last_sequence_number
    call.last_provider_timestamp = snap.last_provider_timestamp
    d = snap.disposition
    call.disposition_code = d.code if d else None
    call.disposition_source = d.source.value if d else None
    call.disposition_at = d.at if d else None
    call.disposition_agent_id = d.agent_id if d else None
    call.disposition_notes = d.notes if d else None
    call.flagged_for_supervisor = bool(d and d.flagged_for_supervisor)
    call.sale_amount = d.amount if d else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)  # exact, as JSON has no decimal type
    return value


def event_payload(event: CallEvent) -> dict[str, Any]:
    assert is_dataclass(event)
    return {f.name: _jsonable(getattr(event, f.name)) for f in fields(event)}


def apply_event(
    session: AsyncSession,
    call: Call,
    event: CallEvent,
    *,
    now: datetime,
    raw: dict[str, str] | None = None,
) -> fsm.Transition | fsm.Rejection:
    """Apply ``event`` to the call row and append the history row; the caller commits."""
    result = fsm.apply(snapshot_of(call), event)
    before = call.state
    payload = {"event": event_payload(event), **({"provider": raw} if raw else {})}
    row = CallEventRow(
        call_id=call.id,
        organization_id=call.organization_id,
        at=event.at,
        recorded_at=now,
        event=type(event).__name__,
        from_state=before,
        payload=payload,
        sequence_number=event.sequence_number if isinstance(event, ProviderCallStatus) else None,
    )
    if isinstance(result, fsm.Transition):
        store(call, result.after)
        row.trigger, row.to_state, row.applied = result.trigger.value, result.to_state.value, True
    else:
        row.to_state, row.applied = before, False
        row.reason, row.detail = result.reason.value, result.detail
        row.trigger = result.trigger.value if result.trigger else None
        level = log.warning if result.reason.value == "invalid-transition" else log.info
        level(
            "call event refused",
            call_id=call.id,
            kind=row.event,
            state=before,
            reason=row.reason,
            detail=result.detail,
        )
    session.add(row)
    return result


def history_note(
    call: Call, at: datetime, event: str, reason: str, detail: str, payload: dict[str, object]
) -> CallEventRow:
    """A row in the call's history for something that changes no state (a part
    dispositioned, a participant dropped, a line lost): recorded, not applied."""
    return CallEventRow(
        call_id=call.id,
        organization_id=call.organization_id,
        at=at,
        recorded_at=at,
        event=event,
        from_state=call.state,
        to_state=call.state,
        applied=False,
        reason=reason,
        detail=detail,
        payload=payload,
    )


async def get_call(session: AsyncSession, organization_id: str, call_id: str) -> Call:
    call = await session.scalar(
        select(Call).where(Call.id == call_id, Call.organization_id == organization_id)
    )
    if call is None:
        raise NotFound("call not found")
    return call


async def get_visible_call(
    session: AsyncSession, actor: Principal, call_id: str, holds_call: AgentHoldsCall
) -> Call:
    """A call the actor works on (agent, or a leg of it) or may read as a supervisor."""
    call = await get_call(session, actor.organization_id, call_id)
    if call.agent_id == actor.user_id:
        return call
    if actor.can(Permission.CALLS_READ) and within(await reach_of(session, actor), call.agent_id):
        return call
    on_a_leg = await session.scalar(
        select(CallLeg.id).where(CallLeg.call_id == call.id, CallLeg.user_id == actor.user_id)
    )
    # reserved for it: the offer is ringing on their desktop
    offered = await holds_call(session, actor.user_id, call.id)
    if on_a_leg is None and not offered:
        if actor.can(Permission.CALLS_READ):
            raise PermissionDenied("this call's agent is not in your teams")
        raise PermissionDenied("this is not your call")
    return call


async def find_call_by_sid(session: AsyncSession, provider_sid: str) -> Call | None:
    return await session.scalar(select(Call).where(Call.provider_sid == provider_sid))


async def call_history(session: AsyncSession, call: Call) -> list[CallEventRow]:
    query = select(CallEventRow).where(CallEventRow.call_id == call.id).order_by(CallEventRow.id)
    return list((await session.scalars(query)).all())


def summary_of(call: Call) -> CallSummary:
    """The call as events carry it."""
    return CallSummary(
        id=call.id,
        organization_id=call.organization_id,
        state=CallState(call.state),
        direction=Direction(call.direction),
        owner=OwnerRef(kind=OwnerKind(call.owner_kind), id=call.owner_id),
        agent_id=call.agent_id,
        from_=call.from_number,
        to=call.to_number,
        end_reason=EndReason(call.end_reason) if call.end_reason else None,
        disposition=call.disposition_code,
        notes=call.disposition_notes,
        flagged=call.flagged_for_supervisor,
        created_at=call.created_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        end_estimated=call.end_estimated,
    )


_SUMMARY_JSON: TypeAdapter[CallSummary] = TypeAdapter(CallSummary)


def call_summary(call: Call) -> dict[str, Any]:
    """What list views show of a call: the summary events carry, as JSON."""
    dumped: dict[str, Any] = _SUMMARY_JSON.dump_python(summary_of(call), mode="json", by_alias=True)
    return dumped


async def patch_call(session: AsyncSession, call: Call, mutate: Callable[[Call], None]) -> None:
    """Change bookkeeping columns of a call row, re-applying the change if a concurrent
    writer (another webhook about the same call) committed first."""
    for _attempt in range(MAX_STALE_RETRIES):
        mutate(call)
        try:
            await session.commit()
            return
        except StaleDataError:
            await session.rollback()
            await session.refresh(call)
    raise ConcurrentUpdateError(f"call {call.id} kept changing")


def new_call(
    provider: str,
    organization_id: str,
    owner: Owner,
    direction: Direction,
    now: datetime,
    *,
    to: str,
    from_: str,
    agent_id: str | None = None,
    provider_sid: str | None = None,
) -> Call:
    """A new call row in the machine's first state (not added to a session)."""
    snap = fsm.new_call(owner, direction, now)
    call = Call(
        id=new_id(),
        organization_id=organization_id,
        direction=direction.value,
        owner_kind=owner.kind.value,
        owner_id=owner.id,
        state=snap.state.value,
        provider=provider,
        provider_sid=provider_sid,
        from_number=from_,
        to_number=to,
        agent_id=agent_id,
        created_at=now,
    )
    call.conference_name = f"ovx-{call.id}"
    store(call, snap if agent_id is None else replace(snap, agent_id=agent_id))
    return call

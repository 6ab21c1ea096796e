"""Calling back a customer of an inbound call at a time the agent agreed with them (the
"call back later" disposition outside campaigns).

The callback joins the queue the call came through, like a caller who pressed 1 to be
called back, but waits until its time: a ``QueueEntry`` with the customer's number and
``not_before`` the agreed time. When that time comes the node's sweep releases it
(``InboundRouting.retry_due_callbacks``) and it is offered to the queue's agents in turn;
the agent who takes it rings first, then the customer is dialled, as for any callback.
A campaign call's callback is scheduled for its contact instead (``/api/v1/callbacks``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization, reach_of, within
from omnivox.core.errors import Conflict, InvalidInput, PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.routing.models import Queue, QueueEntry
from omnivox.routing.waiting import callback_number
from omnivox.telephony import Call, CallLeg, OwnerKind, get_call


class CallbackNotPossible(Conflict):
    code = "callback-not-possible"


async def schedule_call_back(
    session: AsyncSession,
    actor: Principal,
    call_id: str,
    due_local: datetime,
    zone: str | None,
    notes: str,
    now: datetime,
) -> QueueEntry:
    """Put a callback to the customer of ``call_id`` in its queue, due at ``due_local``
    (wall-clock time in ``zone``, by default the organisation's)."""
    org_id = actor.organization_id
    call = await get_call(session, org_id, call_id)
    await _check_may(session, actor, call)
    if call.owner_kind == OwnerKind.CAMPAIGN.value:
        raise CallbackNotPossible(
            "a campaign call is called back through its contact (POST /api/v1/callbacks)"
        )
    queue = await _queue_of(session, call)
    party = call.from_number if call.direction == "inbound" else call.to_number
    number = callback_number(party)
    if number is None:
        raise CallbackNotPossible(f"the customer's number ({party}) cannot be called back")
    zone = zone or await _org_zone(session, org_id)
    try:
        due = due_local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput.on("timezone", f"unknown time zone {zone!r}") from None
    if due <= now:
        raise InvalidInput.on("due_local", f"is in the past in {zone}")
    entry = QueueEntry(
        organization_id=org_id,
        queue_id=queue.id,
        call_id=call.id,  # becomes the callback's own call once an agent takes it
        status="waiting",
        enqueued_at=due,  # it joins the line when its time comes
        callback_number=number,
        original_call_id=call.id,
        not_before=due,
        detail={
            "scheduled_by": actor.user_id,
            "scheduled_at": now.isoformat(),
            "timezone": zone,
            "notes": notes,
        },
    )
    session.add(entry)
    await session.commit()
    return entry


async def _check_may(session: AsyncSession, actor: Principal, call: Call) -> None:
    if call.agent_id == actor.user_id:
        return
    if actor.can(Permission.CALLS_SUPERVISE):
        if within(await reach_of(session, actor), call.agent_id):
            return
        raise PermissionDenied("this call's agent is not in your teams")
    on_it = await session.scalar(
        select(CallLeg.id).where(CallLeg.call_id == call.id, CallLeg.user_id == actor.user_id)
    )
    if on_it is None:
        raise PermissionDenied("this is not your call")


async def _queue_of(session: AsyncSession, call: Call) -> Queue:
    """The queue the call came through (its owner, or the queue it waited in)."""
    queue_id = call.owner_id if call.owner_kind == OwnerKind.QUEUE.value else None
    if queue_id is None:
        queue_id = await session.scalar(
            select(QueueEntry.queue_id)
            .where(QueueEntry.call_id == call.id)
            .order_by(QueueEntry.enqueued_at.desc())
            .limit(1)
        )
    queue = await session.get(Queue, queue_id) if queue_id else None
    if queue is None or queue.organization_id != call.organization_id:
        raise CallbackNotPossible(
            "this call came through no queue, so no queue's agents can call the customer back"
        )
    return queue


async def _org_zone(session: AsyncSession, org_id: str) -> str:
    org = await session.get(Organization, org_id)
    return org.timezone if org is not None else "UTC"

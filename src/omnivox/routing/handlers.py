"""How inbound routing follows calls and agents: offers answered, refused or missed,
callers who hang up while waiting, and agents who become available."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.agents import (
    AgentNotFound,
    AgentState,
    AgentStateChanged,
    AgentStateConflict,
    reject_offer,
    release_offer,
    time_out_offer,
)
from omnivox.core.events import DomainEvent, EventBus
from omnivox.core.logging import get_logger
from omnivox.routing import direct
from omnivox.routing.inbound import InboundRouting
from omnivox.routing.models import Queue, QueueEntry
from omnivox.routing.waiting import live_entry
from omnivox.telephony import (
    Call,
    CallLegChanged,
    CallState,
    CallStateChanged,
    OwnerKind,
    ParticipantChange,
    ProviderError,
    ProviderStatus,
    Trigger,
)

log = get_logger(__name__)
_LEG_NOT_TAKEN = {
    ProviderStatus.BUSY,
    ProviderStatus.NO_ANSWER,
    ProviderStatus.FAILED,
    ProviderStatus.CANCELED,
}
_CALL_OVER = {
    CallState.ABANDONED,
    CallState.COMPLETED,
    CallState.FAILED,
    CallState.CANCELED,
    CallState.BUSY,
    CallState.NO_ANSWER,
    CallState.WRAP_UP,
}
# How a callback call ends when its customer never picked up (the ones worth another try).
_CALLBACK_NOT_ANSWERED = {CallState.NO_ANSWER, CallState.BUSY, CallState.FAILED}


def follow(routing: InboundRouting, bus: EventBus) -> None:
    """Subscribe routing to the call and agent events it acts on (this node's only)."""

    async def on_leg(event: CallLegChanged) -> None:
        async with _tolerant(event):
            await _callback_taken(routing, event)
            await _offer_not_taken(routing, event)

    async def on_call(event: CallStateChanged) -> None:
        async with _tolerant(event):
            await _call_changed(routing, event)

    async def on_agent(event: AgentStateChanged) -> None:
        if event.state is AgentState.AVAILABLE:
            async with _tolerant(event):
                await routing.route(event.audience.organization_id)

    bus.subscribe(CallLegChanged, on_leg)
    bus.subscribe(CallStateChanged, on_call)
    bus.subscribe(AgentStateChanged, on_agent)


@asynccontextmanager
async def _tolerant(event: DomainEvent) -> AsyncIterator[None]:
    try:
        yield
    except (AgentStateConflict, AgentNotFound) as exc:
        log.info("routing left an agent as they were", reason=str(exc), name=event.name)


async def _entry_for(routing: InboundRouting, call_id: str) -> QueueEntry | None:
    async with routing.svc.sessions() as session:
        return await live_entry(session, call_id)


async def _offer_not_taken(routing: InboundRouting, event: CallLegChanged) -> None:
    leg, outcome = event.leg, event.outcome
    if leg.role != "agent" or event.was_joined or outcome not in _LEG_NOT_TAKEN:
        return
    org_id, call_id, agent_id = event.call.organization_id, event.call.id, str(leg.user_id)
    entry = await _entry_for(routing, call_id)
    if entry is None:
        direct_call = await direct.is_direct_offer(routing, call_id, agent_id)
        if direct_call is not None:
            await _after_offer(routing, org_id, agent_id, call_id, outcome)
            await direct.to_voicemail(routing, direct_call)
        return
    if entry.status != "offered" or entry.offered_to != agent_id:
        return
    await _after_offer(routing, org_id, agent_id, entry.call_id, outcome)
    await routing.back_to_waiting(entry.id, declined=agent_id)
    await routing.route(org_id)


async def _after_offer(
    routing: InboundRouting, org_id: str, agent_id: str, call_id: str, outcome: ProviderStatus
) -> None:
    now, bus = routing.svc.clock.now(), routing.svc.bus
    async with routing.svc.sessions() as session:
        if outcome is ProviderStatus.BUSY:  # the agent pressed reject
            await reject_offer(session, org_id, agent_id, call_id, now, bus=bus)
        elif outcome is ProviderStatus.NO_ANSWER:  # the offer timed out: missed, on break
            await time_out_offer(session, org_id, agent_id, call_id, now, bus=bus)
        else:
            await release_offer(session, org_id, agent_id, call_id, now, bus=bus)


async def _callback_taken(routing: InboundRouting, event: CallLegChanged) -> None:
    leg = event.leg
    if leg.role == "agent" and event.outcome is ProviderStatus.IN_PROGRESS and leg.user_id:
        await routing.waiting.agent_answered(event.call.id, leg.user_id)


async def _call_changed(routing: InboundRouting, event: CallStateChanged) -> None:
    call = event.call
    if call.owner.kind is not OwnerKind.QUEUE:  # only queue-owned calls have queue entries
        return
    entry = await _entry_for(routing, call.id)
    if entry is None:
        return
    now = routing.svc.clock.now()
    if entry.callback_number is not None and entry.call_id == entry.original_call_id:
        return  # the caller hung up to be called back: the entry keeps its place
    async with routing.svc.sessions() as session:
        row = await session.get(QueueEntry, entry.id)
        assert row is not None
        if event.trigger is Trigger.AGENT_CONNECTED:
            row.status, row.answered_at = "connected", now
            if row.detail.get("held"):
                await _take_off_hold(routing, row.call_id)
        elif call.state in _CALL_OVER:
            agent_id, ended_call = row.offered_to, row.call_id
            if await _retry_later(session, row, call.state, now):
                log.info(
                    "callback not answered: tried again later",
                    call_id=ended_call,
                    queue_id=row.queue_id,
                    tries=row.callback_tries,
                    not_before=row.not_before,
                )
            else:
                # A callback the customer did not pick up is not a caller who gave up.
                row.status = "callback_failed" if row.callback_number else "abandoned"
                row.ended_at = now
            if agent_id:
                await release_offer(
                    session, row.organization_id, agent_id, ended_call, now, bus=routing.svc.bus
                )
        else:
            return
        await session.commit()


async def _retry_later(
    session: AsyncSession, row: QueueEntry, state: CallState, now: datetime
) -> bool:
    """A callback whose customer did not answer, with tries left, waits again in its
    original place, not to be offered before the queue's retry delay has passed. Its next
    offer makes a new call (``call_id`` back to the request's call, as before the first)."""
    if row.callback_number is None or state not in _CALLBACK_NOT_ANSWERED:
        return False
    queue = await session.get(Queue, row.queue_id)
    # ``callback_tries`` counts the customer's dialling: 0 means this call never rang them.
    if queue is None or not 1 <= row.callback_tries <= queue.callback_retries:
        return False
    assert row.original_call_id is not None
    row.detail = {
        **row.detail,
        "unanswered_callbacks": [*row.detail.get("unanswered_callbacks", []), row.call_id],
    }
    row.status, row.offered_to, row.offered_at = "waiting", None, None
    row.call_id = row.original_call_id
    row.not_before = now + timedelta(minutes=queue.callback_retry_minutes)
    return True


async def _take_off_hold(routing: InboundRouting, call_id: str) -> None:
    """A customer who waited on hold after a transfer is now talking to the new agent."""
    async with routing.svc.sessions() as session:
        call = await session.get(Call, call_id)
    if call is None or not call.conference_sid or not call.provider_sid:
        return
    try:
        await routing.svc.provider.update_participant(
            call.conference_sid, call.provider_sid, ParticipantChange(hold=False)
        )
    except ProviderError as exc:
        log.warning("could not take the customer off hold", call_id=call_id, error=str(exc))

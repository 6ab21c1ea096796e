"""How inbound routing follows calls and agents: offers answered, refused or missed,
callers who hang up while waiting, and agents who become available."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from omnivox.agents import service as agents
from omnivox.agents.errors import AgentNotFound, AgentStateConflict
from omnivox.core.events import Event
from omnivox.core.logging import get_logger
from omnivox.routing.inbound import InboundRouting
from omnivox.routing.models import QueueEntry
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.models import Call
from omnivox.telephony.ports import ParticipantChange

log = get_logger(__name__)
_LEG_NOT_TAKEN = {"busy", "no-answer", "failed", "canceled"}
_CALL_OVER = {"abandoned", "completed", "failed", "canceled", "busy", "no_answer", "wrap_up"}


def follow(routing: InboundRouting) -> Callable[[Event], Awaitable[None]]:
    async def handle(event: Event) -> None:
        if event.remote:
            return
        org_id = event.audience.organization_id
        try:
            if event.name == "call.leg_changed":
                await _offer_not_taken(routing, org_id, event.data)
            elif event.name == "call.state_changed":
                await _call_changed(routing, event.data)
            elif event.name == "agent.state_changed" and event.data.get("state") == "available":
                await routing.route(org_id)
        except (AgentStateConflict, AgentNotFound) as exc:
            log.info("routing left an agent as they were", reason=str(exc), name=event.name)

    return handle


async def _entry_for(routing: InboundRouting, call_id: str) -> QueueEntry | None:
    async with routing.svc.sessions() as session:
        return await session.scalar(
            select(QueueEntry).where(
                QueueEntry.call_id == call_id, QueueEntry.status.in_(["waiting", "offered"])
            )
        )


async def _offer_not_taken(routing: InboundRouting, org_id: str, data: dict[str, object]) -> None:
    leg = data["leg"]
    assert isinstance(leg, dict)
    outcome = data.get("outcome")
    if leg["role"] != "agent" or data.get("was_joined") or outcome not in _LEG_NOT_TAKEN:
        return
    call = data["call"]
    assert isinstance(call, dict)
    entry = await _entry_for(routing, str(call["id"]))
    agent_id = str(leg["user_id"])
    if entry is None or entry.status != "offered" or entry.offered_to != agent_id:
        return
    now, bus = routing.svc.clock.now(), routing.svc.bus
    async with routing.svc.sessions() as session:
        if outcome == "busy":  # the agent pressed reject
            await agents.reject_offer(session, org_id, agent_id, entry.call_id, now, bus=bus)
        elif outcome == "no-answer":  # the offer timed out: missed, on break
            await agents.time_out_offer(session, org_id, agent_id, entry.call_id, now, bus=bus)
        else:
            await agents.release_offer(session, org_id, agent_id, entry.call_id, now, bus=bus)
    await routing.back_to_waiting(entry.id, declined=agent_id)
    await routing.route(org_id)


async def _call_changed(routing: InboundRouting, data: dict[str, object]) -> None:
    call = data["call"]
    assert isinstance(call, dict)
    if call["owner"]["kind"] != "queue":  # only queue-owned calls have queue entries
        return
    entry = await _entry_for(routing, str(call["id"]))
    if entry is None:
        return
    now = routing.svc.clock.now()
    async with routing.svc.sessions() as session:
        row = await session.get(QueueEntry, entry.id)
        assert row is not None
        if data.get("trigger") == "agent_connected":
            row.status, row.answered_at = "connected", now
            if row.detail.get("held"):
                await _take_off_hold(routing, row.call_id)
        elif call["state"] in _CALL_OVER:
            row.status, row.ended_at = "abandoned", now
            if row.offered_to:
                await agents.release_offer(
                    session,
                    row.organization_id,
                    row.offered_to,
                    row.call_id,
                    now,
                    bus=routing.svc.bus,
                )
        else:
            return
        await session.commit()


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

"""What an agent's state does with their line (the line itself: ``telephony/lines.py``).

* The line drops (browser closed or reloaded, network gone, never answered) while the
  agent is available or being offered a call: they are taken out of ``available`` at once,
  to ``break`` with the system reason ``line_lost`` — not ``offline``: they are still
  signed in and most drops are a reload or a blip, their time counts as not ready with a
  reason the reports show, and nothing in their day (missed count, shift) restarts. An
  agent on a call stays on it (the call's fate is the line watch's); one who finishes a
  call, or clicks Available, while their line is down goes to the same break.
* The line connects again: an agent on the ``line_lost`` break is available again, by the
  system, with no click.
* The agent goes offline: their line is hung up.
* The softphone of an agent with no line rang for an offer of an outbound call (a
  campaign's, or their own) and they did not take it: refused makes them available,
  rung out makes them missed (inbound routing does the same for queue calls).
"""

from __future__ import annotations

from sqlalchemy import select

from omnivox.agents import service
from omnivox.agents.errors import AgentNotFound, AgentStateConflict
from omnivox.agents.events import AgentStateChanged
from omnivox.agents.fsm import LINE_LOST_REASON, AgentState
from omnivox.agents.handlers import AgentGate
from omnivox.agents.models import AgentStatus
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.telephony import (
    CallLegChanged,
    Direction,
    LineConnected,
    LineDropped,
    LineService,
    LineStatus,
    OwnerKind,
    ProviderStatus,
)

log = get_logger(__name__)
_NOT_TAKEN = {
    ProviderStatus.BUSY,
    ProviderStatus.NO_ANSWER,
    ProviderStatus.FAILED,
    ProviderStatus.CANCELED,
}


def follow_lines(gate: AgentGate, lines: LineService, bus: EventBus) -> None:
    """Subscribe agents to their lines (this node's events only: the node that saw the
    line change acts, once)."""

    async def on_dropped(event: LineDropped) -> None:
        if event.reason != "offline":
            await _take_out(gate, event.audience.organization_id, event.user_id)

    async def on_connected(event: LineConnected) -> None:
        await _bring_back(gate, event.audience.organization_id, event.user_id)

    async def on_agent(event: AgentStateChanged) -> None:
        org_id = event.audience.organization_id
        if event.state is AgentState.OFFLINE:
            await lines.hang_up(org_id, event.user_id)
        elif event.state is AgentState.AVAILABLE:
            line = await lines.find(org_id, event.user_id)
            if line is not None and line.status is LineStatus.DROPPED:
                await _take_out(gate, org_id, event.user_id)

    async def on_leg(event: CallLegChanged) -> None:
        await _offer_not_taken(gate, event)

    bus.subscribe(LineDropped, on_dropped)
    bus.subscribe(LineConnected, on_connected)
    bus.subscribe(AgentStateChanged, on_agent)
    bus.subscribe(CallLegChanged, on_leg)


async def _status(gate: AgentGate, org_id: str, user_id: str) -> AgentStatus | None:
    async with gate.sessions() as session:
        row: AgentStatus | None = await session.scalar(
            select(AgentStatus).where(
                AgentStatus.organization_id == org_id, AgentStatus.user_id == user_id
            )
        )
        return row


async def _take_out(gate: AgentGate, org_id: str, user_id: str) -> None:
    status = await _status(gate, org_id, user_id)
    if status is None or status.state not in (AgentState.AVAILABLE, AgentState.RESERVED):
        return
    async with gate.sessions() as session:
        try:
            await service.take_out_for_lost_line(
                session, org_id, user_id, LINE_LOST_REASON, gate.clock.now(), bus=gate.bus
            )
        except (AgentStateConflict, AgentNotFound) as exc:
            log.info("agent not taken out for a lost line", agentId=user_id, reason=str(exc))


async def _bring_back(gate: AgentGate, org_id: str, user_id: str) -> None:
    status = await _status(gate, org_id, user_id)
    if status is None or status.state != AgentState.BREAK or status.reason != LINE_LOST_REASON:
        return
    async with gate.sessions() as session:
        try:
            await service.back_from_lost_line(
                session, org_id, user_id, gate.clock.now(), bus=gate.bus
            )
        except (AgentStateConflict, AgentNotFound) as exc:
            log.info("agent not brought back with their line", agentId=user_id, reason=str(exc))


async def _offer_not_taken(gate: AgentGate, event: CallLegChanged) -> None:
    """Inbound calls' offers are routing's (``routing/handlers.py``); outbound calls'
    (the dialler's, the agent's own) are settled here."""
    leg, call = event.leg, event.call
    if (
        leg.role != "agent"
        or not leg.user_id
        or event.was_joined
        or event.outcome not in _NOT_TAKEN
        or call.direction is not Direction.OUTBOUND
        or call.owner.kind is OwnerKind.QUEUE
    ):
        return
    async with gate.sessions() as session:
        try:
            await service.settle_unanswered_offer(
                session,
                call.organization_id,
                leg.user_id,
                call.id,
                gate.clock.now(),
                refused=event.outcome is ProviderStatus.BUSY,
                rang_out=event.outcome is ProviderStatus.NO_ANSWER,
                bus=gate.bus,
            )
        except (AgentStateConflict, AgentNotFound) as exc:
            log.info("offer already settled", agentId=leg.user_id, callId=call.id, reason=str(exc))

"""What agents do when calls change: the call service announces, agents follow.

Reservations are made synchronously through ``AgentGate`` (the caller needs the answer:
place the call or refuse); everything after that follows the call's published state
changes, on the node that published them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.agents import service
from omnivox.agents.errors import AgentNotFound, AgentStateConflict
from omnivox.agents.fsm import Actor, AgentState
from omnivox.agents.models import AgentStatus
from omnivox.core.clock import Clock
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.telephony import (
    PRE_ANSWER_STATES,
    TALKING_STATES,
    TERMINAL_STATES,
    CallState,
    CallStateChanged,
    Direction,
    OwnerKind,
    Trigger,
)

log = get_logger(__name__)
_BEFORE_AGENT = PRE_ANSWER_STATES | {CallState.ANSWERED_HUMAN, CallState.ANSWERED_MACHINE}
_ENDED_UNCONNECTED = TERMINAL_STATES


@dataclass
class AgentGate:
    """The call side's handle on agents (telephony never imports this domain)."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    bus: EventBus

    async def finish_wrap_up(self, org_id: str, user_id: str, call_id: str) -> bool:
        """End the agent's wrap-up for ``call_id`` (False if they are not in it)."""
        async with self.sessions() as session:
            status = await session.scalar(
                select(AgentStatus).where(
                    AgentStatus.organization_id == org_id, AgentStatus.user_id == user_id
                )
            )
            if (
                status is None
                or status.state != AgentState.WRAP_UP
                or status.current_call_id != call_id
            ):
                return False
            await service.finish_wrap_up(
                session, org_id, user_id, self.clock.now(), bus=self.bus, by=Actor.SELF
            )
            return True

    async def expire_wrap_ups(self, seconds: float) -> int:
        """Agents left in wrap-up longer than ``seconds`` are made available (system)."""
        now, done = self.clock.now(), 0
        async with self.sessions() as session:
            stale = list(
                await session.scalars(
                    select(AgentStatus).where(
                        AgentStatus.state == AgentState.WRAP_UP,
                        AgentStatus.since <= now - timedelta(seconds=seconds),
                    )
                )
            )
            for status in stale:
                try:
                    await service.finish_wrap_up(
                        session, status.organization_id, status.user_id, now, bus=self.bus
                    )
                    done += 1
                except AgentStateConflict:
                    continue
        return done

    async def reserve(self, org_id: str, user_id: str, call_id: str) -> bool:
        async with self.sessions() as session:
            try:
                return await service.reserve_agent(
                    session, org_id, user_id, call_id, self.clock.now(), bus=self.bus
                )
            except AgentNotFound:
                return False


def follow_calls(gate: AgentGate, bus: EventBus) -> None:
    """Move agents through on_call, wrap_up and back with their calls (this node's events:
    the node that applied a call change moves its agent, once)."""

    async def handle(event: CallStateChanged) -> None:
        call = event.call
        async with gate.sessions() as session:
            try:
                await _follow(gate, session, event)
            except (AgentStateConflict, AgentNotFound) as exc:
                log.info(
                    "agent state not changed by call",
                    call_id=call.id,
                    agent_id=call.agent_id,
                    call_state=call.state,
                    reason=str(exc),
                )

    bus.subscribe(CallStateChanged, handle)


async def _follow(gate: AgentGate, session: AsyncSession, event: CallStateChanged) -> None:
    now, bus = gate.clock.now(), gate.bus
    org_id, call_id, agent_id = event.call.organization_id, event.call.id, event.call.agent_id
    trigger, previous, state = event.trigger, event.previous, event.current
    if trigger is Trigger.AGENT_CONNECTED and agent_id:
        await service.start_call(session, org_id, agent_id, call_id, now, bus=bus)
    elif trigger in {Trigger.TRANSFER_COMPLETED, Trigger.TRANSFER_COMPLETED_TO_QUEUE}:
        await _hand_over(gate, session, org_id, call_id, agent_id)
    elif trigger is Trigger.AMD_MACHINE and previous in TALKING_STATES and agent_id:
        # The dialler takes a machine back from the agent: available again, no wrap-up.
        await service.withdraw_call(session, org_id, agent_id, call_id, now, bus=bus)
    elif trigger is Trigger.TRANSFER_FAILED:
        for other in await _holding(session, org_id, call_id, exclude=agent_id):
            await service.release_offer(session, org_id, other.user_id, call_id, now, bus=bus)
    elif state is CallState.WRAP_UP and previous is not CallState.WRAP_UP and agent_id:
        await service.end_call(session, org_id, agent_id, call_id, now, bus=bus)
    elif state is CallState.COMPLETED and previous is CallState.WRAP_UP and agent_id:
        await service.finish_wrap_up(session, org_id, agent_id, now, bus=bus)
    elif state in _ENDED_UNCONNECTED and previous in PRE_ANSWER_STATES and _own(event):
        assert agent_id is not None
        # Their own call was not answered (busy, no answer): wrap-up, for their notes.
        await service.own_call_failed(session, org_id, agent_id, call_id, now, bus=bus)
    elif state in _ENDED_UNCONNECTED and previous in _BEFORE_AGENT and agent_id:
        await service.release_offer(session, org_id, agent_id, call_id, now, bus=bus)


def _own(event: CallStateChanged) -> bool:
    """The agent's own outbound call (click-to-call, preview, manual dial): it names its
    agent from the moment it is placed; the dialler's calls get one only when answered."""
    call = event.call
    return (
        call.agent_id is not None
        and call.direction is Direction.OUTBOUND
        and call.owner.kind in (OwnerKind.AGENT, OwnerKind.CAMPAIGN)
    )


async def _hand_over(
    gate: AgentGate, session: AsyncSession, org_id: str, call_id: str, new_agent: str | None
) -> None:
    """The transfer target now has the call; the agent who transferred it is free."""
    now, bus = gate.clock.now(), gate.bus
    if new_agent:
        await service.start_call(session, org_id, new_agent, call_id, now, bus=bus)
    for old in await _holding(session, org_id, call_id, exclude=new_agent):
        if old.state == AgentState.ON_CALL:
            # Wrap-up for their part of the call: they disposition it too.
            await service.end_call(session, org_id, old.user_id, call_id, now, bus=bus)


async def _holding(
    session: AsyncSession, org_id: str, call_id: str, exclude: str | None
) -> list[AgentStatus]:
    rows = await session.scalars(
        select(AgentStatus).where(
            AgentStatus.organization_id == org_id, AgentStatus.current_call_id == call_id
        )
    )
    return [r for r in rows if r.user_id != exclude]

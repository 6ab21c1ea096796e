"""How the rollups follow the calls and agents: an ended call is added once (with a batch
of others, ``batcher``), an agent's state change recomputes the intervals of the state it
closed. Each runs in its own transaction after the event's; a failure is logged, and the
sweep or a rebuild puts it right."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.agents import AgentStateChanged
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.reporting.batcher import CallBatcher
from omnivox.reporting.upkeep import count_call, opened_before, recount_agent, relax_commit
from omnivox.telephony import CallEnded

log = get_logger(__name__)


async def add_ended_call(
    sessions: async_sessionmaker[AsyncSession], org_id: str, call_id: str
) -> bool:
    """Count the call in the rollup once, in its own transaction; False if it was
    already (or is not ended). Live upkeep counts in batches (``CallBatcher``)."""
    # ON CONFLICT keeps a second count out, even one racing on another node.
    async with sessions() as session:
        await relax_commit(session)
        counted = await count_call(session, org_id, call_id)
        await session.commit()
    return counted


async def follow_agent_change(
    sessions: async_sessionmaker[AsyncSession], event: AgentStateChanged
) -> None:
    org_id = event.audience.organization_id
    for _attempt in range(2):  # a concurrent recount of the same agent: redo it once
        async with sessions() as session:
            # The agent's first change ever closes nothing, but may be a login.
            opened = await opened_before(session, org_id, event.user_id, event.at)
            try:
                await recount_agent(session, org_id, event.user_id, opened or event.at, event.at)
                await session.commit()
                return
            except IntegrityError:
                await session.rollback()
    log.warning("agent state rollup not updated", agent_id=event.user_id)


def follow(sessions: async_sessionmaker[AsyncSession], bus: EventBus, batcher: CallBatcher) -> None:
    """Subscribe the rollups to call endings and agent state changes (this node's only)."""

    async def on_call_ended(event: CallEnded) -> None:
        batcher.add(event.call.organization_id, event.call.id)

    async def on_agent(event: AgentStateChanged) -> None:
        await follow_agent_change(sessions, event)

    bus.subscribe(CallEnded, on_call_ended)
    bus.subscribe(AgentStateChanged, on_agent)

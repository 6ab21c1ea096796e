"""One routing pass's reads and writes: the router rebuilt from the database (the truth,
shared by every node), and an entry claimed for an agent with a versioned update (another
node that offered it first wins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.routing.acd import Router
from omnivox.routing.floor import ready_agents
from omnivox.routing.models import Queue, QueueEntry
from omnivox.routing.ports import HeldAgents
from omnivox.routing.types import QueueConfig, Strategy, WaitingCall
from omnivox.routing.waiting import offerable


async def load_pass(
    session: AsyncSession, org_id: str, now: datetime, held_agents: HeldAgents
) -> tuple[Router, dict[str, QueueEntry], dict[str, Queue]]:
    """The organisation's router for one pass: its queues, the calls waiting (a callback
    to try again later keeps its place unseen) and the agents ready now."""
    router = Router()
    queues = {
        q.id: q for q in await session.scalars(select(Queue).where(Queue.organization_id == org_id))
    }
    for q in queues.values():
        router.upsert_queue(
            QueueConfig(q.id, Strategy(q.strategy), q.priority, q.service_level_seconds)
        )
    entries = {
        e.call_id: e
        for e in await session.scalars(
            select(QueueEntry).where(
                QueueEntry.organization_id == org_id,
                QueueEntry.status == "waiting",
                offerable(now),
            )
        )
    }
    for e in entries.values():
        required = queues[e.queue_id].required_skills or {}
        router.enqueue(WaitingCall(e.call_id, e.queue_id, e.enqueued_at, required_skills=required))
    for candidate in await ready_agents(session, org_id, now, held_agents):
        router.agent_ready(candidate)
    return router, entries, queues


async def mark_offered(
    session: AsyncSession, entry: QueueEntry, agent_id: str, now: datetime, call_id: str
) -> bool:
    """waiting -> offered to ``agent_id`` (ringing ``call_id``), if no one changed the entry
    since it was read; committed."""
    claimed = await session.execute(
        update(QueueEntry)
        .where(
            QueueEntry.id == entry.id,
            QueueEntry.status == "waiting",
            QueueEntry.version == entry.version,
        )
        .values(
            status="offered",
            offered_to=agent_id,
            offered_at=now,
            call_id=call_id,
            version=entry.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]

"""What inbound routing reads about the floor: whether the organisation is open, and which
agents are ready for which queues with which skills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization, list_business_hours, list_holidays, skill_levels
from omnivox.agents import list_ready_agents
from omnivox.routing.hours import BusinessHours, Holiday, WeeklyInterval
from omnivox.routing.models import QueueMember
from omnivox.routing.ports import HeldAgents
from omnivox.routing.types import AgentCandidate


async def open_now(session: AsyncSession, org: Organization, now: datetime) -> bool:
    rows = await list_business_hours(session, org.id)
    holidays = await list_holidays(session, org.id)
    hours = BusinessHours(
        org.timezone,
        tuple(WeeklyInterval(r.weekday, r.opens, r.closes) for r in rows),
        tuple(Holiday(h.starts_on, h.ends_on, h.name) for h in holidays),
    )
    return hours.is_open(now)


async def ready_agents(
    session: AsyncSession, org_id: str, now: datetime, held: HeldAgents
) -> list[AgentCandidate]:
    """Available agents with their queues and skills; an agent looking at a previewed
    campaign contact is about to dial it (``held``), so no call is offered to them
    meanwhile."""
    ready = await list_ready_agents(session, org_id, held(org_id, now))
    ids = [a.user_id for a in ready]
    memberships: dict[str, dict[str, int]] = {}
    for m in await session.scalars(select(QueueMember).where(QueueMember.user_id.in_(ids))):
        memberships.setdefault(m.user_id, {})[m.queue_id] = m.priority
    skills = await skill_levels(session, ids)
    return [
        AgentCandidate(a.user_id, a.since, memberships[a.user_id], skills.get(a.user_id, {}))
        for a in ready
        if a.user_id in memberships and a.since is not None
    ]

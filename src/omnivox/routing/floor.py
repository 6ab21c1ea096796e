"""What inbound routing reads about the floor: whether the organisation is open, and which
agents are ready for which queues with which skills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts.models import BusinessHours as HoursRow
from omnivox.accounts.models import Holiday as HolidayRow
from omnivox.accounts.models import Organization, UserSkill
from omnivox.agents.fsm import AgentState
from omnivox.agents.models import AgentStatus
from omnivox.routing.hours import BusinessHours, Holiday, WeeklyInterval
from omnivox.routing.models import QueueMember
from omnivox.routing.ports import HeldAgents
from omnivox.routing.types import AgentCandidate


async def open_now(session: AsyncSession, org: Organization, now: datetime) -> bool:
    rows = await session.scalars(select(HoursRow).where(HoursRow.organization_id == org.id))
    holidays = await session.scalars(select(HolidayRow).where(HolidayRow.organization_id == org.id))
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
    ready = list(
        await session.scalars(
            select(AgentStatus).where(
                AgentStatus.organization_id == org_id,
                AgentStatus.state == AgentState.AVAILABLE,
                AgentStatus.user_id.not_in(held(org_id, now)),
            )
        )
    )
    ids = [a.user_id for a in ready]
    memberships: dict[str, dict[str, int]] = {}
    for m in await session.scalars(select(QueueMember).where(QueueMember.user_id.in_(ids))):
        memberships.setdefault(m.user_id, {})[m.queue_id] = m.priority
    skills: dict[str, dict[str, int]] = {}
    for s in await session.scalars(select(UserSkill).where(UserSkill.user_id.in_(ids))):
        skills.setdefault(s.user_id, {})[s.skill_id] = s.proficiency
    return [
        AgentCandidate(a.user_id, a.since, memberships[a.user_id], skills.get(a.user_id, {}))
        for a in ready
        if a.user_id in memberships and a.since is not None
    ]

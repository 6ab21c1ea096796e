"""Whom a supervisor may see and act on: every agent of the organisation, or — when the
organisation bounds supervisors by their teams — those who share a team with them.

Asked by the live floor (agents list, calls, the event stream), monitoring and the agent
actions (force state, log out, hang up a call). Administrators and the platform operator
are never bounded; an agent's own records are governed by the routes themselves.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts.models import Organization, TeamMember
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal

TEAMS = "teams"


async def reach_of(session: AsyncSession, actor: Principal) -> frozenset[str] | None:
    """User ids the actor may see as a supervisor; None: the whole organisation."""
    if actor.role is not Role.SUPERVISOR:
        return None
    org = await session.get(Organization, actor.organization_id)
    if org is None or org.supervisor_scope != TEAMS:
        return None
    mine = select(TeamMember.team_id).where(TeamMember.user_id == actor.user_id)
    members = await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id.in_(mine)))
    return frozenset({actor.user_id, *members})


def within(reach: frozenset[str] | None, user_id: str | None) -> bool:
    return reach is None or (user_id is not None and user_id in reach)

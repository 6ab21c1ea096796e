"""Whose figures a person may see: an organisation's admins and report viewers everything
(``reports:all``); supervisors (``reports:teams``) as far as their reach goes — every
agent, or the agents of their teams when the organisation bounds supervisors by team
(``accounts.reach_of``); everyone else their own (``reports:own``)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import reach_of
from omnivox.core.errors import PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.reporting.names import team_agents

_OUTSIDE = "you may see only your own figures and your teams' agents'"


async def agent_scope(session: AsyncSession, actor: Principal) -> frozenset[str] | None:
    """The agents whose figures ``actor`` may see; None: all of the organisation's."""
    if actor.can(Permission.REPORTS_ALL):
        return None
    if actor.can(Permission.REPORTS_TEAMS):
        return await reach_of(session, actor)
    return frozenset({actor.user_id})


def check_agent_filter(scope: frozenset[str] | None, filters: Mapping[str, str]) -> None:
    """A filter naming an agent outside the scope is refused (after it is resolved)."""
    agent = filters.get("agent")
    if scope is not None and agent is not None and agent not in scope:
        raise PermissionDenied(_OUTSIDE)


async def narrow_to_team(
    session: AsyncSession,
    org_id: str,
    scope: frozenset[str] | None,
    filters: Mapping[str, str],
) -> tuple[dict[str, str], frozenset[str] | None]:
    """A resolved ``team`` filter turned into the agents it narrows to: the filters
    without it and the team's members (within ``scope``). A team with anyone outside
    the scope is refused, naming it, rather than shown in part."""
    rest = {k: v for k, v in filters.items() if k != "team"}
    team = filters.get("team")
    if team is None:
        return rest, scope
    members = await team_agents(session, org_id, team)
    if scope is not None and not members <= scope:
        raise PermissionDenied(f"team {team} is outside your reach: {_OUTSIDE}")
    return rest, members

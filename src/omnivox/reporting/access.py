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
        raise PermissionDenied("you may see only your own figures and your teams' agents'")

"""The login/logout template: per agent and local day, the first login, the last logout,
the time logged in and the number of sessions, from the raw agent state history.

A *login* is a change out of ``offline``, a *logout* a change into it; a *session* runs
from a login to the next logout. A session counts in the local day (organisation's time
zone) it began, even when it runs past midnight; its time is counted up to its logout,
cut at the end of the range (or now, if sooner). A logout after the range is still shown
as the day's last logout; an agent with no logout yet shows none and
``still_logged_in``. Sessions that began before the range belong to earlier days and are
left out. Filtered by agent and by team (the team's members of today, as every report).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import get_organization
from omnivox.agents import AgentState, AgentStateHistory
from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput
from omnivox.reporting.access import check_agent_filter, narrow_to_team
from omnivox.reporting.intervals import as_utc
from omnivox.reporting.names import load_names, resolve_filters
from omnivox.reporting.query import ReportResult, local_bounds
from omnivox.reporting.request import ReportRequest, check_request

COLUMNS = [
    "day",
    "agent",
    "agent_id",
    "first_login",
    "last_logout",
    "logged_in_time",
    "sessions",
    "still_logged_in",
]
_OFFLINE = AgentState.OFFLINE.value


@dataclass(frozen=True, slots=True)
class Session:
    agent_id: str
    login: datetime
    logout: datetime | None  # None: still logged in


def sessions_of(
    rows: Iterable[AgentStateHistory], logouts_after: Mapping[str, datetime]
) -> list[Session]:
    """Sessions that began among ``rows`` (ordered per agent by time and sequence); one
    still open at the last row closes at the agent's ``logouts_after`` entry, if any."""
    found: list[Session] = []
    opened: dict[str, datetime] = {}
    for row in rows:
        if row.from_state == _OFFLINE and row.to_state != _OFFLINE:
            opened.setdefault(row.user_id, as_utc(row.at))
        elif row.to_state == _OFFLINE and row.user_id in opened:
            found.append(Session(row.user_id, opened.pop(row.user_id), as_utc(row.at)))
    for agent, login in opened.items():
        logout = logouts_after.get(agent)
        found.append(Session(agent, login, as_utc(logout) if logout else None))
    return found


def day_rows(sessions: Iterable[Session], tz: ZoneInfo, cap: datetime) -> list[dict[str, Any]]:
    """One row per agent per local day of login (without the agent's label)."""
    days: dict[tuple[date, str], list[Session]] = {}
    for s in sessions:
        days.setdefault((s.login.astimezone(tz).date(), s.agent_id), []).append(s)
    rows = []
    for (day, agent), group in sorted(days.items()):
        still = any(s.logout is None for s in group)
        seconds = sum(
            max(0.0, (min(s.logout or cap, cap) - s.login).total_seconds()) for s in group
        )
        last = None if still else max(s.logout for s in group if s.logout is not None)
        rows.append(
            {
                "day": day.isoformat(),
                "agent_id": agent,
                "first_login": min(s.login for s in group).astimezone(tz).isoformat(),
                "last_logout": last.astimezone(tz).isoformat() if last else None,
                "logged_in_time": round(seconds, 1),
                "sessions": len(group),
                "still_logged_in": still,
            }
        )
    return rows


async def login_logout(
    session: AsyncSession,
    org_id: str,
    start: date,
    end: date,
    filters: Mapping[str, str],
    settings: Settings,
    agents: frozenset[str] | None = None,
    now: datetime | None = None,
) -> ReportResult:
    """The template over local dates ``start``..``end``; ``agents`` narrows it to those
    agents (see ``access``), a ``team`` filter to the team's members, as every report."""
    if set(filters) - {"agent", "team"}:
        raise InvalidInput.on(
            "filter", "the login/logout report is filtered by agent and team only"
        )
    check_request(ReportRequest(("time_logged_in",), start, end), settings.report_max_days)
    tz = ZoneInfo((await get_organization(session, org_id)).timezone)
    resolved = await resolve_filters(session, org_id, filters)
    check_agent_filter(agents, resolved)
    resolved, agents = await narrow_to_team(session, org_id, agents, resolved)
    lo, hi = local_bounds(start, end, tz)
    scope = AgentStateHistory.organization_id == org_id
    if "agent" in resolved:
        scope = and_(scope, AgentStateHistory.user_id == resolved["agent"])
    if agents is not None:
        scope = and_(scope, AgentStateHistory.user_id.in_(agents))
    rows = list(
        await session.scalars(
            select(AgentStateHistory)
            .where(scope, AgentStateHistory.at >= lo, AgentStateHistory.at < hi)
            .order_by(AgentStateHistory.user_id, AgentStateHistory.at, AgentStateHistory.seq)
        )
    )
    found = sessions_of(rows, await _logouts_after(session, scope, rows, hi))
    cap = min(hi, as_utc(now or datetime.now(UTC)))
    names = await load_names(session, org_id)
    out = day_rows(found, tz, cap)
    for row in out:
        row["agent"] = names.label("agent", row["agent_id"])
    out.sort(key=lambda r: (r["day"], r["agent"], r["agent_id"]))
    return ReportResult(COLUMNS, [{c: r[c] for c in COLUMNS} for r in out])


async def _logouts_after(
    session: AsyncSession, scope: Any, rows: list[AgentStateHistory], hi: datetime
) -> dict[str, datetime]:
    """Each agent still logged in at the range's end: their first logout after it."""
    last: dict[str, str] = {}
    for row in rows:
        last[row.user_id] = row.to_state
    open_agents = [agent for agent, state in last.items() if state != _OFFLINE]
    if not open_agents:
        return {}
    found = await session.execute(
        select(AgentStateHistory.user_id, func.min(AgentStateHistory.at))
        .where(
            scope,
            AgentStateHistory.user_id.in_(open_agents),
            AgentStateHistory.to_state == _OFFLINE,
            AgentStateHistory.at >= hi,
        )
        .group_by(AgentStateHistory.user_id)
    )
    return {agent: at for agent, at in found}

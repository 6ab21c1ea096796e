"""What supervisors read: the live agent list and time in each state, from stored data.

Time in state is computed from the append-only history: an agent's state at the start of
the period is the target of their last change before it (offline if none), and each later
change closes the running interval. The period is clipped at ``now``: the future has no
time in any state yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import User
from omnivox.agents import repository
from omnivox.agents.fsm import AgentState
from omnivox.agents.models import AgentStateHistory, AgentStatus
from omnivox.agents.schemas import (
    AgentStatusRead,
    AgentTimeInState,
    HistoryEntryRead,
    TimeInStateReport,
)
from omnivox.core.errors import InvalidInput

#: Longest period one report may cover (a year), to bound the history scanned.
MAX_REPORT_DAYS = 366


def _to_read(
    user: User, status: AgentStatus | None, now: datetime, line: str | None = None
) -> AgentStatusRead:
    since = status.since if status else None
    return AgentStatusRead(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        state=AgentState(status.state) if status else AgentState.OFFLINE,
        reason=status.reason if status else None,
        since=since,
        seconds_in_state=max(0.0, (now - since).total_seconds()) if since else None,
        current_call_id=status.current_call_id if status else None,
        missed_count=status.missed_count if status else 0,
        line=line or "none",
    )


async def list_agents(
    session: AsyncSession, org_id: str, now: datetime, *, floor: bool = False
) -> list[AgentStatusRead]:
    """Active agents of the organisation with their state, time in it and line (two
    queries, whatever the number of agents); ``floor``: only those on the floor (see
    ``repository.list_agents``)."""
    lines = await repository.line_states(session, org_id)
    return [
        _to_read(u, s, now, lines.get(u.id))
        for u, s in await repository.list_agents(session, org_id, floor=floor)
    ]


class FloorAgent(NamedTuple):
    """One person on the floor as a wallboard shows them (a tuple: a wallboard builds
    thousands on every rebuild)."""

    user_id: str
    name: str
    state: AgentState
    reason: str | None
    since: datetime | None  # None: never signed in as an agent
    line: str  # none (never asked for one), connecting, connected, dropped, off


_STATES = {s.value: s for s in AgentState}


async def floor_board(session: AsyncSession, org_id: str) -> list[FloorAgent]:
    """The people ``list_agents(floor=True)`` lists, with what a wallboard shows of them
    (two queries of plain columns, whatever the number of agents)."""
    lines = await repository.line_states(session, org_id)
    offline = AgentState.OFFLINE
    return [
        FloorAgent(
            user_id,
            name,
            _STATES[state] if state else offline,
            reason,
            since,
            lines.get(user_id) or "none",
        )
        for user_id, name, state, reason, since in await repository.floor_states(session, org_id)
    ]


async def get_agent(
    session: AsyncSession, org_id: str, user_id: str, now: datetime
) -> AgentStatusRead:
    user = await repository.get_agent_user(session, org_id, user_id)  # 404 if not ours
    lines = await repository.line_states(session, org_id, user_id)
    status = await repository.find_status(session, org_id, user_id)
    return _to_read(user, status, now, lines.get(user_id))


async def agent_history(
    session: AsyncSession, org_id: str, user_id: str, start: datetime, end: datetime
) -> list[HistoryEntryRead]:
    _check_period(start, end)
    await repository.get_agent_user(session, org_id, user_id)  # 404 if not ours
    # Inclusive end: "history up to now" must show the change made this instant.
    rows = await repository.list_history(session, org_id, start, end, user_id, include_end=True)
    return [HistoryEntryRead.model_validate(r) for r in rows]


@dataclass
class Totals:
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    break_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))


@dataclass(frozen=True)
class Change:
    user_id: str
    to_state: str
    reason: str | None
    at: datetime


def compute_time_in_state(
    opening: Mapping[str, tuple[str, str | None]],
    changes: Iterable[Change],
    start: datetime,
    end: datetime,
) -> dict[str, Totals]:
    """Seconds per state per agent in ``[start, end)``. Pure.

    ``opening`` maps an agent to (state, reason) at ``start``; ``changes`` are in order per
    agent and fall inside the period.
    """
    totals: dict[str, Totals] = defaultdict(Totals)
    cursor: dict[str, tuple[datetime, str, str | None]] = {
        user: (start, state, reason) for user, (state, reason) in opening.items()
    }

    def close(user: str, until: datetime) -> None:
        since, state, reason = cursor.get(user, (start, AgentState.OFFLINE.value, None))
        seconds = max(0.0, (min(until, end) - since).total_seconds())
        totals[user].seconds[state] += seconds
        if state == AgentState.BREAK.value and reason:
            totals[user].break_seconds[reason] += seconds

    for ch in changes:
        close(ch.user_id, ch.at)
        cursor[ch.user_id] = (max(ch.at, start), ch.to_state, ch.reason)
    for user in list(cursor):
        close(user, end)
    return dict(totals)


def _check_period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput.on("end", "must be after start")
    if (end - start).days > MAX_REPORT_DAYS:
        raise InvalidInput.on("end", f"a report covers at most {MAX_REPORT_DAYS} days")


def _change(row: AgentStateHistory) -> Change:
    return Change(row.user_id, row.to_state, row.reason, row.at)


async def time_in_state(
    session: AsyncSession, org_id: str, start: datetime, end: datetime, now: datetime
) -> TimeInStateReport:
    _check_period(start, end)
    until = max(start, min(end, now))
    agents = await repository.list_agents(session, org_id)
    before = await repository.last_history_before(session, org_id, start)
    opening: dict[str, tuple[str, str | None]] = {
        u.id: (AgentState.OFFLINE.value, None) for u, _s in agents
    }
    opening.update({r.user_id: (r.to_state, r.reason) for r in before})
    rows = await repository.list_history(session, org_id, start, until)
    totals = compute_time_in_state(opening, map(_change, rows), start, until)
    names = {u.id: u.name for u, _s in agents}
    return TimeInStateReport(
        start=start,
        end=until,
        agents=[
            AgentTimeInState(
                user_id=user_id,
                name=names.get(user_id, ""),
                seconds={k: round(v, 3) for k, v in sorted(t.seconds.items()) if v > 0},
                break_seconds={k: round(v, 3) for k, v in sorted(t.break_seconds.items())},
            )
            for user_id, t in sorted(totals.items(), key=lambda kv: names.get(kv[0], kv[0]))
        ],
    )

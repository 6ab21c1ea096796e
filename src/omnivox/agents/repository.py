"""Agent queries: status rows (created on first use), compare-and-set writes, history.

Never commits; the service owns the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import User
from omnivox.agents.errors import AgentNotFound
from omnivox.agents.fsm import AgentSnapshot, AgentState, HistoryEntry
from omnivox.agents.models import AgentStateHistory, AgentStatus
from omnivox.core.security.permissions import ROLE_PERMISSIONS, Permission, Role
from omnivox.telephony import AgentLine

#: Roles that work calls, i.e. can be agents.
AGENT_ROLES = sorted(
    role.value for role, perms in ROLE_PERMISSIONS.items() if Permission.AGENT_STATE_OWN in perms
)


def to_snapshot(row: AgentStatus) -> AgentSnapshot:
    return AgentSnapshot(
        AgentState(row.state), row.since, row.reason, row.current_call_id, row.missed_count
    )


async def find_status(session: AsyncSession, org_id: str, user_id: str) -> AgentStatus | None:
    # populate_existing: after a lost compare-and-set the identity map holds stale values.
    return await session.scalar(
        select(AgentStatus)
        .where(AgentStatus.user_id == user_id, AgentStatus.organization_id == org_id)
        .execution_options(populate_existing=True)
    )


async def get_agent_user(session: AsyncSession, org_id: str, user_id: str) -> User:
    """The user, if they are in ``org_id`` and their role works calls; else 404."""
    user = await session.scalar(
        select(User).where(
            User.id == user_id, User.organization_id == org_id, User.role.in_(AGENT_ROLES)
        )
    )
    if user is None:
        raise AgentNotFound("agent not found")
    return user


async def get_or_create_status(
    session: AsyncSession, org_id: str, user_id: str, now: datetime
) -> AgentStatus:
    """The agent's status row; an agent never seen before starts offline now."""
    row = await find_status(session, org_id, user_id)
    if row is not None:
        return row
    await get_agent_user(session, org_id, user_id)
    try:
        async with session.begin_nested():  # another node may create it at the same moment
            session.add(
                AgentStatus(
                    organization_id=org_id,
                    user_id=user_id,
                    state=AgentState.OFFLINE.value,
                    since=now,
                    missed_count=0,
                    version=0,
                )
            )
    except IntegrityError:
        pass
    row = await find_status(session, org_id, user_id)
    assert row is not None
    return row


async def compare_and_set(
    session: AsyncSession, row: AgentStatus, after: AgentSnapshot
) -> int | None:
    """Write ``after`` only if nobody changed the row since it was read.

    Returns the new version, or None when another writer won (the caller re-reads and
    re-decides). This conditional UPDATE is what makes ``reserve`` safe across nodes.
    """
    new_version = row.version + 1
    result = await session.execute(
        update(AgentStatus)
        .where(AgentStatus.id == row.id, AgentStatus.version == row.version)
        .values(
            state=after.state.value,
            reason=after.reason,
            since=after.since,
            current_call_id=after.call_id,
            missed_count=after.missed_count,
            version=new_version,
        )
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return new_version if result.rowcount == 1 else None


def append_history(
    session: AsyncSession,
    row: AgentStatus,
    entry: HistoryEntry,
    seq: int,
    actor_id: str | None,
) -> None:
    session.add(
        AgentStateHistory(
            organization_id=row.organization_id,
            user_id=row.user_id,
            from_state=entry.from_state.value,
            to_state=entry.to_state.value,
            reason=entry.reason,
            call_id=entry.call_id,
            at=entry.at,
            by=entry.by.value,
            actor_id=actor_id,
            seq=seq,
        )
    )


_Q = TypeVar("_Q", bound="Select[*tuple[Any, ...]]")


async def list_agents(
    session: AsyncSession, org_id: str, *, floor: bool = False
) -> list[tuple[User, AgentStatus | None]]:
    """Everyone who can work as an agent; ``floor``: only the people on the floor, i.e.
    agents by role, and anyone else (a supervisor, an admin) while signed in as an agent
    (not offline), so an administrator who never takes calls is not listed as an agent."""
    query = _agents(select(User, AgentStatus), org_id, floor)
    return [(u, s) for u, s in (await session.execute(query)).all()]


async def floor_states(
    session: AsyncSession, org_id: str
) -> list[tuple[str, str, str | None, str | None, datetime | None]]:
    """The people ``list_agents(floor=True)`` lists, as (user id, name, state, reason,
    since) only: a wallboard of thousands of agents loads no user or status objects."""
    columns = select(User.id, User.name, AgentStatus.state, AgentStatus.reason, AgentStatus.since)
    rows = (await session.execute(_agents(columns, org_id, True))).all()
    return [(uid, name, state, reason, since) for uid, name, state, reason, since in rows]


def _agents(query: _Q, org_id: str, floor: bool) -> _Q:
    query = (
        query.outerjoin(AgentStatus, AgentStatus.user_id == User.id)
        .where(User.organization_id == org_id, User.role.in_(AGENT_ROLES), User.is_active)
        .order_by(User.name, User.id)
    )
    if floor:
        working = AgentStatus.state.is_not(None) & (AgentStatus.state != AgentState.OFFLINE)
        query = query.where((User.role == Role.AGENT.value) | working)
    return query


async def line_states(
    session: AsyncSession, org_id: str, user_id: str | None = None
) -> dict[str, str]:
    """Agents' line statuses (agents who never asked for a line are absent)."""
    query = select(AgentLine.user_id, AgentLine.status).where(AgentLine.organization_id == org_id)
    if user_id is not None:
        query = query.where(AgentLine.user_id == user_id)
    return {uid: status for uid, status in (await session.execute(query)).all()}


async def list_history(
    session: AsyncSession,
    org_id: str,
    start: datetime,
    end: datetime,
    user_id: str | None = None,
    *,
    include_end: bool = False,
) -> list[AgentStateHistory]:
    """Changes in ``[start, end)`` (or ``[start, end]``), in order per agent."""
    query = select(AgentStateHistory).where(
        AgentStateHistory.organization_id == org_id,
        AgentStateHistory.at >= start,
        AgentStateHistory.at <= end if include_end else AgentStateHistory.at < end,
    )
    if user_id is not None:
        query = query.where(AgentStateHistory.user_id == user_id)
    query = query.order_by(AgentStateHistory.user_id, AgentStateHistory.seq)
    return list((await session.scalars(query)).all())


async def last_history_before(
    session: AsyncSession, org_id: str, start: datetime
) -> list[AgentStateHistory]:
    """Each agent's last change before ``start``: the state they were in when it began."""
    latest = (
        select(AgentStateHistory.user_id, func.max(AgentStateHistory.seq).label("seq"))
        .where(AgentStateHistory.organization_id == org_id, AgentStateHistory.at < start)
        .group_by(AgentStateHistory.user_id)
        .subquery()
    )
    query = select(AgentStateHistory).join(
        latest,
        (latest.c.user_id == AgentStateHistory.user_id) & (latest.c.seq == AgentStateHistory.seq),
    )
    return list((await session.scalars(query)).all())


async def find_available(session: AsyncSession, org_id: str) -> list[AgentStatus]:
    """Available agents, longest idle first (the routing and dialler candidates)."""
    query = (
        select(AgentStatus)
        .where(
            AgentStatus.organization_id == org_id,
            AgentStatus.state == AgentState.AVAILABLE.value,
        )
        .order_by(AgentStatus.since, AgentStatus.user_id)
    )
    return list((await session.scalars(query)).all())


async def list_available_colleagues(
    session: AsyncSession, org_id: str, except_user_id: str
) -> list[tuple[str, str]]:
    """(user id, name) of the organisation's active, available agents other than one, by
    name: who can take a transfer now."""
    rows = await session.execute(
        select(User.id, User.name)
        .join(AgentStatus, AgentStatus.user_id == User.id)
        .where(
            User.organization_id == org_id,
            User.is_active.is_(True),
            AgentStatus.state == AgentState.AVAILABLE,
            User.id != except_user_id,
        )
        .order_by(User.name)
    )
    return [(uid, name) for uid, name in rows]


async def holds_call(session: AsyncSession, user_id: str, call_id: str) -> bool:
    """Whether the agent is reserved for the call (an offer ringing on their desktop) or on it."""
    held = await session.scalar(
        select(AgentStatus.user_id).where(
            AgentStatus.user_id == user_id, AgentStatus.current_call_id == call_id
        )
    )
    return held is not None


async def list_ready_agents(
    session: AsyncSession, org_id: str, excluding: Select[str | None]
) -> list[AgentStatus]:
    """The organisation's available agents, less those ``excluding`` selects (inbound
    routing leaves out the agents about to dial a previewed contact)."""
    return list(
        await session.scalars(
            select(AgentStatus).where(
                AgentStatus.organization_id == org_id,
                AgentStatus.state == AgentState.AVAILABLE,
                AgentStatus.user_id.not_in(excluding),
            )
        )
    )


async def find_state(session: AsyncSession, org_id: str, user_id: str) -> str | None:
    """The agent's state as stored, or ``None`` if they have no status row yet (offline)."""
    return await session.scalar(
        select(AgentStatus.state).where(
            AgentStatus.organization_id == org_id,
            AgentStatus.user_id == user_id,
        )
    )

"""The agent's line as stored: its row's status and view, and the queries and writes the
line service (``telephony/lines.py``) makes on it and on the legs it takes into calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from omnivox.telephony.errors import ConcurrentUpdateError
from omnivox.telephony.fsm_types import TALKING_STATES, TERMINAL_STATES, CallState
from omnivox.telephony.legs import LINE_PREFIX, is_line_leg
from omnivox.telephony.models import AgentLine, Call, CallLeg

MAX_STALE_RETRIES = 8


class LineStatus(StrEnum):
    CONNECTING = "connecting"  # dialled, the browser has not answered yet
    CONNECTED = "connected"
    DROPPED = "dropped"  # ended without the agent asking (browser gone, network, refused)
    OFF = "off"  # hung up because the agent went offline


@dataclass(frozen=True)
class LineView:
    user_id: str
    status: LineStatus
    provider_sid: str | None
    call_id: str | None
    since: datetime | None
    drop_reason: str | None = None

    @property
    def connected(self) -> bool:
        return self.status is LineStatus.CONNECTED


def view_of(line: AgentLine) -> LineView:
    status = LineStatus(line.status)
    since = {
        LineStatus.CONNECTING: line.requested_at,
        LineStatus.CONNECTED: line.connected_at,
    }.get(status, line.dropped_at)
    return LineView(line.user_id, status, line.provider_sid, line.call_id, since, line.drop_reason)


def call_is_over(call: Call) -> bool:
    """Nobody talks in this call any more: no line belongs in its conference."""
    state = CallState(call.state)
    return state in TERMINAL_STATES or state is CallState.WRAP_UP


def own_conference(user_id: str) -> str:
    return f"line-{user_id}"


async def find_line(
    session: AsyncSession, org_id: str, user_id: str, *, lock: bool = False
) -> AgentLine | None:
    query = select(AgentLine).where(
        AgentLine.organization_id == org_id, AgentLine.user_id == user_id
    )
    if lock:
        query = query.execution_options(populate_existing=True)
    line: AgentLine | None = await session.scalar(query)
    return line


async def patch_line(
    session: AsyncSession, line: AgentLine, mutate: Callable[[AgentLine], None]
) -> None:
    """Write a change to the line row, re-applying it on the fresh row if a concurrent
    webhook about the same line committed first."""
    for _attempt in range(MAX_STALE_RETRIES):
        mutate(line)
        try:
            await session.commit()
            return
        except StaleDataError:
            await session.rollback()
            await session.refresh(line)
    raise ConcurrentUpdateError(f"line {line.id} kept changing")


async def new_line_leg(
    session: AsyncSession, call: Call, user_id: str, sid: str, *, commit: bool = True
) -> CallLeg:
    """The line's leg in ``call``'s conference (committed unless told not to). The line's
    SID is unique among legs: an earlier call's leg that still holds it lets it go."""
    await session.execute(
        update(CallLeg)
        .where(CallLeg.provider_sid == sid)
        .values(provider_sid=None)
        .execution_options(synchronize_session=False)
    )
    leg = CallLeg(
        call_id=call.id,
        organization_id=call.organization_id,
        role="agent",
        target=f"{LINE_PREFIX}{sid}",
        user_id=user_id,
        provider_sid=sid,
    )
    session.add(leg)
    if commit:
        await session.commit()
    else:
        await session.flush()
    return leg


async def call_needing_line(session: AsyncSession, org_id: str, user_id: str) -> Call | None:
    """The agent's live call that has no agent leg of theirs any more (their line dropped
    while they talked): the newest one."""
    rows: Sequence[Call] = (
        await session.scalars(
            select(Call)
            .where(
                Call.organization_id == org_id,
                Call.agent_id == user_id,
                Call.state.in_([s.value for s in TALKING_STATES]),
            )
            .order_by(Call.created_at.desc())
        )
    ).all()
    for call in rows:
        legs = await session.scalars(
            select(CallLeg).where(
                CallLeg.call_id == call.id,
                CallLeg.user_id == user_id,
                CallLeg.role == "agent",
                CallLeg.status.in_(["joining", "joined"]),
            )
        )
        # A rung leg still up keeps them on it; a line leg still marked joined is the old,
        # dropped line whose leaving has not been reported yet.
        if not any(not is_line_leg(leg) for leg in legs):
            return call
    return None

"""JSON routes of the agents domain, under /api/v1/agents."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from omnivox.accounts import reach_of, within
from omnivox.agents import break_reasons, reports, service
from omnivox.agents.models import BreakReason
from omnivox.agents.schemas import (
    AgentStateWrite,
    AgentStatusRead,
    BreakReasonCreate,
    BreakReasonRead,
    BreakReasonUpdate,
    HistoryEntryRead,
    LineRead,
    LineRequest,
    TimeInStateReport,
)
from omnivox.core.errors import NotFound
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, JsonCrud, State, add_json_crud, in_org
from omnivox.telephony import LineView, runtime_of

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])

# Aware datetimes only: a naive one would be ambiguous (and refused by the UTC columns).
Instant = Annotated[AwareDatetime | None, Query()]


# Literal paths first: "/me/..." and "/break-reasons" must not be read as a user id.


async def _reachable(db: DB, actor: Principal, user_id: str) -> None:
    """A supervisor bounded by their teams acts only on agents who share one."""
    if not within(await reach_of(db, actor), user_id):
        raise NotFound("no agent with that id in your teams")


@router.get("/me/state", response_model=AgentStatusRead)
async def read_my_state(
    db: DB, state: State, actor: Principal = Allow(P.AGENT_STATE_OWN)
) -> AgentStatusRead:
    return await reports.get_agent(db, actor.organization_id, actor.user_id, state.clock.now())


@router.put("/me/state", response_model=AgentStatusRead)
async def set_my_state(
    data: AgentStateWrite, db: DB, state: State, actor: Principal = Allow(P.AGENT_STATE_OWN)
) -> AgentStatusRead:
    now = state.clock.now()
    await service.set_own_state(db, state.bus, actor, data, now)
    return await reports.get_agent(db, actor.organization_id, actor.user_id, now)


def _line_read(view: LineView | None) -> LineRead:
    if view is None:
        return LineRead(status="none", since=None, sid=None, call_id=None, drop_reason=None)
    return LineRead(
        status=view.status.value,
        since=view.since,
        sid=view.provider_sid,
        call_id=view.call_id,
        drop_reason=view.drop_reason,
    )


@router.get("/me/line", response_model=LineRead)
async def read_my_line(request: Request, actor: Principal = Allow(P.AGENT_STATE_OWN)) -> LineRead:
    """The agent's line: the softphone leg calls reach them on with no click."""
    lines = runtime_of(request).service.lines
    return _line_read(await lines.find(actor.organization_id, actor.user_id))


@router.post("/me/line", response_model=LineRead)
async def request_my_line(
    data: LineRequest, request: Request, actor: Principal = Allow(P.AGENT_STATE_OWN)
) -> LineRead:
    """The desktop's softphone is registered: connect its line (a connected line it still
    holds is kept; any other is replaced). The browser answers the line by itself. The
    desktop asks before going available, so the first call already finds the line up;
    going offline hangs it up."""
    lines = runtime_of(request).service.lines
    view = await lines.request(actor.organization_id, actor.user_id, holding=data.holding)
    return _line_read(view)


add_json_crud(
    router,
    JsonCrud[BreakReason](
        path="/break-reasons",
        noun="break_reason",
        read_model=BreakReasonRead,
        read=P.AGENT_STATE_OWN,
        write=P.BREAK_REASONS_WRITE,
        list_rows=in_org(break_reasons.list_break_reasons),
        create=break_reasons.create_break_reason,
        create_model=BreakReasonCreate,
        update=break_reasons.update_break_reason,
        update_model=BreakReasonUpdate,
        delete=break_reasons.delete_break_reason,
    ),
)


@router.get("/time-in-state", response_model=TimeInStateReport)
async def time_in_state(
    db: DB,
    state: State,
    start: Instant = None,
    end: Instant = None,
    actor: Principal = Allow(P.AGENTS_SUPERVISE),
) -> TimeInStateReport:
    """Seconds per state (and per break reason) for every agent; default: the last 24 h."""
    now = state.clock.now()
    end = end or now
    report = await reports.time_in_state(
        db, actor.organization_id, start or end - timedelta(days=1), end, now
    )
    reach = await reach_of(db, actor)
    if reach is not None:
        report.agents = [a for a in report.agents if a.user_id in reach]
    return report


@router.get("", response_model=list[AgentStatusRead])
async def list_agents(
    db: DB,
    state: State,
    actor: Principal = Allow(P.AGENTS_SUPERVISE),
    floor: bool = Query(
        False,
        description="only the people on the floor: agents by role, and anyone else while "
        "signed in as an agent (not offline)",
    ),
) -> list[AgentStatusRead]:
    rows = await reports.list_agents(db, actor.organization_id, state.clock.now(), floor=floor)
    reach = await reach_of(db, actor)
    return rows if reach is None else [a for a in rows if a.user_id in reach]


@router.get("/{user_id}", response_model=AgentStatusRead)
async def read_agent(
    user_id: str, db: DB, state: State, actor: Principal = Allow(P.AGENTS_SUPERVISE)
) -> AgentStatusRead:
    await _reachable(db, actor, user_id)
    return await reports.get_agent(db, actor.organization_id, user_id, state.clock.now())


@router.put("/{user_id}/state", response_model=AgentStatusRead)
async def force_state(
    user_id: str,
    data: AgentStateWrite,
    db: DB,
    state: State,
    actor: Principal = Allow(P.AGENTS_SUPERVISE),
) -> AgentStatusRead:
    """Force an agent's state (audited). 409 while the agent is on a call."""
    await _reachable(db, actor, user_id)
    now = state.clock.now()
    await service.force_state(db, state.bus, actor, user_id, data, now)
    return await reports.get_agent(db, actor.organization_id, user_id, now)


@router.post("/{user_id}/logout", response_model=AgentStatusRead)
async def log_out_agent(
    user_id: str, db: DB, state: State, actor: Principal = Allow(P.AGENTS_SUPERVISE)
) -> AgentStatusRead:
    await _reachable(db, actor, user_id)
    now = state.clock.now()
    await service.log_out_agent(db, state.bus, actor, user_id, now)
    return await reports.get_agent(db, actor.organization_id, user_id, now)


@router.get("/{user_id}/history", response_model=list[HistoryEntryRead])
async def agent_history(
    user_id: str,
    db: DB,
    state: State,
    start: Instant = None,
    end: Instant = None,
    actor: Principal = Allow(P.AGENTS_SUPERVISE),
) -> list[HistoryEntryRead]:
    await _reachable(db, actor, user_id)
    now = state.clock.now()
    end = end or now
    return await reports.agent_history(
        db, actor.organization_id, user_id, start or end - timedelta(days=1), end
    )

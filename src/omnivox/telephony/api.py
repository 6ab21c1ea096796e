"""JSON routes for calls: listing and reading them, call control, supervision, disposition,
tokens. Click-to-call and a call's campaign contact are the dialler's (``dialer.api``); where a
call can be transferred is routing's (``routing.api``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from omnivox.accounts import reach_of
from omnivox.core.errors import PermissionDenied
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State
from omnivox.telephony import calls, control, supervision, transfers
from omnivox.telephony.domain_ports import AgentHoldsCall
from omnivox.telephony.fsm_types import TERMINAL_STATES
from omnivox.telephony.ingress import leg_summary
from omnivox.telephony.models import Call, CallLeg, Recording
from omnivox.telephony.outcome import Outcome
from omnivox.telephony.runtime import runtime_of
from omnivox.telephony.schemas import (
    CallDetail,
    CallEventRead,
    CallRead,
    ConferenceIn,
    DispositionIn,
    LegRead,
    TokenRead,
    TransferIn,
)
from omnivox.telephony.service import agent_identity, monitor_identity

router = APIRouter(prefix="/api/v1", tags=["calls"])
TOKEN_TTL = 3600


def _holds_call(request: Request) -> AgentHoldsCall:
    """Whether an agent holds an offered call (the agents domain's, via ``create_app``)."""
    check: AgentHoldsCall = request.app.state.agent_holds_call
    return check


HoldsCall = Annotated[AgentHoldsCall, Depends(_holds_call)]


def _read(call: Call) -> CallRead:
    # As entered: the column's scale pads it ("12.5000" on PostgreSQL).
    amount = None if call.sale_amount is None else f"{call.sale_amount.normalize():f}"
    return CallRead.model_validate(calls.call_summary(call) | {"sale_amount": amount})


@router.get("/calls", response_model=list[CallRead])
async def list_calls(
    db: DB,
    actor: Principal = Allow(P.CALLS_READ),
    state: str | None = Query(None, max_length=24),
    active: bool = Query(False, description="only calls that have not ended"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[CallRead]:
    query = select(Call).where(Call.organization_id == actor.organization_id)
    reach = await reach_of(db, actor)
    if reach is not None:  # a supervisor bounded by teams: their agents' calls
        query = query.where(Call.agent_id.in_(reach))
    if state:
        query = query.where(Call.state == state)
    if active:
        query = query.where(Call.state.not_in([s.value for s in TERMINAL_STATES]))
    rows = await db.scalars(query.order_by(Call.created_at.desc()).limit(limit))
    return [_read(c) for c in rows]


@router.get("/calls/{call_id}/customer-history", response_model=list[CallRead])
async def customer_history(
    call_id: str, db: DB, holds: HoldsCall, actor: Principal = Allow(P.CALLS_CONTROL)
) -> list[CallRead]:
    """Earlier calls with the same customer number (newest first), for the customer card."""
    call = await calls.get_visible_call(db, actor, call_id, holds)
    number = call.to_number if call.direction == "outbound" else call.from_number
    query = select(Call).where(
        Call.organization_id == actor.organization_id,
        Call.id != call.id,
        (Call.to_number == number) | (Call.from_number == number),
    )
    reach = await reach_of(db, actor)
    if reach is not None:  # a bounded supervisor: not other teams' calls with this customer
        query = query.where(Call.agent_id.in_(reach))
    rows = await db.scalars(query.order_by(Call.created_at.desc()).limit(20))
    return [_read(c) for c in rows]


@router.get("/calls/{call_id}", response_model=CallDetail)
async def read_call(
    call_id: str, db: DB, holds: HoldsCall, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallDetail:
    call = await calls.get_visible_call(db, actor, call_id, holds)
    legs = (await db.scalars(select(CallLeg).where(CallLeg.call_id == call.id))).all()
    recs = (await db.scalars(select(Recording).where(Recording.call_id == call.id))).all()
    history = await calls.call_history(db, call)
    return CallDetail(
        **_read(call).model_dump(by_alias=True),
        legs=[LegRead.model_validate(leg_summary(leg)) for leg in legs],
        history=[CallEventRead.model_validate(h) for h in history],
        recordings=[
            {"id": r.id, "status": r.status, "duration_seconds": r.duration_seconds, "url": r.url}
            for r in recs
        ],
    )


@router.post("/calls/{call_id}/hold", response_model=CallRead)
async def hold(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    return _read(await control.hold(runtime_of(request).control, actor, call_id))


@router.post("/calls/{call_id}/resume", response_model=CallRead)
async def resume(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    return _read(await control.resume(runtime_of(request).control, actor, call_id))


@router.post("/calls/{call_id}/hangup", response_model=CallRead)
async def hang_up(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    return _read(await control.hang_up(runtime_of(request).control, actor, call_id))


@router.post("/calls/{call_id}/mute", response_model=LegRead)
async def mute(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> LegRead:
    leg = await control.set_mute(runtime_of(request).control, actor, call_id, True)
    return LegRead.model_validate(leg_summary(leg))


@router.post("/calls/{call_id}/unmute", response_model=LegRead)
async def unmute(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> LegRead:
    leg = await control.set_mute(runtime_of(request).control, actor, call_id, False)
    return LegRead.model_validate(leg_summary(leg))


@router.post("/calls/{call_id}/transfer", response_model=CallRead)
async def transfer(
    call_id: str, data: TransferIn, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    req = control.TransferRequest(kind=data.kind, target=data.target, warm=data.warm)
    return _read(await transfers.transfer(runtime_of(request).control, actor, call_id, req))


@router.post("/calls/{call_id}/transfer/complete", response_model=CallRead)
async def complete_transfer(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    return _read(await transfers.complete_transfer(runtime_of(request).control, actor, call_id))


@router.post("/calls/{call_id}/conference", response_model=LegRead)
async def conference(
    call_id: str, data: ConferenceIn, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> LegRead:
    leg = await transfers.add_third_party(runtime_of(request).control, actor, call_id, data.number)
    return LegRead.model_validate(leg_summary(leg))


@router.post("/calls/{call_id}/participants/{leg_id}/drop", response_model=CallRead)
async def drop_participant(
    call_id: str, leg_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    ctl = runtime_of(request).control
    return _read(await transfers.drop_participant(ctl, actor, call_id, leg_id))


@router.post("/calls/{call_id}/leave", response_model=CallRead)
async def leave_conference(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    return _read(await transfers.leave_conference(runtime_of(request).control, actor, call_id))


async def _recording(
    request: Request, actor: Principal, call_id: str, action: str
) -> dict[str, Any]:
    rec = await supervision.recording(runtime_of(request).control, actor, call_id, action)
    return {"id": rec.id, "status": rec.status}


@router.post("/calls/{call_id}/recording/start")
async def start_recording(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> dict[str, Any]:
    return await _recording(request, actor, call_id, "start")


@router.post("/calls/{call_id}/recording/pause")
async def pause_recording(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> dict[str, Any]:
    return await _recording(request, actor, call_id, "pause")


@router.post("/calls/{call_id}/recording/resume")
async def resume_recording(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> dict[str, Any]:
    return await _recording(request, actor, call_id, "resume")


@router.post("/calls/{call_id}/recording/stop")
async def stop_recording(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> dict[str, Any]:
    return await _recording(request, actor, call_id, "stop")


@router.post("/calls/{call_id}/listen", response_model=LegRead)
async def listen(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_SUPERVISE)
) -> LegRead:
    leg = await supervision.supervise(runtime_of(request).control, actor, call_id, "listen")
    return LegRead.model_validate(leg_summary(leg))


@router.post("/calls/{call_id}/whisper", response_model=LegRead)
async def whisper(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_SUPERVISE)
) -> LegRead:
    leg = await supervision.supervise(runtime_of(request).control, actor, call_id, "whisper")
    return LegRead.model_validate(leg_summary(leg))


@router.post("/calls/{call_id}/barge", response_model=LegRead)
async def barge(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_SUPERVISE)
) -> LegRead:
    leg = await supervision.supervise(runtime_of(request).control, actor, call_id, "barge")
    return LegRead.model_validate(leg_summary(leg))


@router.post("/calls/{call_id}/monitor/stop", status_code=204)
async def stop_monitoring(
    call_id: str, request: Request, actor: Principal = Allow(P.CALLS_SUPERVISE)
) -> Response:
    """End your listen/whisper/barge leg on the call (also while it still rings)."""
    await supervision.stop_monitoring(runtime_of(request).control, actor, call_id)
    return Response(status_code=204)


@router.post("/calls/{call_id}/disposition", response_model=CallRead)
async def disposition(
    call_id: str,
    data: DispositionIn,
    request: Request,
    state: State,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> CallRead:
    """The call's outcome; a sale carries its amount (OMNIVOX_SALE_AMOUNT_MAX at most)."""
    ctl = runtime_of(request).control
    outcome = Outcome(data.code, data.notes, data.amount)
    return _read(
        await control.disposition(ctl, actor, call_id, outcome, state.settings.sale_amount_max)
    )


@router.get("/telephony/token", response_model=TokenRead)
async def softphone_token(
    request: Request,
    purpose: Literal["desk", "monitor"] = "desk",
    actor: Principal = Allow(P.SOFTPHONE),
) -> TokenRead:
    """A Voice access token for the browser softphone (sandbox: its WebSocket URL too).
    ``desk``: the agent desktop's; ``monitor``: the live floor page's, which supervision
    legs ring."""
    runtime = runtime_of(request)
    if purpose == "monitor":
        if not actor.can(P.CALLS_SUPERVISE):
            raise PermissionDenied("a monitor softphone needs calls:supervise")
        identity = monitor_identity(actor.user_id)
    else:
        identity = agent_identity(actor.user_id)
    token = runtime.service.provider.create_access_token(identity, ttl_seconds=TOKEN_TTL)
    # A path: the browser opens it on the host it loaded the page from.
    ws = "/sandbox/softphone" if runtime.carrier is not None else None
    return TokenRead(
        identity=identity, token=token, ttl_seconds=TOKEN_TTL, sandbox_softphone_url=ws
    )

"""JSON routes for calls: click-to-call, call control, supervision, disposition, tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from omnivox.accounts import organizations
from omnivox.accounts.models import User
from omnivox.agents.fsm import AgentState
from omnivox.agents.models import AgentStatus
from omnivox.campaigns.lists import get_contact
from omnivox.campaigns.models import ContactAttempt
from omnivox.campaigns.schemas import ContactRead
from omnivox.core.errors import InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow
from omnivox.routing import caller_ids
from omnivox.routing.models import Queue
from omnivox.telephony import calls, control, supervision, transfers
from omnivox.telephony.dial_rules import check_manual_dial
from omnivox.telephony.fsm_types import TERMINAL_STATES, Owner, OwnerKind
from omnivox.telephony.ingress import leg_summary
from omnivox.telephony.models import Call, CallLeg, Recording
from omnivox.telephony.schemas import (
    CallContactRead,
    CallCreate,
    CallDetail,
    CallEventRead,
    CallRead,
    ConferenceIn,
    DispositionIn,
    LegRead,
    TokenRead,
    TransferIn,
    TransferTargetRead,
)
from omnivox.telephony.service import agent_identity
from omnivox.telephony.webhooks_api import runtime_of

router = APIRouter(prefix="/api/v1", tags=["calls"])
TOKEN_TTL = 3600


def _read(call: Call) -> CallRead:
    return CallRead.model_validate(calls.call_summary(call))


@router.post("/calls", response_model=CallRead, status_code=201)
async def place_call(
    data: CallCreate, request: Request, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    """Click-to-call: dial ``to``; when the customer answers, the caller's softphone joins."""
    org = await organizations.get_organization(db, actor.organization_id)
    caller_id = data.from_
    if caller_id is None:
        if not org.default_caller_ids:
            raise InvalidInput.on("from", "give a caller ID or set the organisation's default")
        caller_id = org.default_caller_ids[0]
    await caller_ids.check_presentable(db, org, [caller_id], "from")
    await check_manual_dial(db, org, data.to, runtime_of(request).service.clock.now())
    svc = runtime_of(request).service
    call = await svc.place_outbound_call(
        actor.organization_id,
        Owner(OwnerKind.AGENT, actor.user_id),
        to=data.to,
        from_=caller_id,
        agent_id=actor.user_id,
    )
    return _read(call)


@router.get("/calls", response_model=list[CallRead])
async def list_calls(
    db: DB,
    actor: Principal = Allow(P.CALLS_READ),
    state: str | None = Query(None, max_length=24),
    active: bool = Query(False, description="only calls that have not ended"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[CallRead]:
    query = select(Call).where(Call.organization_id == actor.organization_id)
    if state:
        query = query.where(Call.state == state)
    if active:
        query = query.where(Call.state.not_in([s.value for s in TERMINAL_STATES]))
    rows = await db.scalars(query.order_by(Call.created_at.desc()).limit(limit))
    return [_read(c) for c in rows]


@router.get("/calls/transfer-targets", response_model=list[TransferTargetRead])
async def transfer_targets(
    db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> list[TransferTargetRead]:
    """Where a call can go now: available colleagues, then the organisation's queues."""
    rows = await db.execute(
        select(User.id, User.name)
        .join(AgentStatus, AgentStatus.user_id == User.id)
        .where(
            User.organization_id == actor.organization_id,
            User.is_active.is_(True),
            AgentStatus.state == AgentState.AVAILABLE,
            User.id != actor.user_id,
        )
        .order_by(User.name)
    )
    agents = [TransferTargetRead(id=uid, name=name) for uid, name in rows]
    queue_rows = await db.execute(
        select(Queue.id, Queue.name)
        .where(Queue.organization_id == actor.organization_id)
        .order_by(Queue.name)
    )
    return agents + [
        TransferTargetRead(id=qid, name=name, kind="queue") for qid, name in queue_rows
    ]


async def _visible_call(db: DB, actor: Principal, call_id: str) -> Call:
    """A call the actor works on (agent, or a leg of it) or may read as a supervisor."""
    call = await calls.get_call(db, actor.organization_id, call_id)
    if call.agent_id == actor.user_id or actor.can(P.CALLS_READ):
        return call
    on_a_leg = await db.scalar(
        select(CallLeg.id).where(CallLeg.call_id == call.id, CallLeg.user_id == actor.user_id)
    )
    offered = await db.scalar(  # reserved for it: the offer is ringing on their desktop
        select(AgentStatus.user_id).where(
            AgentStatus.user_id == actor.user_id, AgentStatus.current_call_id == call.id
        )
    )
    if on_a_leg is None and offered is None:
        raise PermissionDenied("this is not your call")
    return call


@router.get("/calls/{call_id}/customer-history", response_model=list[CallRead])
async def customer_history(
    call_id: str, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> list[CallRead]:
    """Earlier calls with the same customer number (newest first), for the customer card."""
    call = await _visible_call(db, actor, call_id)
    number = call.to_number if call.direction == "outbound" else call.from_number
    rows = await db.scalars(
        select(Call)
        .where(
            Call.organization_id == actor.organization_id,
            Call.id != call.id,
            (Call.to_number == number) | (Call.from_number == number),
        )
        .order_by(Call.created_at.desc())
        .limit(20)
    )
    return [_read(c) for c in rows]


@router.get("/calls/{call_id}/contact", response_model=CallContactRead)
async def call_contact(
    call_id: str, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallContactRead:
    """The campaign contact a dialler call was placed to, for the customer card."""
    call = await _visible_call(db, actor, call_id)
    attempt = await db.scalar(
        select(ContactAttempt).where(
            ContactAttempt.organization_id == actor.organization_id,
            ContactAttempt.call_id == call.id,
        )
    )
    if attempt is None:
        raise NotFound("this call was not placed to a campaign contact")
    contact = await get_contact(db, actor.organization_id, attempt.contact_id)
    return CallContactRead(
        campaign_id=attempt.campaign_id, contact=ContactRead.model_validate(contact)
    )


@router.get("/calls/{call_id}", response_model=CallDetail)
async def read_call(call_id: str, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)) -> CallDetail:
    call = await _visible_call(db, actor, call_id)
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


@router.post("/calls/{call_id}/disposition", response_model=CallRead)
async def disposition(
    call_id: str, data: DispositionIn, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    ctl = runtime_of(request).control
    return _read(await control.disposition(ctl, actor, call_id, data.code, data.notes))


@router.get("/telephony/token", response_model=TokenRead)
async def softphone_token(request: Request, actor: Principal = Allow(P.SOFTPHONE)) -> TokenRead:
    """A Voice access token for the browser softphone (sandbox: its WebSocket URL too)."""
    runtime = runtime_of(request)
    identity = agent_identity(actor.user_id)
    token = runtime.service.provider.create_access_token(identity, ttl_seconds=TOKEN_TTL)
    # A path: the browser opens it on the host it loaded the page from.
    ws = "/sandbox/softphone" if runtime.carrier is not None else None
    return TokenRead(
        identity=identity, token=token, ttl_seconds=TOKEN_TTL, sandbox_softphone_url=ws
    )

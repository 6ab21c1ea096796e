"""Conference-based call control: each action is checked against the state machine first,
then carried out by the provider, then recorded and announced.

Holding a call that is not connected answers 409 with the machine's reason, before the
carrier is asked to do anything.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization
from omnivox.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.telephony import calls, fsm
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.fsm_types import (
    AgentHungUp,
    CallEvent,
    CallState,
    DispositionSubmitted,
    HoldEnded,
    HoldStarted,
    TransferCompleted,
    TransferStarted,
    TransferTargetKind,
)
from omnivox.telephony.models import Call, CallEventRow, CallLeg, Recording
from omnivox.telephony.ports import ParticipantChange, RecordingStatus
from omnivox.telephony.service import (
    AgentUnavailable,
    CallActionFailed,
    TelephonyService,
    agent_identity,
)


class CallActionRefused(Conflict):
    code = "call-action-refused"


@dataclass(frozen=True)
class TransferRequest:
    kind: TransferTargetKind
    target: str  # agent user id or E.164 number
    warm: bool = False


async def _load(
    svc: TelephonyService, actor: Principal, call_id: str, *, former_agent_ok: bool = False
) -> Call:
    async with svc.sessions() as session:
        call = await calls.get_call(session, actor.organization_id, call_id)
        if call.agent_id == actor.user_id or actor.can(Permission.CALLS_SUPERVISE):
            return call
        if former_agent_ok and await session.scalar(
            select(CallLeg.id).where(
                CallLeg.call_id == call.id,
                CallLeg.user_id == actor.user_id,
                CallLeg.role == "former_agent",
            )
        ):
            return call
    raise PermissionDenied("this is not your call")


async def _part_disposition(
    svc: TelephonyService, actor: Principal, call: Call, code: str, notes: str | None
) -> Call:
    """An agent who transferred the call away dispositions their part of it: recorded in
    the call's history, and their wrap-up ends. The call's own outcome stays with whoever
    finishes it."""
    if svc.agents is None or not await svc.agents.finish_wrap_up(
        call.organization_id, actor.user_id, call.id
    ):
        raise CallActionRefused("you are not wrapping up this call")
    async with svc.sessions() as session:
        session.add(
            CallEventRow(
                call_id=call.id,
                organization_id=call.organization_id,
                at=svc.clock.now(),
                recorded_at=svc.clock.now(),
                event="PartDispositioned",
                from_state=call.state,
                to_state=call.state,
                applied=False,
                reason="part-disposition",
                detail=f"{code} by the transferring agent",
                payload={"agent_id": actor.user_id, "code": code, "notes": notes},
            )
        )
        await session.commit()
    await svc.announce("call.part_dispositioned", call, agent_id=actor.user_id, code=code)
    return call


def _check(call: Call, event: CallEvent, action: str) -> None:
    result = fsm.apply(calls.snapshot_of(call), event)
    if isinstance(result, fsm.Rejection):
        raise CallActionRefused(
            f"cannot {action}: the call is {call.state.replace('_', ' ')} ({result.detail})"
        )


async def _record(svc: TelephonyService, call_id: str, event: CallEvent) -> Call:
    async with svc.sessions() as session:
        call = await session.get(Call, call_id)
        if call is None:
            raise NotFound("call not found")
        result = await svc.apply_and_announce(session, call, event)
        if isinstance(result, fsm.Rejection):  # the call moved on while the carrier worked
            raise CallActionRefused(f"the call changed meanwhile: {result.detail}")
        return call


async def _customer_change(svc: TelephonyService, call: Call, change: ParticipantChange) -> None:
    if not call.conference_sid or not call.provider_sid:
        raise CallActionRefused("the customer is not in a conference yet")
    try:
        await svc.provider.update_participant(call.conference_sid, call.provider_sid, change)
    except ProviderError as exc:
        raise CallActionFailed(str(exc)) from exc


async def hold(svc: TelephonyService, actor: Principal, call_id: str) -> Call:
    call = await _load(svc, actor, call_id)
    _check(call, HoldStarted(at=svc.clock.now()), "hold")
    await _customer_change(
        svc, call, ParticipantChange(hold=True, hold_url=await svc.hold_music(call.organization_id))
    )
    return await _record(svc, call.id, HoldStarted(at=svc.clock.now()))


async def resume(svc: TelephonyService, actor: Principal, call_id: str) -> Call:
    call = await _load(svc, actor, call_id)
    _check(call, HoldEnded(at=svc.clock.now()), "resume")
    await _customer_change(svc, call, ParticipantChange(hold=False))
    return await _record(svc, call.id, HoldEnded(at=svc.clock.now()))


async def hang_up(svc: TelephonyService, actor: Principal, call_id: str) -> Call:
    """The agent ends the call: the customer is hung up and the agent enters wrap-up."""
    call = await _load(svc, actor, call_id)
    event = AgentHungUp(at=svc.clock.now(), agent_id=call.agent_id or actor.user_id)
    _check(call, event, "hang up")
    if call.provider_sid:
        with contextlib.suppress(ProviderError):
            await svc.provider.hang_up(call.provider_sid)
    call = await _record(svc, call.id, event)
    await svc.legs.end_all(call)
    return call


async def set_mute(svc: TelephonyService, actor: Principal, call_id: str, muted: bool) -> CallLeg:
    call = await _load(svc, actor, call_id)
    leg = await _agent_leg(svc, call, actor.user_id)
    if not call.conference_sid or not leg.provider_sid:
        raise CallActionRefused("your line is not connected to the call")
    try:
        await svc.provider.update_participant(
            call.conference_sid, leg.provider_sid, ParticipantChange(muted=muted)
        )
    except ProviderError as exc:
        raise CallActionFailed(str(exc)) from exc
    async with svc.sessions() as session:
        row = await session.get(CallLeg, leg.id)
        assert row is not None
        row.muted = muted
        await session.commit()
    await svc.announce("call.muted" if muted else "call.unmuted", call)
    return row


async def _agent_leg(svc: TelephonyService, call: Call, user_id: str) -> CallLeg:
    for leg in await svc.legs.legs(call.id):
        if leg.user_id == user_id and leg.status == "joined":
            return leg
    raise CallActionRefused("you are not on this call")


async def transfer(
    svc: TelephonyService, actor: Principal, call_id: str, req: TransferRequest
) -> Call:
    call = await _load(svc, actor, call_id)
    target = await _transfer_target(svc, actor, req)
    event = TransferStarted(
        at=svc.clock.now(), target_kind=req.kind, target_id=req.target, warm=req.warm
    )
    _check(call, event, "transfer")
    if req.kind is TransferTargetKind.QUEUE:
        return await _transfer_to_queue(svc, call, event, req.target)
    if req.kind is TransferTargetKind.AGENT and not await svc.reserve_agent(call, req.target):
        raise AgentUnavailable("that agent is not available to take a transfer")
    call = await _record(svc, call.id, event)
    user_id = req.target if req.kind is TransferTargetKind.AGENT else None
    await svc.legs.add(
        call, role="transfer_target", target=("warm:" if req.warm else "") + target, user_id=user_id
    )
    return call


async def _transfer_target(svc: TelephonyService, actor: Principal, req: TransferRequest) -> str:
    if req.kind is TransferTargetKind.AGENT:
        from omnivox.accounts import User

        async with svc.sessions() as session:
            user = await session.scalar(
                select(User).where(
                    User.id == req.target,
                    User.organization_id == actor.organization_id,
                    User.is_active.is_(True),
                )
            )
        if user is None:
            raise InvalidInput.on("target", "no active agent with that id in your organisation")
        if user.id == actor.user_id:
            raise InvalidInput.on("target", "you cannot transfer a call to yourself")
        return f"client:{agent_identity(user.id)}"
    if req.kind is TransferTargetKind.EXTERNAL:
        number = e164(req.target, "target")
        await _may_dial(svc, actor, number)
        return number
    if svc.inbound is None:
        raise InvalidInput.on("kind", "this installation routes no queues")
    await svc.inbound.check_queue(actor.organization_id, req.target)
    return req.target


async def _transfer_to_queue(
    svc: TelephonyService, call: Call, started: TransferStarted, queue_id: str
) -> Call:
    """The customer waits on hold in the queue; the agent's part of the call ends."""
    assert svc.inbound is not None
    await _customer_change(
        svc, call, ParticipantChange(hold=True, hold_url=await svc.hold_music(call.organization_id))
    )
    await _record(svc, call.id, started)
    done = TransferCompleted(
        at=svc.clock.now(), target_kind=TransferTargetKind.QUEUE, target_id=queue_id
    )
    call = await _record(svc, call.id, done)
    await svc.legs.drop_previous_agents(call, keep_leg="")
    await svc.inbound.enqueue_transfer(call, queue_id)
    return call


def e164(number: str, field: str) -> str:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput.on(
            field, f"{number!r} is not an E.164 number like +14155550100"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput.on(field, f"{number!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


async def complete_transfer(svc: TelephonyService, actor: Principal, call_id: str) -> Call:
    """Warm transfer: the transferring agent leaves; the target keeps the customer."""
    call = await _load(svc, actor, call_id)
    target = next(
        (
            leg
            for leg in await svc.legs.legs(call.id)
            if leg.role == "transfer_target" and leg.status == "joined"
        ),
        None,
    )
    if target is None:
        raise CallActionRefused("the transfer target has not joined the call")
    kind = TransferTargetKind.AGENT if target.user_id else TransferTargetKind.EXTERNAL
    event = TransferCompleted(
        at=svc.clock.now(),
        target_kind=kind,
        target_id=target.user_id or target.target.removeprefix("warm:"),
    )
    _check(call, event, "complete the transfer")
    call = await _record(svc, call.id, event)
    await svc.legs.drop_previous_agents(call, keep_leg=target.id)
    if call.state == CallState.ON_HOLD.value:
        await resume(svc, actor, call.id)
    return call


async def add_third_party(
    svc: TelephonyService, actor: Principal, call_id: str, number: str
) -> CallLeg:
    call = await _load(svc, actor, call_id)
    if CallState(call.state) not in {CallState.CONNECTED, CallState.ON_HOLD}:
        raise CallActionRefused(f"cannot conference: the call is {call.state.replace('_', ' ')}")
    target = e164(number, "number")
    await _may_dial(svc, actor, target)
    return await svc.legs.add(call, role="third_party", target=target)


async def _may_dial(svc: TelephonyService, actor: Principal, number: str) -> None:
    """An agent bringing in an outside number obeys the manual-dialling law too."""
    if svc.check_manual_dial is None:  # not wired: refuse rather than dial unchecked
        raise CallActionRefused("dialling outside numbers is not available here")
    async with svc.sessions() as session:
        org = await session.get(Organization, actor.organization_id)
        assert org is not None
        await svc.check_manual_dial(session, org, number, svc.clock.now())


async def supervise(svc: TelephonyService, actor: Principal, call_id: str, mode: str) -> CallLeg:
    """listen (muted), whisper (heard by the agent only) or barge (heard by everyone)."""
    if not actor.can(Permission.CALLS_SUPERVISE):
        raise PermissionDenied("supervising calls needs calls:supervise")
    call = await _load(svc, actor, call_id)
    if CallState(call.state) not in {
        CallState.CONNECTED,
        CallState.ON_HOLD,
        CallState.IN_CONFERENCE,
    }:
        raise CallActionRefused(f"cannot {mode}: the call is {call.state.replace('_', ' ')}")
    agent_leg = await _agent_leg(svc, call, call.agent_id or "")
    existing = next(
        (
            leg
            for leg in await svc.legs.legs(call.id)
            if leg.role == "supervisor" and leg.user_id == actor.user_id
        ),
        None,
    )
    change = ParticipantChange(
        muted=mode == "listen",
        coaching=mode == "whisper",
        call_sid_to_coach=agent_leg.provider_sid if mode == "whisper" else None,
    )
    if existing is not None and existing.provider_sid and call.conference_sid:
        await svc.provider.update_participant(call.conference_sid, existing.provider_sid, change)
        leg = existing
    else:
        leg = await svc.legs.add(
            call,
            role="supervisor",
            target=f"client:{agent_identity(actor.user_id)}",
            user_id=actor.user_id,
            muted=mode == "listen",
            coach_sid=agent_leg.provider_sid if mode == "whisper" else None,
        )
    async with svc.sessions() as session:
        row = await session.get(CallLeg, leg.id)
        assert row is not None
        row.muted, row.coaching = mode == "listen", mode == "whisper"
        await session.commit()
    await svc.announce("call.supervised", call, mode=mode, supervisor_id=actor.user_id)
    return row


async def recording(
    svc: TelephonyService, actor: Principal, call_id: str, action: str
) -> Recording:
    """start, pause, resume or stop the call's recording."""
    call = await _load(svc, actor, call_id)
    if CallState(call.state) not in {
        CallState.CONNECTED,
        CallState.ON_HOLD,
        CallState.IN_CONFERENCE,
        CallState.TRANSFERRING,
    }:
        raise CallActionRefused(
            f"cannot {action} recording: the call is {call.state.replace('_', ' ')}"
        )
    async with svc.sessions() as session:
        current = await session.scalar(
            select(Recording).where(
                Recording.call_id == call.id, Recording.status.in_(["in-progress", "paused"])
            )
        )
        try:
            rec = await _recording_action(svc, session, call, current, action)
        except ProviderError as exc:
            raise CallActionFailed(str(exc)) from exc
        await session.commit()
    await svc.announce(
        "call.recording_changed", call, recording={"id": rec.id, "status": rec.status}
    )
    return rec


async def _recording_action(
    svc: TelephonyService, session: AsyncSession, call: Call, current: Recording | None, action: str
) -> Recording:
    assert call.provider_sid
    if action == "start":
        if current is not None:
            raise CallActionRefused("the call is already being recorded")
        made = await svc.provider.start_recording(
            call.provider_sid, status_callback_url=svc.urls.recording(call.id)
        )
        rec = Recording(
            call_id=call.id,
            organization_id=call.organization_id,
            provider_sid=made.sid,
            status=made.status.value,
            started_at=svc.clock.now(),
        )
        session.add(rec)
        return rec
    wanted = {
        "pause": RecordingStatus.PAUSED,
        "resume": RecordingStatus.IN_PROGRESS,
        "stop": RecordingStatus.STOPPED,
    }[action]
    if current is None:
        raise CallActionRefused("the call is not being recorded")
    if (action, current.status) in {("pause", "paused"), ("resume", "in-progress")}:
        raise CallActionRefused(f"the recording is already {current.status}")
    done = await svc.provider.set_recording_status(call.provider_sid, current.provider_sid, wanted)
    current.status = done.status.value
    return current


async def disposition(
    svc: TelephonyService, actor: Principal, call_id: str, code: str, notes: str | None
) -> Call:
    from omnivox.accounts import list_dispositions

    call = await _load(svc, actor, call_id, former_agent_ok=True)
    async with svc.sessions() as session:
        known = {
            d.code
            for d in await list_dispositions(session, actor.organization_id, active_only=True)
            if d.category != "system"
        }
    if code.upper() not in known:
        raise InvalidInput.on("code", f"unknown disposition {code!r}")
    if call.agent_id != actor.user_id:
        return await _part_disposition(svc, actor, call, code.upper(), notes)
    event = DispositionSubmitted(
        at=svc.clock.now(), code=code.upper(), agent_id=actor.user_id, notes=notes
    )
    _check(call, event, "disposition")
    return await _record(svc, call.id, event)

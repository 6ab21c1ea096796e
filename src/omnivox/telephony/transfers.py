"""Transfers (blind and warm, to an agent, a queue or a number) and three-way conferences:
each is checked against the state machine, carried out in the call's conference, recorded."""

from __future__ import annotations

import phonenumbers

from omnivox.accounts import Organization, find_active_user
from omnivox.core.errors import InvalidInput
from omnivox.core.security.principal import Principal
from omnivox.telephony.calls import history_note
from omnivox.telephony.control import (
    CallActionRefused,
    CallControl,
    TransferRequest,
    _check,
    _customer_change,
    _load,
    _record,
    resume,
)
from omnivox.telephony.fsm_types import (
    TERMINAL_STATES,
    CallState,
    TransferCompleted,
    TransferStarted,
    TransferTargetKind,
)
from omnivox.telephony.models import Call, CallLeg
from omnivox.telephony.ports import ParticipantChange
from omnivox.telephony.service import AgentUnavailable, agent_identity


async def transfer(ctl: CallControl, actor: Principal, call_id: str, req: TransferRequest) -> Call:
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    target = await _transfer_target(ctl, actor, req)
    event = TransferStarted(
        at=svc.clock.now(), target_kind=req.kind, target_id=req.target, warm=req.warm
    )
    _check(call, event, "transfer")
    if req.kind is TransferTargetKind.QUEUE:
        return await _transfer_to_queue(ctl, call, event, req.target)
    if req.kind is TransferTargetKind.AGENT and not await svc.reserve_agent(call, req.target):
        raise AgentUnavailable("that agent is not available to take a transfer")
    call = await _record(svc, call.id, event)
    user_id = req.target if req.kind is TransferTargetKind.AGENT else None
    await svc.legs.add(
        call, role="transfer_target", target=("warm:" if req.warm else "") + target, user_id=user_id
    )
    return call


async def _transfer_target(ctl: CallControl, actor: Principal, req: TransferRequest) -> str:
    svc, inbound = ctl.svc, ctl.plugins.inbound
    if req.kind is TransferTargetKind.AGENT:
        async with svc.sessions() as session:
            user = await find_active_user(session, actor.organization_id, req.target)
        if user is None:
            raise InvalidInput.on("target", "no active agent with that id in your organisation")
        if user.id == actor.user_id:
            raise InvalidInput.on("target", "you cannot transfer a call to yourself")
        return f"client:{agent_identity(user.id)}"
    if req.kind is TransferTargetKind.EXTERNAL:
        number = e164(req.target, "target")
        await _may_dial(ctl, actor, number)
        return number
    if inbound is None:
        raise InvalidInput.on("kind", "this installation routes no queues")
    await inbound.check_queue(actor.organization_id, req.target)
    return req.target


async def _transfer_to_queue(
    ctl: CallControl, call: Call, started: TransferStarted, queue_id: str
) -> Call:
    """The customer waits on hold in the queue; the agent's part of the call ends."""
    svc, plugins = ctl.svc, ctl.plugins
    assert plugins.inbound is not None
    music = await plugins.hold_music(call.organization_id)
    await _customer_change(svc, call, ParticipantChange(hold=True, hold_url=music))
    await _record(svc, call.id, started)
    done = TransferCompleted(
        at=svc.clock.now(), target_kind=TransferTargetKind.QUEUE, target_id=queue_id
    )
    call = await _record(svc, call.id, done)
    await svc.legs.drop_previous_agents(call, keep_leg="")
    await plugins.inbound.enqueue_transfer(call, queue_id)
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


async def complete_transfer(ctl: CallControl, actor: Principal, call_id: str) -> Call:
    """Warm transfer: the transferring agent leaves; the target keeps the customer."""
    svc = ctl.svc
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
        await resume(ctl, actor, call.id)
    return call


async def add_third_party(ctl: CallControl, actor: Principal, call_id: str, number: str) -> CallLeg:
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    if CallState(call.state) not in {CallState.CONNECTED, CallState.ON_HOLD}:
        raise CallActionRefused(f"cannot conference: the call is {call.state.replace('_', ' ')}")
    target = e164(number, "number")
    await _may_dial(ctl, actor, target)
    return await svc.legs.add(call, role="third_party", target=target)


async def _may_dial(ctl: CallControl, actor: Principal, number: str) -> None:
    """An agent bringing in an outside number obeys the manual-dialling law too."""
    svc, check = ctl.svc, ctl.plugins.manual_dial
    if check is None:  # not wired: refuse rather than dial unchecked
        raise CallActionRefused("dialling outside numbers is not available here")
    async with svc.sessions() as session:
        org = await session.get(Organization, actor.organization_id)
        assert org is not None
        await check(session, org, number, svc.clock.now())


async def _third_party(ctl: CallControl, call: Call, leg_id: str | None = None) -> CallLeg:
    legs = [
        leg
        for leg in await ctl.svc.legs.legs(call.id)
        if leg.id == leg_id or (leg_id is None and leg.role == "third_party")
    ]
    if not legs:
        raise CallActionRefused("that participant is no longer on the call")
    leg = legs[0]
    if leg.role != "third_party":
        raise CallActionRefused(
            "only a conferenced third party can be dropped: to end the call, hang up"
        )
    return leg


async def drop_participant(ctl: CallControl, actor: Principal, call_id: str, leg_id: str) -> Call:
    """The agent (or a supervisor) drops the third party of a conference; the call goes
    on with the customer, and its history says who dropped whom."""
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    if CallState(call.state) in TERMINAL_STATES:
        raise CallActionRefused("cannot drop a participant: the call has ended")
    leg = await _third_party(ctl, call, leg_id)
    await svc.legs.hang_up_leg(leg)
    async with svc.sessions() as session:
        session.add(
            history_note(
                call,
                svc.clock.now(),
                "ParticipantDropped",
                "participantdropped",
                f"{leg.target} dropped by {actor.name}",
                {"by": actor.user_id, "leg_id": leg.id, "target": leg.target},
            )
        )
        await session.commit()
    return call


async def leave_conference(ctl: CallControl, actor: Principal, call_id: str) -> Call:
    """The agent leaves a three-way call: the customer and the third party talk on, as
    after a warm transfer to that number; the agent goes to wrap-up for their part."""
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    if CallState(call.state) is not CallState.IN_CONFERENCE:
        raise CallActionRefused(
            f"cannot leave: the call is {call.state.replace('_', ' ')}, not a conference"
        )
    third = await _third_party(ctl, call)
    event = TransferCompleted(
        at=svc.clock.now(), target_kind=TransferTargetKind.EXTERNAL, target_id=third.target
    )
    _check(call, event, "leave the call")
    call = await _record(svc, call.id, event)
    await svc.legs.drop_previous_agents(call, keep_leg=third.id)
    return call

"""Conference-based call control: each action is checked against the state machine first,
then carried out by the provider, then recorded and announced.

Holding a call that is not connected answers 409 with the machine's reason, before the
carrier is asked to do anything.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from omnivox.accounts import reach_of, within
from omnivox.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.telephony import calls, fsm
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.events import CallMuted, CallPartDispositioned, CallUnmuted
from omnivox.telephony.fsm_types import (
    TERMINAL_STATES,
    AgentHungUp,
    CallEvent,
    CallState,
    DispositionSubmitted,
    HoldEnded,
    HoldStarted,
    SupervisorHungUp,
    TransferTargetKind,
)
from omnivox.telephony.models import Call, CallLeg
from omnivox.telephony.outcome import Outcome, check_amount
from omnivox.telephony.plugins import CallPlugins
from omnivox.telephony.ports import ParticipantChange
from omnivox.telephony.service import (
    CallActionFailed,
    TelephonyService,
)


class CallActionRefused(Conflict):
    code = "call-action-refused"


@dataclass(frozen=True)
class CallControl:
    """Call control acts on the call core with what other domains plug in (hold music,
    queues for transfers)."""

    svc: TelephonyService
    plugins: CallPlugins


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
        if call.agent_id == actor.user_id:
            return call
        supervises = actor.can(Permission.CALLS_SUPERVISE)
        if supervises and within(await reach_of(session, actor), call.agent_id):
            return call
        if former_agent_ok and await session.scalar(
            select(CallLeg.id).where(
                CallLeg.call_id == call.id,
                CallLeg.user_id == actor.user_id,
                CallLeg.role == "former_agent",
            )
        ):
            return call
    if supervises:
        raise PermissionDenied("this call's agent is not in your teams")
    raise PermissionDenied("this is not your call")


async def _part_disposition(
    svc: TelephonyService,
    actor: Principal,
    call: Call,
    code: str,
    notes: str | None,
    amount: Decimal | None,
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
            calls.history_note(
                call,
                svc.clock.now(),
                "PartDispositioned",
                "part-disposition",
                f"{code} by the transferring agent",
                {"agent_id": actor.user_id, "code": code, "notes": notes} | _amount_note(amount),
            )
        )
        await session.commit()
    summary, audience, at = svc.about(call)
    await svc.announce(
        CallPartDispositioned(
            audience=audience, at=at, call=summary, agent_id=actor.user_id, code=code
        )
    )
    return call


async def _notes_after_unanswered(
    svc: TelephonyService,
    actor: Principal,
    call: Call,
    code: str,
    notes: str | None,
    amount: Decimal | None,
) -> Call:
    """The agent's own call ended unanswered (busy, no answer) and they wrapped up: their
    code and notes go into the call's history and its notes; the call's outcome stays
    the carrier's (nobody answered), and their wrap-up ends."""
    if svc.agents is None or not await svc.agents.finish_wrap_up(
        call.organization_id, actor.user_id, call.id
    ):
        raise CallActionRefused(f"cannot disposition: the call is {call.state.replace('_', ' ')}")
    now = svc.clock.now()
    async with svc.sessions() as session:
        row = await session.get(Call, call.id)
        assert row is not None
        session.add(
            calls.history_note(
                row,
                now,
                "AgentNotes",
                "notes-after-unanswered",
                f"{code} by the agent after the call went unanswered",
                {"agent_id": actor.user_id, "code": code, "notes": notes} | _amount_note(amount),
            )
        )

        def note(c: Call) -> None:
            c.disposition_notes = notes or c.disposition_notes
            c.disposition_agent_id = actor.user_id

        await calls.patch_call(session, row, note)
    return row


def _amount_note(amount: Decimal | None) -> dict[str, object]:
    return {} if amount is None else {"amount": str(amount)}


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


async def hold(ctl: CallControl, actor: Principal, call_id: str) -> Call:
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    _check(call, HoldStarted(at=svc.clock.now()), "hold")
    music = await ctl.plugins.hold_music(call.organization_id)
    await _customer_change(svc, call, ParticipantChange(hold=True, hold_url=music))
    return await _record(svc, call.id, HoldStarted(at=svc.clock.now()))


async def resume(ctl: CallControl, actor: Principal, call_id: str) -> Call:
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    _check(call, HoldEnded(at=svc.clock.now()), "resume")
    await _customer_change(svc, call, ParticipantChange(hold=False))
    return await _record(svc, call.id, HoldEnded(at=svc.clock.now()))


async def hang_up(ctl: CallControl, actor: Principal, call_id: str) -> Call:
    """End the call, whatever state it is in (the state machine says how it ends): its
    agent's hang-up, or a supervisor's. The customer's leg is hung up and every other leg
    ended; the agent follows the call (wrap-up after talking, released from an offer)."""
    svc = ctl.svc
    call = await _load(svc, actor, call_id)
    now = svc.clock.now()
    # ``_load`` let in only the call's agent and holders of calls:supervise.
    event: AgentHungUp | SupervisorHungUp = (
        AgentHungUp(at=now, agent_id=actor.user_id)
        if call.agent_id == actor.user_id
        else SupervisorHungUp(at=now, supervisor_id=actor.user_id)
    )
    _check(call, event, "hang up")
    # Record who ended the call before the carrier is told: its "completed" webhook must
    # find the hang-up already applied, or a slow moment would record the customer as
    # having ended a call the agent ended.
    async with svc.sessions() as session:
        fresh = await session.get(Call, call.id)
        if fresh is None:
            raise NotFound("call not found")
        result = await svc.apply_and_announce(session, fresh, event)
        ended_first = fsm.RejectionReason.CALL_ENDED
        if isinstance(result, fsm.Rejection) and result.reason is not ended_first:
            raise CallActionRefused(f"the call changed meanwhile: {result.detail}")
        call = fresh  # ended meanwhile (the customer hung up first): ended all the same
    if call.provider_sid:
        with contextlib.suppress(ProviderError):
            await svc.provider.hang_up(call.provider_sid)
    await svc.legs.end_all(call)
    return call


async def set_mute(ctl: CallControl, actor: Principal, call_id: str, muted: bool) -> CallLeg:
    svc = ctl.svc
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
    summary, audience, at = svc.about(call)
    kind = CallMuted if muted else CallUnmuted
    await svc.announce(kind(audience=audience, at=at, call=summary))
    return row


async def _agent_leg(svc: TelephonyService, call: Call, user_id: str) -> CallLeg:
    for leg in await svc.legs.legs(call.id):
        if leg.user_id == user_id and leg.status == "joined":
            return leg
    raise CallActionRefused("you are not on this call")


async def disposition(
    ctl: CallControl, actor: Principal, call_id: str, outcome: Outcome, largest_amount: int
) -> Call:
    """Record the call's outcome. A sale's amount is checked whoever records it, but only
    the agent finishing the call stores it as the call's outcome (a transferring agent's
    part and notes after an unanswered call keep theirs in the history), so a sale is
    counted once."""
    svc = ctl.svc
    from omnivox.accounts import MINOR_DIGITS, get_organization, list_dispositions

    call = await _load(svc, actor, call_id, former_agent_ok=True)
    code, notes = outcome.code.upper(), outcome.notes
    async with svc.sessions() as session:
        known = {
            d.code: d.category
            for d in await list_dispositions(session, actor.organization_id, active_only=True)
            if d.category != "system"
        }
        currency = (await get_organization(session, actor.organization_id)).currency
    if code not in known:
        raise InvalidInput.on("code", f"unknown disposition {outcome.code!r}")
    amount = check_amount(
        outcome, known[code], currency, MINOR_DIGITS.get(currency, 2), largest_amount
    )
    if call.agent_id != actor.user_id:
        return await _part_disposition(svc, actor, call, code, notes, amount)
    if CallState(call.state) in TERMINAL_STATES:
        return await _notes_after_unanswered(svc, actor, call, code, notes, amount)
    event = DispositionSubmitted(
        at=svc.clock.now(), code=code, agent_id=actor.user_id, notes=notes, amount=amount
    )
    _check(call, event, "disposition")
    return await _record(svc, call.id, event)

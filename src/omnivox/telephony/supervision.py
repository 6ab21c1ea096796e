"""Supervision (listen, whisper, barge) and call recording (start, pause, resume, stop)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.errors import PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.telephony.control import (
    CallActionRefused,
    CallControl,
    _agent_leg,
    _load,
)
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.events import CallRecordingChanged, CallSupervised, RecordingRef
from omnivox.telephony.fsm_types import TERMINAL_STATES, CallState
from omnivox.telephony.legs import CallActionFailed
from omnivox.telephony.models import Call, CallLeg, Recording
from omnivox.telephony.ports import ParticipantChange, RecordingStatus
from omnivox.telephony.service import TelephonyService, monitor_identity

#: How long a monitor leg rings the supervisor's live floor page before giving up: the
#: page answers at once, so a long ring only means the page is not open.
MONITOR_RING_SECONDS = 15
MONITOR_PARAM = "ovx_monitor"
SUPERVISABLE = frozenset({CallState.CONNECTED, CallState.ON_HOLD, CallState.IN_CONFERENCE})


async def supervise(ctl: CallControl, actor: Principal, call_id: str, mode: str) -> CallLeg:
    """listen (muted), whisper (heard by the agent only) or barge (heard by everyone).

    One leg per supervisor and call, rung on the live floor page's own softphone
    (``monitor_identity``); switching mode changes that leg in place. Refusals are in
    words a supervisor can act on, never the carrier's text."""
    svc = ctl.svc
    if not actor.can(Permission.CALLS_SUPERVISE):
        raise PermissionDenied("supervising calls needs calls:supervise")
    call = await _load(svc, actor, call_id)
    _check_supervisable(call, mode)
    agent_leg = await _agent_leg(svc, call, call.agent_id or "")
    existing = next(iter(await _my_legs(svc, call, actor)), None)
    coach = agent_leg.provider_sid if mode == "whisper" else None
    if existing is not None and existing.status == "joined" and existing.provider_sid:
        change = ParticipantChange(
            muted=mode == "listen", coaching=mode == "whisper", call_sid_to_coach=coach
        )
        try:
            assert call.conference_sid
            await svc.provider.update_participant(
                call.conference_sid, existing.provider_sid, change
            )
        except ProviderError as exc:
            await _explain_switch_failure(svc, call, existing, mode, exc)
        leg = existing
    else:
        if existing is not None:
            # Still ringing the monitor: ring it again in the new mode rather than make
            # the supervisor wait to switch.
            await svc.legs.hang_up_leg(existing)
        leg = await svc.legs.add(
            call,
            role="supervisor",
            # The call rides along (a client custom parameter): the page answers only the
            # leg of the call it is monitoring, never a stale one still ringing.
            target=f"client:{monitor_identity(actor.user_id)}?{MONITOR_PARAM}={call.id}",
            user_id=actor.user_id,
            muted=mode == "listen",
            coach_sid=coach,
            timeout_seconds=MONITOR_RING_SECONDS,
        )
    async with svc.sessions() as session:
        row = await session.get(CallLeg, leg.id)
        assert row is not None
        row.muted, row.coaching = mode == "listen", mode == "whisper"
        await session.commit()
    summary, audience, at = svc.about(call)
    await svc.announce(
        CallSupervised(
            audience=audience, at=at, call=summary, mode=mode, supervisor_id=actor.user_id
        )
    )
    return row


async def stop_monitoring(ctl: CallControl, actor: Principal, call_id: str) -> int:
    """Hang up the supervisor's own legs on the call (ringing or in): how many."""
    svc = ctl.svc
    if not actor.can(Permission.CALLS_SUPERVISE):
        raise PermissionDenied("supervising calls needs calls:supervise")
    call = await _load(svc, actor, call_id)
    mine = await _my_legs(svc, call, actor)
    for leg in mine:
        await svc.legs.hang_up_leg(leg)
    return len(mine)


async def _my_legs(svc: TelephonyService, call: Call, actor: Principal) -> list[CallLeg]:
    """The supervisor's own live legs on the call (ringing or in)."""
    return [
        leg
        for leg in await svc.legs.legs(call.id)
        if leg.role == "supervisor" and leg.user_id == actor.user_id
    ]


def _check_supervisable(call: Call, mode: str) -> None:
    state = CallState(call.state)
    if state in TERMINAL_STATES:
        raise CallActionRefused(f"cannot {mode}: the call has ended")
    if state is CallState.WRAP_UP:
        raise CallActionRefused(f"cannot {mode}: the customer has hung up (wrap-up)")
    if state not in SUPERVISABLE:
        raise CallActionRefused(
            f"cannot {mode}: the call is {state.value.replace('_', ' ')}, not yet with an agent"
        )


async def _explain_switch_failure(
    svc: TelephonyService, call: Call, leg: CallLeg, mode: str, exc: ProviderError
) -> None:
    """The carrier no longer has the call or the monitor leg: say which, in words."""
    async with svc.sessions() as session:
        fresh = await session.get(Call, call.id)
        mine = await session.get(CallLeg, leg.id)
    if fresh is not None and CallState(fresh.state) not in SUPERVISABLE:
        _check_supervisable(fresh, mode)
    if mine is None or mine.status == "left":
        raise CallActionRefused(f"cannot {mode}: your monitor has left the call; click again")
    raise CallActionFailed(f"cannot {mode} now: the carrier could not change your leg") from exc


async def recording(ctl: CallControl, actor: Principal, call_id: str, action: str) -> Recording:
    """start, pause, resume or stop the call's recording."""
    svc = ctl.svc
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
    summary, audience, at = svc.about(call)
    recording_ref = RecordingRef(id=rec.id, status=rec.status)
    await svc.announce(
        CallRecordingChanged(audience=audience, at=at, call=summary, recording=recording_ref)
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

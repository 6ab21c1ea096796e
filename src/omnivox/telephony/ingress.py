"""What each verified webhook does to Omnivox's calls (no HTTP here: the route is thin)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.logging import get_logger
from omnivox.telephony import calls
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.events import (
    CallLegChanged,
    CallRecordingChanged,
    LegSummary,
    RecordingRef,
)
from omnivox.telephony.fsm_types import (
    AgentConnected,
    AgentHungUp,
    CallState,
    ConferenceEnded,
    ConferenceStarted,
    Direction,
    OwnerKind,
    ProviderStatus,
    SystemHangup,
    TransferCompleted,
    TransferConferenced,
    TransferFailed,
    TransferTargetKind,
)
from omnivox.telephony.instructions import Dial, DialConference, Hangup, Instruction, Say
from omnivox.telephony.legs import is_line_leg
from omnivox.telephony.lines import call_is_over
from omnivox.telephony.models import Call, CallLeg, Recording
from omnivox.telephony.plugins import CallPlugins
from omnivox.telephony.ports import (
    CallStatusChanged,
    ConferenceChanged,
    DialFinished,
    DigitsGathered,
    MachineDetected,
    RecordingStatusChanged,
    VoiceRequest,
    WebhookEvent,
)
from omnivox.telephony.service import TelephonyService

log = get_logger(__name__)
UNKNOWN_NUMBER_MESSAGE = "Sorry, this number is not in service. Goodbye."
NOBODY_MESSAGE = "Sorry, we cannot take your call right now. Goodbye."
CONFERENCE_EVENTS = ("start", "end", "join", "leave")
_LEG_LIVE = {ProviderStatus.IN_PROGRESS}
_LEG_GONE = {
    ProviderStatus.COMPLETED,
    ProviderStatus.BUSY,
    ProviderStatus.NO_ANSWER,
    ProviderStatus.CANCELED,
    ProviderStatus.FAILED,
}


@dataclass(frozen=True)
class HookReply:
    """What the webhook answers: instructions for voice requests, otherwise nothing."""

    instructions: tuple[Instruction, ...] = ()


class LineWatcher(Protocol):
    """Decides what becomes of a call whose agent's line dropped (``line_watch.py``)."""

    def watch(self, call_id: str, user_id: str) -> None: ...


@dataclass(frozen=True)
class Ingress:
    """Verified, normalised webhooks in; the call's new state, its follow-up work and the
    reply to the carrier out. Built with the call core and what other domains plug in."""

    svc: TelephonyService
    plugins: CallPlugins
    lines: LineWatcher | None = None  # None: a line dropped mid-call is only recorded

    async def handle(self, event: WebhookEvent, query: Mapping[str, str]) -> HookReply:
        if "line" in query:
            return await _line(self.svc, self.lines, event, query)
        return await _handle(self.svc, self.plugins, event, query)


async def _line(
    svc: TelephonyService,
    watcher: LineWatcher | None,
    event: WebhookEvent,
    query: Mapping[str, str],
) -> HookReply:
    """Webhooks about an agent's line (``telephony/lines.py``)."""
    line_id = query["line"]
    try:
        gen = int(query.get("gen", ""))
    except ValueError:
        log.warning("line webhook without a generation", line_id=line_id)
        return HookReply((Hangup(),))
    if isinstance(event, VoiceRequest):
        return HookReply(await svc.lines.answered(line_id, gen, event.call_sid))
    if isinstance(event, DialFinished):
        return HookReply(await svc.lines.back(line_id, gen, query.get("call", "")))
    if isinstance(event, CallStatusChanged):
        dropped = await svc.lines.status(line_id, gen, event.status, event.call_sid)
        if dropped is not None and dropped.call_id and watcher is not None:
            watcher.watch(dropped.call_id, dropped.user_id)
    return HookReply()


async def _handle(
    svc: TelephonyService, plugins: CallPlugins, event: WebhookEvent, query: Mapping[str, str]
) -> HookReply:
    async with svc.sessions() as session:
        if isinstance(event, VoiceRequest):
            return await _voice(svc, plugins, session, event, query)
        if isinstance(event, CallStatusChanged):
            if "leg" in query:
                await _leg_status(svc, session, event, query["leg"])
            else:
                await _call_status(svc, session, event, query.get("call", ""))
        elif isinstance(event, MachineDetected):
            call = await _call_for(session, query.get("call", ""), event.call_sid)
            if call is not None:
                await svc.apply_and_announce(
                    session, call, event.to_fsm_event(svc.clock.now()), dict(event.raw)
                )
                handler = plugins.answer_handler(call)
                if handler is not None:
                    await handler.on_machine_detection(call, event.answered_by)
        elif isinstance(event, ConferenceChanged):
            await _conference(svc, session, event, query.get("call", ""))
        elif isinstance(event, RecordingStatusChanged):
            await _recording(svc, plugins, session, event, query.get("call", ""))
        elif isinstance(event, DigitsGathered) and plugins.inbound is not None:
            call = await session.get(Call, query.get("call", ""))
            step_query = {**query, "digits": event.digits}
            steps = await plugins.inbound.step(call, step_query) if call is not None else None
            if steps is not None:
                return HookReply(tuple(steps))
        else:
            log.info("webhook ignored", kind=type(event).__name__)
    return HookReply()


async def _call_for(session: AsyncSession, call_id: str, call_sid: str) -> Call | None:
    """The call a webhook is about: by our id (checked against the SID) or by the SID."""
    call = await session.get(Call, call_id) if call_id else None
    if call is None:
        call = await calls.find_call_by_sid(session, call_sid)
    elif call.provider_sid is None:
        call.provider_sid = call_sid  # the webhook beat the REST response
    elif call.provider_sid != call_sid:
        log.warning("webhook SID does not match the call", call_id=call_id, sid=call_sid)
        return None
    if call is None:
        log.warning("webhook for an unknown call", call_id=call_id, sid=call_sid)
    return call


async def _voice(
    svc: TelephonyService,
    plugins: CallPlugins,
    session: AsyncSession,
    event: VoiceRequest,
    query: Mapping[str, str],
) -> HookReply:
    call = await _call_for(session, query.get("call", ""), event.call_sid)
    if call is None and plugins.inbound is not None and not query.get("call"):
        answer = await plugins.inbound.answer(event)
        if answer is not None:
            return HookReply(tuple(answer))
    if call is None:
        # Not a number Omnivox knows: the caller hears why and the call ends (never a
        # silent drop), and the log says so.
        log.warning("call to an unknown number", to=event.to, from_=event.from_, sid=event.call_sid)
        return HookReply((Say(text=UNKNOWN_NUMBER_MESSAGE), Hangup()))
    sid = event.call_sid

    def learn_sid(c: Call) -> None:  # the voice request may beat the REST response
        c.provider_sid = c.provider_sid or sid

    if call.provider_sid != sid:  # no write (and no wait) when it is known already
        await svc.patch_call(session, call, learn_sid)
    if CallState(call.state) in {CallState.COMPLETED, CallState.CANCELED, CallState.ABANDONED}:
        return HookReply((Hangup(),))
    if "step" in query and plugins.inbound is not None:
        steps = await plugins.inbound.step(call, query)
        if steps is not None:
            return HookReply(tuple(steps))
    handler = plugins.answer_handler(call)
    if handler is not None:
        return HookReply(tuple(await handler.on_answer(call, event)))
    if call.agent_id:
        await svc.add_agent_leg(call, call.agent_id)
    return HookReply(
        (
            Dial(
                targets=(
                    DialConference(
                        name=call.conference_name,
                        start_conference_on_enter=True,
                        end_conference_on_exit=True,
                        wait_url="",
                        status_callback_url=svc.urls.conference(call.id),
                        status_callback_events=CONFERENCE_EVENTS,
                        participant_label="customer",
                    ),
                )
            ),
        )
    )


async def _call_status(
    svc: TelephonyService, session: AsyncSession, event: CallStatusChanged, call_id: str
) -> None:
    call = await _call_for(session, call_id, event.call_sid)
    if call is None:
        return
    await svc.apply_and_announce(
        session, call, event.to_fsm_event(svc.clock.now()), dict(event.raw)
    )
    if event.status in _LEG_GONE:
        await svc.end_conference_legs(call)


async def _leg_status(
    svc: TelephonyService, session: AsyncSession, event: CallStatusChanged, leg_id: str
) -> None:
    leg = await session.get(CallLeg, leg_id)
    if leg is None:
        log.warning("status for an unknown leg", leg_id=leg_id, sid=event.call_sid)
        return
    leg.provider_sid = leg.provider_sid or event.call_sid
    call = await session.get(Call, leg.call_id)
    assert call is not None
    now = svc.clock.now()
    if event.status in _LEG_LIVE and leg.status != "joined":
        leg.status, leg.joined_at = "joined", now
        await session.commit()
        await _leg_joined(svc, session, call, leg)
    elif event.status in _LEG_GONE and leg.status != "left":
        was_joined = leg.status == "joined"
        leg.status, leg.left_at = "left", now
        await session.commit()
        await _leg_left(svc, session, call, leg, was_joined)
        # Routing reads an unanswered agent leg as a declined (busy) or missed offer.
        await _announce_leg(svc, call, leg, event.status, was_joined)
        if not was_joined:
            await _release_own_call(svc, session, call, leg)
        return
    else:
        await session.commit()
    await _announce_leg(svc, call, leg, event.status, None)


async def _announce_leg(
    svc: TelephonyService,
    call: Call,
    leg: CallLeg,
    outcome: ProviderStatus,
    was_joined: bool | None,
) -> None:
    summary, audience, at = svc.about(call)
    await svc.announce(
        CallLegChanged(
            audience=audience,
            at=at,
            call=summary,
            leg=leg_of(leg),
            outcome=outcome,
            was_joined=was_joined,
        )
    )


async def _leg_joined(
    svc: TelephonyService, session: AsyncSession, call: Call, leg: CallLeg
) -> None:
    now, state = svc.clock.now(), CallState(call.state)
    if leg.role == "agent" and state is CallState.ANSWERED_HUMAN and leg.user_id:
        await _connect_agent(svc, session, call, leg)
    elif leg.role == "transfer_target" and state is CallState.TRANSFERRING:
        if leg.target.startswith("warm:"):
            await svc.apply_and_announce(session, call, TransferConferenced(at=now))
        else:
            kind, target = _transfer_target(leg)
            await svc.apply_and_announce(
                session, call, TransferCompleted(at=now, target_kind=kind, target_id=target)
            )
            await svc.drop_previous_agent(call, keep_leg=leg.id)
    elif leg.role == "third_party" and state in {CallState.CONNECTED, CallState.ON_HOLD}:
        await svc.apply_and_announce(
            session, call, ConferenceStarted(at=now, participant=leg.target)
        )


async def _leg_left(
    svc: TelephonyService, session: AsyncSession, call: Call, leg: CallLeg, was_joined: bool
) -> None:
    now, state = svc.clock.now(), CallState(call.state)
    if (
        leg.role == "agent"
        and leg.user_id
        and leg.user_id == call.agent_id
        and state in {CallState.CONNECTED, CallState.ON_HOLD, CallState.IN_CONFERENCE}
    ):
        # Either the agent's line dropped (browser closed, network) or the customer hung up
        # and the conference ended: callbacks of different calls come in any order, so ask
        # the carrier whether the customer is still there before calling it the agent's.
        if await svc.customer_still_live(call):
            await svc.apply_and_announce(session, call, AgentHungUp(at=now, agent_id=leg.user_id))
            await svc.hang_up_customer(call)
    elif leg.role == "transfer_target" and state is CallState.TRANSFERRING and not was_joined:
        await svc.apply_and_announce(session, call, TransferFailed(at=now, reason="no answer"))
    elif leg.role == "third_party" and state is CallState.IN_CONFERENCE:
        await svc.apply_and_announce(session, call, ConferenceEnded(at=now))


async def _release_own_call(
    svc: TelephonyService, session: AsyncSession, call: Call, leg: CallLeg
) -> None:
    """The agent never took the rung leg of their own outbound call (they have no line):
    the customer, who answered, is not left waiting for nobody. After the leg's
    announcement, so the agent's offer is first counted as missed or refused."""
    if (
        leg.role != "agent"
        or not leg.user_id
        or leg.user_id != call.agent_id
        or call.direction != Direction.OUTBOUND.value
        or call.owner_kind == OwnerKind.QUEUE.value  # callbacks: routing offers them again
    ):
        return
    await session.refresh(call)
    if CallState(call.state) is not CallState.ANSWERED_HUMAN:
        return
    result = await svc.apply_and_announce(
        session, call, SystemHangup(at=svc.clock.now(), reason="the agent did not answer")
    )
    if CallState(call.state) is CallState.ABANDONED and call.provider_sid:
        try:
            await svc.provider.instruct_call(
                call.provider_sid, (Say(text=NOBODY_MESSAGE), Hangup())
            )
        except ProviderError as exc:
            log.info("customer already gone", call_id=call.id, error=str(exc), result=str(result))


def _transfer_target(leg: CallLeg) -> tuple[TransferTargetKind, str]:
    target = leg.target.removeprefix("warm:")
    if leg.user_id:
        return TransferTargetKind.AGENT, leg.user_id
    return TransferTargetKind.EXTERNAL, target


def leg_of(leg: CallLeg) -> LegSummary:
    return LegSummary(
        id=leg.id,
        role=leg.role,
        target=leg.target.removeprefix("warm:"),
        user_id=leg.user_id,
        status=leg.status,
        muted=leg.muted,
        on_hold=leg.on_hold,
        coaching=leg.coaching,
    )


def leg_summary(leg: CallLeg) -> dict[str, object]:
    return asdict(leg_of(leg))


async def _conference(
    svc: TelephonyService, session: AsyncSession, event: ConferenceChanged, call_id: str
) -> None:
    call = await session.get(Call, call_id) if call_id else None
    if call is None:
        call = await session.scalar(select(Call).where(Call.conference_name == event.friendly_name))
    if call is None:
        return
    customer_joined = event.event == "participant-join" and event.call_sid == call.provider_sid
    now = svc.clock.now()

    def note(c: Call) -> None:
        c.conference_sid = event.conference_sid or c.conference_sid
        if customer_joined and c.customer_joined_at is None:
            c.customer_joined_at = now

    learns = bool(event.conference_sid) and call.conference_sid != event.conference_sid
    if learns or (customer_joined and call.customer_joined_at is None):
        await svc.patch_call(session, call, note)
    if event.call_sid and event.call_sid != call.provider_sid:
        await _line_leg_moved(svc, session, call, event)
    if customer_joined:
        # An agent who answered before the customer was in the conference connects now.
        leg = await session.scalar(
            select(CallLeg).where(
                CallLeg.call_id == call.id, CallLeg.role == "agent", CallLeg.status == "joined"
            )
        )
        if leg is not None:
            await _connect_agent(svc, session, call, leg)


async def _line_leg_moved(
    svc: TelephonyService, session: AsyncSession, call: Call, event: ConferenceChanged
) -> None:
    """An agent's line arrived in or left the call's conference. A line has no status
    callback of its own in the call (it is the agent's for the session), so its joining
    is the agent's answer, and its leaving is only recorded: the line's own status
    callback tells a drop from a move back (``telephony/lines.py``)."""
    if event.event not in ("participant-join", "participant-leave"):
        return
    leg = await session.scalar(
        select(CallLeg).where(CallLeg.call_id == call.id, CallLeg.provider_sid == event.call_sid)
    )
    if leg is None or not is_line_leg(leg):
        return
    now = svc.clock.now()
    if event.event == "participant-join" and leg.status == "joining":
        leg.status, leg.joined_at = "joined", now
        await session.commit()
        await session.refresh(call)
        if call_is_over(call):  # the call ended while the line was on its way: home
            await svc.lines.release(leg)
            return
        await _leg_joined(svc, session, call, leg)  # the answer is waiting: connect first
        await session.refresh(leg)  # a concurrent write on the call rolled the session back
        await _announce_leg(svc, call, leg, ProviderStatus.IN_PROGRESS, None)
    elif event.event == "participant-leave" and leg.status != "left":
        leg.status, leg.left_at, leg.provider_sid = "left", now, None
        await session.commit()
        await _announce_leg(svc, call, leg, ProviderStatus.COMPLETED, True)


async def _connect_agent(
    svc: TelephonyService, session: AsyncSession, call: Call, leg: CallLeg
) -> None:
    """The agent talks to the customer once both are in the conference, whichever came
    first. Both webhooks commit their half before reading the other's, so one sees both."""
    await session.refresh(call)
    if (
        CallState(call.state) is CallState.ANSWERED_HUMAN
        and leg.user_id
        and call.customer_joined_at is not None
    ):
        await svc.apply_and_announce(
            session,
            call,
            AgentConnected(at=svc.clock.now(), agent_id=leg.user_id),
            only_from=frozenset({CallState.ANSWERED_HUMAN}),
        )


async def _recording(
    svc: TelephonyService,
    plugins: CallPlugins,
    session: AsyncSession,
    event: RecordingStatusChanged,
    call_id: str,
) -> None:
    rec = await session.scalar(
        select(Recording).where(Recording.provider_sid == event.recording_sid)
    )
    if rec is None:
        call = await session.get(Call, call_id) if call_id else None
        if (
            call is not None
            and plugins.inbound is not None
            and await plugins.inbound.on_recording(call, event)
        ):
            return
        log.warning("status for an unknown recording", sid=event.recording_sid)
        return
    rec.status = event.status.value
    rec.url = event.url or rec.url
    rec.duration_seconds = event.duration_seconds or rec.duration_seconds
    await session.commit()
    call = await session.get(Call, rec.call_id)
    if call is not None:
        summary, audience, at = svc.about(call)
        recording = RecordingRef(id=rec.id, status=rec.status)
        await svc.announce(
            CallRecordingChanged(audience=audience, at=at, call=summary, recording=recording)
        )

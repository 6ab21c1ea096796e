"""Conferences and their participants: join, hold, mute, coach, leave, end.

SIMULATED. No audio is mixed; the sandbox tracks who is in which conference with which
flags, and sends Twilio's conference status callbacks for each change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from email.utils import format_datetime

from omnivox.telephony.instructions import DialConference
from omnivox.telephony.sandbox import legs, recordings, waiting
from omnivox.telephony.sandbox.model import (
    SandboxAccount,
    SandboxCall,
    SandboxConference,
    SandboxParticipant,
    StatusCallback,
    new_sid,
)
from omnivox.telephony.sandbox.switch import Switch

# statusCallbackEvent names -> the StatusCallbackEvent values they enable.
_EVENT_GROUPS = {
    "start": {"conference-start"},
    "end": {"conference-end"},
    "join": {"participant-join"},
    "leave": {"participant-leave"},
    "mute": {"participant-mute", "participant-unmute"},
    "hold": {"participant-hold", "participant-unhold"},
    "modify": {"participant-modify"},
}


def get_or_create(carrier: Switch, account: SandboxAccount, name_or_sid: str) -> SandboxConference:
    """The live conference with that SID or friendly name; a new one for a new name."""
    by_sid = carrier.conferences.get(name_or_sid)
    if by_sid is not None and by_sid.account_sid == account.account_sid:
        return by_sid
    for conf in carrier.conferences.values():
        live = conf.status != "completed"
        if live and conf.account_sid == account.account_sid and conf.friendly_name == name_or_sid:
            return conf
    conf = SandboxConference(
        sid=new_sid("CF"),
        account_sid=account.account_sid,
        friendly_name=name_or_sid,
        created_at=carrier.clock.now(),
    )
    carrier.conferences[conf.sid] = conf
    return conf


def label_in_use(carrier: Switch, conf: SandboxConference, label: str | None) -> bool:
    """Whether an active participant (in the conference, or still being dialled into it)
    has ``label``: Twilio refuses a second one (16025 in TwiML, 16026 on the REST API)."""
    if not label:
        return False
    for sid, dialling in list(conf.connecting.items()):
        call = carrier.calls.get(sid)
        if call is None or call.is_final:  # ended before its dialling task could run
            del conf.connecting[sid]
        elif dialling.label == label:
            return True
    return any(p.label == label for p in conf.participants.values())


def set_callback(conf: SandboxConference, url: str | None, events: list[str]) -> None:
    if url and conf.status_callback is None:
        wanted: set[str] = set()
        for name in events or ["start", "end"]:  # Twilio's default
            wanted |= _EVENT_GROUPS.get(name, set())
        conf.status_callback = StatusCallback(url=url, events=frozenset(wanted))


async def join(
    carrier: Switch,
    call: SandboxCall,
    conf: SandboxConference,
    participant: SandboxParticipant,
    *,
    record: bool = False,
) -> None:
    participant.status = "connected"
    conf.participants[call.sid] = participant
    call.conference_sid = conf.sid
    carrier.log(call, "conference-join", conference=conf.friendly_name, sid=conf.sid)
    await announce(carrier, conf, "participant-join", participant)
    if conf.status == "init" and participant.start_conference_on_enter:
        conf.status = "in-progress"
        for present in conf.participants.values():
            present.waiting_over.set()
        await announce(carrier, conf, "conference-start")
    if conf.status == "init":
        call.tasks.append(
            carrier.runtime.spawn(
                waiting.wait_for_start(carrier, call, participant), name=f"wait {call.sid}"
            )
        )
    else:
        participant.waiting_over.set()
    if record and not any(r.conference_sid == conf.sid for r in carrier.recordings.values()):
        recordings.start(
            carrier, carrier.account_of(conf), conference_sid=conf.sid, source="DialVerb"
        )


async def join_from_twiml(carrier: Switch, call: SandboxCall, noun: DialConference) -> None:
    """``<Dial><Conference>``: stay until removed, the conference ends, or the call ends."""
    conf = get_or_create(carrier, carrier.account_of(call), noun.name)
    if label_in_use(carrier, conf, noun.participant_label):
        # Twilio error 16025: the call is not added and goes on to the next verb.
        carrier.log(call, "error", code="16025", label=noun.participant_label)
        return
    set_callback(conf, noun.status_callback_url, list(noun.status_callback_events))
    participant = SandboxParticipant(
        call_sid=call.sid,
        label=noun.participant_label,
        start_conference_on_enter=noun.start_conference_on_enter,
        end_conference_on_exit=noun.end_conference_on_exit,
        muted=noun.muted,
        coaching=noun.coach is not None,
        call_sid_to_coach=noun.coach,
        wait_url=noun.wait_url,
    )
    await join(carrier, call, conf, participant, record=noun.record)
    await stay(carrier, call, conf, participant)


async def stay(
    carrier: Switch,
    call: SandboxCall,
    conf: SandboxConference,
    participant: SandboxParticipant,
) -> None:
    try:
        await carrier.runtime.wait(participant.left)
    finally:
        if conf.participants.get(call.sid) is participant:
            # Interrupted (redirect, hang-up): leave in the background, as we may be cancelled.
            # Only this participant: a new document may already have put the call back in.
            carrier.runtime.spawn(leave(carrier, conf, call.sid, participant))


async def add_participant_call(
    carrier: Switch,
    call: SandboxCall,
    conf: SandboxConference,
    participant: SandboxParticipant,
) -> None:
    """A leg created by the Participants API: ring it, join it, hang up when it leaves."""
    call.script_task = asyncio.current_task()
    try:
        answered = await legs.ring(carrier, call)
    finally:
        conf.connecting.pop(call.sid, None)
    if not answered:
        return
    await join(carrier, call, conf, participant)
    await stay(carrier, call, conf, participant)
    carrier.end_call(call, "completed")


async def leave(
    carrier: Switch,
    conf: SandboxConference,
    call_sid: str,
    only: SandboxParticipant | None = None,
) -> None:
    """The call leaves the conference (``only``: if it is still that participant)."""
    participant = conf.participants.get(call_sid)
    if participant is None or (only is not None and participant is not only):
        return
    del conf.participants[call_sid]
    participant.left.set()
    participant.waiting_over.set()
    call = carrier.calls.get(call_sid)
    if call is not None and call.conference_sid == conf.sid:
        call.conference_sid = None
        carrier.log(call, "conference-leave", conference=conf.friendly_name)
    await announce(carrier, conf, "participant-leave", participant)
    if conf.status != "completed" and (participant.end_conference_on_exit or not conf.participants):
        await end(carrier, conf)


async def end(carrier: Switch, conf: SandboxConference) -> None:
    """End the conference; TwiML participants carry on after their ``<Dial>``."""
    if conf.status == "completed":
        return
    conf.status = "completed"
    for sid in list(conf.participants):
        await leave(carrier, conf, sid)
    await announce(carrier, conf, "conference-end")
    for rec in list(carrier.recordings.values()):
        if rec.conference_sid == conf.sid:
            await recordings.finish(carrier, rec)
    conf.ended.set()


async def leave_all(carrier: Switch, call: SandboxCall) -> None:
    if call.conference_sid and call.conference_sid in carrier.conferences:
        await leave(carrier, carrier.conferences[call.conference_sid], call.sid)


async def update_participant(
    carrier: Switch,
    conf: SandboxConference,
    participant: SandboxParticipant,
    params: Mapping[str, str],
) -> None:
    """Hold (with hold music), mute, coach: the Participants API update."""
    call = carrier.calls[participant.call_sid]
    if "Hold" in params:
        hold = params["Hold"].lower() == "true"
        participant.hold_url = params.get("HoldUrl") or participant.hold_url
        if hold != participant.hold:
            participant.hold = hold
            carrier.log(call, "hold" if hold else "unhold", music=participant.hold_url)
            await announce(
                carrier, conf, "participant-hold" if hold else "participant-unhold", participant
            )
    if "Muted" in params:
        muted = params["Muted"].lower() == "true"
        if muted != participant.muted:
            participant.muted = muted
            carrier.log(call, "mute" if muted else "unmute")
            await announce(
                carrier, conf, "participant-mute" if muted else "participant-unmute", participant
            )
    if "Coaching" in params or "CallSidToCoach" in params:
        participant.coaching = params.get("Coaching", str(participant.coaching)).lower() == "true"
        participant.call_sid_to_coach = params.get("CallSidToCoach", participant.call_sid_to_coach)
        carrier.log(
            call, "coaching", coaching=participant.coaching, coaches=participant.call_sid_to_coach
        )
        await announce(carrier, conf, "participant-modify", participant)


async def announce(
    carrier: Switch,
    conf: SandboxConference,
    event: str,
    participant: SandboxParticipant | None = None,
) -> None:
    carrier.log(conf, event, call_sid=participant.call_sid if participant else None)
    callback = conf.status_callback
    if callback is None or event not in callback.events:
        return
    params = {
        "AccountSid": conf.account_sid,
        "ConferenceSid": conf.sid,
        "FriendlyName": conf.friendly_name,
        "StatusCallbackEvent": event,
        "SequenceNumber": str(callback.sequence),
        "Timestamp": format_datetime(carrier.clock.now()),
    }
    callback.sequence += 1
    if participant is not None:
        params.update(
            {
                "CallSid": participant.call_sid,
                "Muted": _flag(participant.muted),
                "Hold": _flag(participant.hold),
                "Coaching": _flag(participant.coaching),
                "EndConferenceOnExit": _flag(participant.end_conference_on_exit),
                "StartConferenceOnEnter": _flag(participant.start_conference_on_enter),
            }
        )
        if participant.label:
            params["ParticipantLabel"] = participant.label
    await carrier.webhook(conf, callback.url, params)


def _flag(value: bool) -> str:
    return "true" if value else "false"

"""Translate between the port's value objects and the SDK's keyword arguments/instances."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from omnivox.telephony.fsm_types import AnsweredBy, ProviderStatus
from omnivox.telephony.instructions import Instruction
from omnivox.telephony.ports import (
    Conference,
    NewParticipant,
    OutboundCall,
    Participant,
    ParticipantChange,
    ProviderCall,
    Recording,
    RecordingStatus,
)

CONFERENCE_EVENTS = ["start", "end", "join", "leave", "mute", "hold"]


def outbound_call_kwargs(
    call: OutboundCall, render: Callable[[Sequence[Instruction]], str]
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "to": call.to,
        "from_": call.from_,
        "status_callback": call.status_callback_url,
        "status_callback_event": [e.value for e in call.status_events],
        "status_callback_method": "POST",
        "timeout": call.timeout_seconds,
    }
    if call.url is not None:
        kwargs["url"] = call.url
        kwargs["method"] = "POST"
    if call.instructions is not None:
        kwargs["twiml"] = render(call.instructions)
    if call.time_limit_seconds is not None:
        kwargs["time_limit"] = call.time_limit_seconds
    amd = call.machine_detection
    if amd is not None:
        kwargs["machine_detection"] = amd.mode.value
        kwargs["async_amd"] = "true"
        kwargs["async_amd_status_callback"] = amd.callback_url
        kwargs["async_amd_status_callback_method"] = "POST"
        if amd.timeout_seconds is not None:
            kwargs["machine_detection_timeout"] = amd.timeout_seconds
    return kwargs


def participant_kwargs(new: NewParticipant) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "from_": new.from_,
        "to": new.to,
        "label": new.label,
        "start_conference_on_enter": new.start_conference_on_enter,
        "end_conference_on_exit": new.end_conference_on_exit,
        "muted": new.muted,
        "beep": "true" if new.beep else "false",
        "timeout": new.timeout_seconds,
        "wait_url": new.wait_url,
    }
    if new.coaching:
        kwargs["coaching"] = True
        kwargs["call_sid_to_coach"] = new.call_sid_to_coach
    if new.status_callback_url:
        kwargs["status_callback"] = new.status_callback_url
        kwargs["status_callback_event"] = ["initiated", "ringing", "answered", "completed"]
    if new.conference_status_callback_url:
        kwargs["conference_status_callback"] = new.conference_status_callback_url
        kwargs["conference_status_callback_event"] = CONFERENCE_EVENTS
    return {k: v for k, v in kwargs.items() if v is not None}


def participant_change_kwargs(change: ParticipantChange) -> dict[str, Any]:
    kwargs = {
        "hold": change.hold,
        "hold_url": change.hold_url,
        "muted": change.muted,
        "coaching": change.coaching,
        "call_sid_to_coach": change.call_sid_to_coach,
    }
    if change.hold_url is not None:
        kwargs["hold_method"] = "POST"
    return {k: v for k, v in kwargs.items() if v is not None}


def provider_call(instance: Any) -> ProviderCall:
    return ProviderCall(
        sid=str(instance.sid),
        status=ProviderStatus(str(instance.status)),
        direction=str(instance.direction or ""),
        from_=str(instance._from or ""),
        to=str(instance.to or ""),
        parent_call_sid=instance.parent_call_sid or None,
        start_time=_datetime(instance.start_time),
        end_time=_datetime(instance.end_time),
        duration_seconds=int(instance.duration) if instance.duration else None,
        answered_by=AnsweredBy(instance.answered_by) if instance.answered_by else None,
    )


def participant(instance: Any) -> Participant:
    return Participant(
        call_sid=str(instance.call_sid),
        conference_sid=str(instance.conference_sid),
        label=instance.label or None,
        status=str(instance.status or "connected"),
        hold=bool(instance.hold),
        muted=bool(instance.muted),
        coaching=bool(instance.coaching),
    )


def conference(instance: Any) -> Conference:
    return Conference(
        sid=str(instance.sid),
        friendly_name=str(instance.friendly_name),
        status=str(instance.status),
    )


def recording(instance: Any) -> Recording:
    return Recording(
        sid=str(instance.sid),
        status=RecordingStatus(str(instance.status)),
        call_sid=instance.call_sid or None,
        conference_sid=instance.conference_sid or None,
    )


def _datetime(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None

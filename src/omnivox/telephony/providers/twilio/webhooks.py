"""Verify Twilio webhooks and normalise their form bodies into provider-neutral events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from twilio.request_validator import RequestValidator

from omnivox.telephony.errors import InvalidWebhookError
from omnivox.telephony.fsm_types import AnsweredBy, ProviderStatus
from omnivox.telephony.ports import (
    CallStatusChanged,
    ConferenceChanged,
    DialFinished,
    DigitsGathered,
    MachineDetected,
    RecordingStatus,
    RecordingStatusChanged,
    VoiceRequest,
    WebhookEvent,
    WebhookKind,
)


def verify_signature(
    auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """Twilio's own validator: HMAC-SHA1 over the full URL plus the sorted POST params."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def parse_webhook(kind: WebhookKind, params: Mapping[str, str]) -> WebhookEvent:
    try:
        return _PARSERS[kind](params)
    except (KeyError, ValueError) as exc:
        raise InvalidWebhookError(f"malformed {kind.value} webhook: {exc!r}") from exc


def _voice(p: Mapping[str, str]) -> VoiceRequest:
    return VoiceRequest(
        call_sid=p["CallSid"],
        from_=p.get("From", ""),
        to=p.get("To", ""),
        direction=p.get("Direction", ""),
        status=ProviderStatus(p["CallStatus"]),
        parent_call_sid=p.get("ParentCallSid") or None,
        raw=dict(p),
    )


def _status(p: Mapping[str, str]) -> CallStatusChanged:
    return CallStatusChanged(
        call_sid=p["CallSid"],
        status=ProviderStatus(p["CallStatus"]),
        sequence_number=_int(p.get("SequenceNumber")),
        timestamp=_rfc2822(p.get("Timestamp")),
        direction=p.get("Direction", ""),
        from_=p.get("From", ""),
        to=p.get("To", ""),
        parent_call_sid=p.get("ParentCallSid") or None,
        duration_seconds=_int(p.get("CallDuration")),
        answered_by=_answered_by(p.get("AnsweredBy")),
        error_code=p.get("ErrorCode") or None,
        raw=dict(p),
    )


def _amd(p: Mapping[str, str]) -> MachineDetected:
    answered_by = _answered_by(p["AnsweredBy"])
    if answered_by is None:
        raise ValueError("AnsweredBy is empty")
    return MachineDetected(
        call_sid=p["CallSid"],
        answered_by=answered_by,
        detection_ms=_int(p.get("MachineDetectionDuration")),
        raw=dict(p),
    )


def _recording(p: Mapping[str, str]) -> RecordingStatusChanged:
    return RecordingStatusChanged(
        recording_sid=p["RecordingSid"],
        status=RecordingStatus(p["RecordingStatus"]),
        call_sid=p.get("CallSid") or None,
        conference_sid=p.get("ConferenceSid") or None,
        url=p.get("RecordingUrl") or None,
        duration_seconds=_int(p.get("RecordingDuration")),
        raw=dict(p),
    )


def _conference(p: Mapping[str, str]) -> ConferenceChanged:
    return ConferenceChanged(
        conference_sid=p["ConferenceSid"],
        friendly_name=p.get("FriendlyName", ""),
        event=p["StatusCallbackEvent"],
        call_sid=p.get("CallSid") or None,
        sequence_number=_int(p.get("SequenceNumber")),
        timestamp=_rfc2822(p.get("Timestamp")),
        raw=dict(p),
    )


def _gather(p: Mapping[str, str]) -> DigitsGathered:
    return DigitsGathered(
        call_sid=p["CallSid"],
        digits=p.get("Digits", ""),
        finished_on_key=p.get("FinishedOnKey") or None,
        raw=dict(p),
    )


def _dial(p: Mapping[str, str]) -> DialFinished:
    status = p.get("DialCallStatus")
    return DialFinished(
        call_sid=p["CallSid"],
        dial_call_status=ProviderStatus(status) if status else None,
        dial_call_sid=p.get("DialCallSid") or None,
        dial_call_duration_seconds=_int(p.get("DialCallDuration")),
        raw=dict(p),
    )


_PARSERS: dict[WebhookKind, Callable[[Mapping[str, str]], WebhookEvent]] = {
    WebhookKind.VOICE: _voice,
    WebhookKind.STATUS: _status,
    WebhookKind.AMD: _amd,
    WebhookKind.RECORDING: _recording,
    WebhookKind.CONFERENCE: _conference,
    WebhookKind.GATHER: _gather,
    WebhookKind.DIAL: _dial,
}


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def _answered_by(value: str | None) -> AnsweredBy | None:
    return AnsweredBy(value) if value else None


def _rfc2822(value: str | None) -> datetime | None:
    # Twilio sends e.g. "Mon, 05 Jan 2026 14:00:03 +0000".
    if not value:
        return None
    parsed = parsedate_to_datetime(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without zone: {value}")
    return parsed

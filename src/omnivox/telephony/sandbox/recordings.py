"""Recordings of calls and conferences: start, pause, resume, stop, and their callbacks.

SIMULATED. No audio is captured; the sandbox keeps the recorded duration (paused stretches
excluded) and reports it exactly as Twilio's recording status callbacks do. The
``RecordingUrl`` it reports points at the sandbox and serves no media.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from omnivox.telephony.sandbox.model import SandboxAccount, SandboxCall, SandboxRecording, new_sid
from omnivox.telephony.sandbox.switch import Switch

LIVE = frozenset({"in-progress", "paused"})


def start(
    carrier: Switch,
    account: SandboxAccount,
    *,
    call_sid: str | None = None,
    conference_sid: str | None = None,
    source: str = "StartCallRecordingAPI",
    callback_url: str | None = None,
    events: list[str] | None = None,
) -> SandboxRecording:
    now = carrier.clock.now()
    rec = SandboxRecording(
        sid=new_sid("RE"),
        account_sid=account.account_sid,
        call_sid=call_sid,
        conference_sid=conference_sid,
        started_at=now,
        resumed_at=now,
        status_callback_url=callback_url,
        status_callback_events=frozenset(events or ["completed"]),
        source=source,
    )
    carrier.recordings[rec.sid] = rec
    _log(carrier, rec, "recording-started")
    if "in-progress" in rec.status_callback_events:
        carrier.runtime.spawn(_callback(carrier, rec))
    return rec


def set_status(carrier: Switch, rec: SandboxRecording, status: str) -> None:
    """``paused`` / ``in-progress`` (resume) / ``stopped``, as the REST update asks."""
    if rec.status not in LIVE:
        raise ValueError(f"recording is {rec.status}")
    now = carrier.clock.now()
    if status == "paused" and rec.status == "in-progress":
        _bank(rec, now)
        rec.status = "paused"
    elif status == "in-progress" and rec.status == "paused":
        rec.resumed_at = now
        rec.status = "in-progress"
    elif status == "stopped":
        _bank(rec, now)
        rec.status = "stopped"
        carrier.runtime.spawn(finish(carrier, rec))
    _log(carrier, rec, f"recording-{status}")


async def finish(carrier: Switch, rec: SandboxRecording) -> None:
    """Close the recording and report ``completed`` (or ``absent`` when nothing was recorded)."""
    if rec.status in ("completed", "absent"):
        return
    _bank(rec, carrier.clock.now())
    rec.status = "completed" if rec.recorded_seconds >= 1 else "absent"
    _log(carrier, rec, f"recording-{rec.status}", seconds=rec.recorded_seconds)
    if rec.status in rec.status_callback_events:
        await _callback(carrier, rec)


async def finish_call_recordings(carrier: Switch, call: SandboxCall) -> None:
    for rec in list(carrier.recordings.values()):
        if rec.call_sid == call.sid and rec.status in (*LIVE, "stopped"):
            await finish(carrier, rec)


def media_url(carrier: Switch, rec: SandboxRecording) -> str:
    return f"{carrier.api_base_url}/2010-04-01/Accounts/{rec.account_sid}/Recordings/{rec.sid}"


def _bank(rec: SandboxRecording, now: datetime) -> None:
    if rec.resumed_at is not None:
        rec.recorded_seconds += (now - rec.resumed_at).total_seconds()
        rec.resumed_at = None


def _log(carrier: Switch, rec: SandboxRecording, kind: str, **detail: object) -> None:
    subject = carrier.calls.get(rec.call_sid or "") or carrier.conferences.get(
        rec.conference_sid or ""
    )
    if subject is not None:
        carrier.log(subject, kind, recording_sid=rec.sid, **detail)


async def _callback(carrier: Switch, rec: SandboxRecording) -> None:
    if not rec.status_callback_url:
        return
    params = {
        "AccountSid": rec.account_sid,
        "RecordingSid": rec.sid,
        "RecordingUrl": media_url(carrier, rec),
        "RecordingStatus": rec.status,
        "RecordingDuration": str(int(rec.recorded_seconds)) if rec.status != "in-progress" else "",
        "RecordingChannels": str(rec.channels),
        "RecordingStartTime": format_datetime(rec.started_at),
        "RecordingSource": rec.source,
        "ErrorCode": "0",
    }
    if rec.call_sid:
        params["CallSid"] = rec.call_sid
    if rec.conference_sid:
        params["ConferenceSid"] = rec.conference_sid
    subject = carrier.calls.get(rec.call_sid or "") or carrier.conferences[rec.conference_sid or ""]
    await carrier.webhook(subject, rec.status_callback_url, {k: v for k, v in params.items() if v})

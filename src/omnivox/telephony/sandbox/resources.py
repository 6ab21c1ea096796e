"""JSON representations of sandbox resources, shaped like Twilio's 2010-04-01 API."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from omnivox.telephony.sandbox.model import (
    SandboxCall,
    SandboxConference,
    SandboxParticipant,
    SandboxRecording,
)
from omnivox.telephony.sandbox.switch import Switch

API = "/2010-04-01"


def _date(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def call_json(carrier: Switch, call: SandboxCall) -> dict[str, Any]:
    uri = f"{API}/Accounts/{call.account_sid}/Calls/{call.sid}"
    return {
        "sid": call.sid,
        "account_sid": call.account_sid,
        "parent_call_sid": call.parent_call_sid,
        "to": call.to,
        "to_formatted": call.to,
        "from": call.from_,
        "from_formatted": call.from_,
        "status": call.status,
        "direction": call.direction,
        "answered_by": call.answered_by,
        "start_time": _date(call.start_time),
        "end_time": _date(call.end_time),
        "duration": str(call.duration_seconds) if call.end_time else None,
        "date_created": _date(call.created_at),
        "date_updated": _date(carrier.clock.now()),
        "api_version": "2010-04-01",
        "caller_name": None,
        "forwarded_from": None,
        "group_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "trunk_sid": None,
        "annotation": None,
        "uri": uri + ".json",
        "subresource_uris": {"recordings": uri + "/Recordings.json"},
    }


def conference_json(carrier: Switch, conf: SandboxConference) -> dict[str, Any]:
    uri = f"{API}/Accounts/{conf.account_sid}/Conferences/{conf.sid}"
    return {
        "sid": conf.sid,
        "account_sid": conf.account_sid,
        "friendly_name": conf.friendly_name,
        "status": conf.status,
        "region": "us1",
        "api_version": "2010-04-01",
        "date_created": _date(conf.created_at),
        "date_updated": _date(carrier.clock.now()),
        "reason_conference_ended": None,
        "call_sid_ending_conference": None,
        "uri": uri + ".json",
        "subresource_uris": {
            "participants": uri + "/Participants.json",
            "recordings": uri + "/Recordings.json",
        },
    }


def participant_json(
    carrier: Switch, conf: SandboxConference, p: SandboxParticipant
) -> dict[str, Any]:
    return {
        "account_sid": conf.account_sid,
        "call_sid": p.call_sid,
        "conference_sid": conf.sid,
        "label": p.label,
        "call_sid_to_coach": p.call_sid_to_coach,
        "coaching": p.coaching,
        "end_conference_on_exit": p.end_conference_on_exit,
        "start_conference_on_enter": p.start_conference_on_enter,
        "hold": p.hold,
        "muted": p.muted,
        "status": p.status,
        "queue_time": "0",
        "date_created": _date(carrier.clock.now()),
        "date_updated": _date(carrier.clock.now()),
        "uri": f"{API}/Accounts/{conf.account_sid}/Conferences/{conf.sid}/Participants/"
        f"{p.call_sid}.json",
    }


def recording_json(carrier: Switch, rec: SandboxRecording) -> dict[str, Any]:
    return {
        "sid": rec.sid,
        "account_sid": rec.account_sid,
        "call_sid": rec.call_sid,
        "conference_sid": rec.conference_sid,
        "status": rec.status,
        "channels": rec.channels,
        "source": rec.source,
        "start_time": _date(rec.started_at),
        "date_created": _date(rec.started_at),
        "date_updated": _date(carrier.clock.now()),
        "duration": str(int(rec.recorded_seconds)),
        "api_version": "2010-04-01",
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "track": "both",
        "encryption_details": None,
        "uri": f"{API}/Accounts/{rec.account_sid}/Recordings/{rec.sid}.json",
    }


def page_json(key: str, items: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """One page holding everything (the sandbox never has enough to paginate)."""
    return {
        key: items,
        "first_page_uri": uri,
        "next_page_uri": None,
        "previous_page_uri": None,
        "page": 0,
        "page_size": max(len(items), 50),
        "start": 0,
        "end": max(len(items) - 1, 0),
        "uri": uri,
    }


def error_json(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }

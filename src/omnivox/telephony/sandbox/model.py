"""In-memory state of the sandbox carrier: accounts, numbers, calls, conferences, recordings.

SIMULATED. These records imitate the resources of Twilio's 2010-04-01 REST API closely
enough for the ``twilio`` SDK to read them back; nothing here reaches a real phone network.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omnivox.telephony.sandbox.parties import PartyScript

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxTiming:
    """How long simulated media takes, in sandbox-clock seconds."""

    seconds_per_word: float = 0.35  # <Say>
    play_seconds: float = 3.0  # <Play>: the sandbox does not fetch or decode audio
    record_seconds: float = 5.0  # how long a party "speaks" into <Record>
    dial_setup_seconds: float = 0.2  # queued until dialling starts (the initiated event)


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass(slots=True)
class SandboxAccount:
    account_sid: str
    auth_token: str
    api_keys: dict[str, str] = field(default_factory=dict)  # key SID -> secret


@dataclass(slots=True)
class SandboxNumber:
    """A number "owned" by an account: where inbound calls to it are sent."""

    number: str
    account_sid: str
    voice_url: str
    status_callback_url: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: datetime
    kind: str
    detail: dict[str, Any]


@dataclass(slots=True, kw_only=True)
class StatusCallback:
    url: str
    events: frozenset[str]
    sequence: int = 0


@dataclass(slots=True, kw_only=True)
class AmdRequest:
    mode: str  # Enable | DetectMessageEnd
    asynchronous: bool
    callback_url: str | None
    timeout_seconds: int = 30


@dataclass(slots=True, kw_only=True)
class SandboxCall:
    sid: str
    account_sid: str
    from_: str
    to: str
    direction: str  # inbound | outbound-api | outbound-dial
    created_at: datetime
    script: PartyScript
    parent_call_sid: str | None = None
    status: str = "queued"
    start_time: datetime | None = None
    end_time: datetime | None = None
    answered_by: str | None = None
    timeout_seconds: int = 30
    url: str | None = None
    twiml: str | None = None
    status_callback: StatusCallback | None = None
    amd: AmdRequest | None = None
    conference_sid: str | None = None
    bridged_to: str | None = None  # the other leg of a <Dial><Number|Client>
    softphone_identity: str | None = None
    # Custom parameters for the browser, from ``client:<identity>?name=value`` in ``To``.
    client_params: dict[str, str] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    digits: list[str] = field(default_factory=list)
    digits_arrived: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    script_task: asyncio.Task[Any] | None = None  # the running TwiML document

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def duration_seconds(self) -> int:
        if self.start_time is None:
            return 0
        end = self.end_time or self.start_time
        return int((end - self.start_time).total_seconds())


@dataclass(slots=True, kw_only=True)
class SandboxParticipant:
    call_sid: str
    label: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    muted: bool = False
    hold: bool = False
    hold_url: str | None = None
    coaching: bool = False
    call_sid_to_coach: str | None = None
    status: str = "connected"
    left: asyncio.Event = field(default_factory=asyncio.Event)
    wait_url: str | None = None  # what they hear until the conference starts
    waiting_over: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(slots=True, kw_only=True)
class SandboxConference:
    sid: str
    account_sid: str
    friendly_name: str
    created_at: datetime
    status: str = "init"  # init | in-progress | completed
    participants: dict[str, SandboxParticipant] = field(default_factory=dict)
    # Participants API legs still being dialled: not in yet, but their labels are taken.
    connecting: dict[str, SandboxParticipant] = field(default_factory=dict)
    status_callback: StatusCallback | None = None
    sequence: int = 0
    log: list[LogEntry] = field(default_factory=list)
    ended: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(slots=True, kw_only=True)
class SandboxRecording:
    sid: str
    account_sid: str
    call_sid: str | None
    conference_sid: str | None
    started_at: datetime
    status: str = "in-progress"
    status_callback_url: str | None = None
    status_callback_events: frozenset[str] = frozenset({"completed"})
    recorded_seconds: float = 0.0
    resumed_at: datetime | None = None  # when the current recorded stretch began
    channels: int = 1
    source: str = "StartCallRecordingAPI"

"""The telephony provider interface and its value objects.

Dialler, routing, flows and the call service speak only this module; they never import
``twilio``. A provider (``providers/twilio``; the sandbox carrier is reached *through* the
Twilio provider) implements :class:`TelephonyProvider`:

* REST-side actions: place, redirect, re-script and hang up calls, fetch the provider's own
  record of a call (for reconciliation), conference participants (hold, mute, coach,
  remove), recordings (start, pause, resume, stop) and softphone access tokens;
* webhook-side: verify a webhook's signature and normalise its form body into one of the
  typed, provider-neutral :data:`WebhookEvent` values below;
* call instructions: render a sequence of :data:`Instruction` values (Say, Play, Gather,
  Dial, ...) into the provider's markup (TwiML for Twilio).

Every value is a frozen dataclass: hashable, comparable, safe to log and to keep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from omnivox.telephony.fsm_types import AmdResult, AnsweredBy, ProviderCallStatus, ProviderStatus
from omnivox.telephony.instructions import Instruction

# --- placing and controlling calls -------------------------------------------------------


class StatusCallbackEvent(StrEnum):
    """Call progress events a status callback is requested for (Twilio's names)."""

    INITIATED = "initiated"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"


ALL_STATUS_EVENTS: tuple[StatusCallbackEvent, ...] = tuple(StatusCallbackEvent)


class MachineDetectionMode(StrEnum):
    """When the verdict arrives. ``human`` (and ``fax``/``unknown``) come as early as the
    provider can tell in both modes; only a machine's verdict differs."""

    ENABLE = "Enable"  # machine: ``machine_start``, as soon as it is recognised (hang-up)
    # machine: ``machine_end_beep|silence|other`` once its greeting has ended, so a
    # message played then lands in the mailbox (voicemail drop)
    DETECT_MESSAGE_END = "DetectMessageEnd"


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineDetection:
    """Asynchronous answering-machine detection: the result arrives on ``callback_url``
    while the call is already connected (nobody waits for it). ``timeout_seconds``: the
    provider gives up after this long and reports ``unknown`` (Twilio's default: 30)."""

    mode: MachineDetectionMode = MachineDetectionMode.ENABLE
    callback_url: str
    timeout_seconds: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundCall:
    """Everything needed to place one outbound call. Exactly one of ``url``/``twiml``."""

    to: str
    from_: str
    url: str | None = None
    instructions: Sequence[Instruction] | None = None
    status_callback_url: str
    status_events: tuple[StatusCallbackEvent, ...] = ALL_STATUS_EVENTS
    machine_detection: MachineDetection | None = None
    timeout_seconds: int = 30  # ring time before no-answer
    time_limit_seconds: int | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.instructions is None):
            raise ValueError("give exactly one of url or instructions")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderCall:
    """The provider's own record of a call: the reference when reconciling."""

    sid: str
    status: ProviderStatus
    direction: str
    from_: str
    to: str
    parent_call_sid: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_seconds: int | None = None
    answered_by: AnsweredBy | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_PROVIDER_STATUSES


FINAL_PROVIDER_STATUSES = frozenset(
    {
        ProviderStatus.COMPLETED,
        ProviderStatus.BUSY,
        ProviderStatus.NO_ANSWER,
        ProviderStatus.CANCELED,
        ProviderStatus.FAILED,
    }
)

# --- conferences ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NewParticipant:
    """Dial ``to`` and put the answered leg into conference ``conference_name``."""

    to: str
    from_: str
    label: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    muted: bool = False
    beep: bool = False
    coaching: bool = False  # whisper: heard only by ``call_sid_to_coach``
    call_sid_to_coach: str | None = None
    status_callback_url: str | None = None
    conference_status_callback_url: str | None = None
    timeout_seconds: int = 30
    wait_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParticipantChange:
    """Fields left ``None`` are not changed."""

    hold: bool | None = None
    hold_url: str | None = None  # hold music
    muted: bool | None = None
    coaching: bool | None = None
    call_sid_to_coach: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    call_sid: str
    conference_sid: str
    label: str | None = None
    status: str = "connected"
    hold: bool = False
    muted: bool = False
    coaching: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Conference:
    sid: str
    friendly_name: str
    status: str  # init | in-progress | completed


# --- recordings ------------------------------------------------------------------------------


class RecordingStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    PAUSED = "paused"
    STOPPED = "stopped"
    PROCESSING = "processing"
    COMPLETED = "completed"
    ABSENT = "absent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Recording:
    sid: str
    status: RecordingStatus
    call_sid: str | None = None
    conference_sid: str | None = None


# --- webhooks ----------------------------------------------------------------------------------


class WebhookKind(StrEnum):
    """What a webhook URL was registered for; part of the ingress route."""

    VOICE = "voice"  # the provider asks what to do with a call (answer with instructions)
    STATUS = "status"  # call progress
    AMD = "amd"  # asynchronous answering-machine detection result
    RECORDING = "recording"
    CONFERENCE = "conference"
    GATHER = "gather"  # digits collected by a Gather
    DIAL = "dial"  # a Dial verb finished (its action URL)


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceRequest:
    call_sid: str
    from_: str
    to: str
    direction: str
    status: ProviderStatus
    parent_call_sid: str | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStatusChanged:
    call_sid: str
    status: ProviderStatus
    sequence_number: int | None
    timestamp: datetime | None
    direction: str = ""
    from_: str = ""
    to: str = ""
    parent_call_sid: str | None = None
    duration_seconds: int | None = None
    answered_by: AnsweredBy | None = None
    error_code: str | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)

    def to_fsm_event(self, received_at: datetime) -> ProviderCallStatus:
        """The state-machine event; ``at`` is the provider's timestamp when it sent one."""
        return ProviderCallStatus(
            at=self.timestamp or received_at,
            status=self.status,
            sequence_number=self.sequence_number,
            timestamp=self.timestamp,
            answered_by=self.answered_by,
            error_code=self.error_code,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineDetected:
    call_sid: str
    answered_by: AnsweredBy
    detection_ms: int | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)

    def to_fsm_event(self, received_at: datetime) -> AmdResult:
        return AmdResult(at=received_at, answered_by=self.answered_by)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingStatusChanged:
    recording_sid: str
    status: RecordingStatus
    call_sid: str | None = None
    conference_sid: str | None = None
    url: str | None = None
    duration_seconds: int | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceChanged:
    conference_sid: str
    friendly_name: str
    event: str  # conference-start, participant-join, participant-hold, ...
    call_sid: str | None = None
    sequence_number: int | None = None
    timestamp: datetime | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class DigitsGathered:
    call_sid: str
    digits: str
    finished_on_key: str | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class DialFinished:
    call_sid: str
    dial_call_status: ProviderStatus | None
    dial_call_sid: str | None = None
    dial_call_duration_seconds: int | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


WebhookEvent = (
    VoiceRequest
    | CallStatusChanged
    | MachineDetected
    | RecordingStatusChanged
    | ConferenceChanged
    | DigitsGathered
    | DialFinished
)


# --- the port --------------------------------------------------------------------------------


@runtime_checkable
class TelephonyProvider(Protocol):
    """A carrier Omnivox can drive. All network calls are async and never block the loop.

    Failures raise :class:`omnivox.telephony.errors.ProviderError` (or its
    ``ProviderResourceNotFoundError`` subclass), carrying the provider's code.
    """

    name: str

    async def place_call(self, call: OutboundCall) -> ProviderCall: ...

    async def redirect_call(self, call_sid: str, url: str) -> None: ...

    async def instruct_call(self, call_sid: str, instructions: Sequence[Instruction]) -> None:
        """Replace what a live call is doing with new instructions."""
        ...

    async def hang_up(self, call_sid: str) -> None:
        """End a call whatever its state (cancels it if not yet answered)."""
        ...

    async def fetch_call(self, call_sid: str) -> ProviderCall | None:
        """The provider's record of the call, or ``None`` if it has none."""
        ...

    async def add_participant(self, conference_name: str, new: NewParticipant) -> Participant: ...

    async def update_participant(
        self, conference_sid: str, call_sid: str, change: ParticipantChange
    ) -> Participant: ...

    async def remove_participant(self, conference_sid: str, call_sid: str) -> None: ...

    async def find_conference(self, friendly_name: str) -> Conference | None:
        """The live (not completed) conference with that name, if any."""
        ...

    async def start_recording(
        self, call_sid: str, *, status_callback_url: str | None = None
    ) -> Recording: ...

    async def set_recording_status(
        self, call_sid: str, recording_sid: str, status: RecordingStatus
    ) -> Recording:
        """Pause (``PAUSED``), resume (``IN_PROGRESS``) or stop (``STOPPED``)."""
        ...

    def create_access_token(self, identity: str, *, ttl_seconds: int = 3600) -> str:
        """A browser softphone token allowing incoming calls to ``identity``."""
        ...

    def verify_webhook(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        """Whether ``signature`` proves the provider sent ``params`` to the full ``url``."""
        ...

    def parse_webhook(self, kind: WebhookKind, params: Mapping[str, str]) -> WebhookEvent:
        """Normalise a verified webhook body. Raises ``InvalidWebhookError`` when malformed."""
        ...

    def render(self, instructions: Sequence[Instruction]) -> str:
        """The provider's markup (TwiML for Twilio) for these instructions."""
        ...

    @property
    def instructions_media_type(self) -> str: ...

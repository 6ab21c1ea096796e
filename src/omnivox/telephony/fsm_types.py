"""The vocabulary of the call state machine: states, owners, endings, snapshot and events.

Pure value types (frozen dataclasses and string enums) so they can cross every layer: the
service persists them, the provider adapters build the provider events, the tests generate
them. The machine itself lives in :mod:`omnivox.telephony.fsm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class CallState(StrEnum):
    QUEUED = "queued"
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED_HUMAN = "answered_human"
    ANSWERED_MACHINE = "answered_machine"
    SELF_SERVICE = "self_service"  # served without an agent: a voicemail, a callback booked
    CONNECTED = "connected"  # customer talking to an agent
    ON_HOLD = "on_hold"
    TRANSFERRING = "transferring"
    IN_CONFERENCE = "in_conference"
    WRAP_UP = "wrap_up"
    COMPLETED = "completed"
    FAILED = "failed"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CANCELED = "canceled"
    ABANDONED = "abandoned"


PRE_ANSWER_STATES = frozenset({CallState.QUEUED, CallState.DIALING, CallState.RINGING})
TALKING_STATES = frozenset(
    {CallState.CONNECTED, CallState.ON_HOLD, CallState.TRANSFERRING, CallState.IN_CONFERENCE}
)
ANSWERED_STATES = frozenset({CallState.ANSWERED_HUMAN, CallState.ANSWERED_MACHINE}) | TALKING_STATES
TERMINAL_STATES = frozenset(
    {
        CallState.COMPLETED,
        CallState.FAILED,
        CallState.BUSY,
        CallState.NO_ANSWER,
        CallState.CANCELED,
        CallState.ABANDONED,
    }
)


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class OwnerKind(StrEnum):
    CAMPAIGN = "campaign"
    QUEUE = "queue"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class Owner:
    """Who answers for the call. There is no "nobody": construction refuses an empty id."""

    kind: OwnerKind
    id: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, OwnerKind):
            raise TypeError("owner kind must be an OwnerKind")
        if not self.id:
            raise ValueError("a call owner needs an id")


class EndReason(StrEnum):
    AGENT_HANGUP = "agent_hangup"
    SUPERVISOR_HANGUP = "supervisor_hangup"
    CUSTOMER_HANGUP = "customer_hangup"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    MACHINE = "machine"
    NETWORK_FAILURE = "network_failure"
    PROVIDER_ERROR = "provider_error"
    ABANDONED = "abandoned"
    CANCELED = "canceled"
    SELF_SERVICE = "self_service"


class AnsweredBy(StrEnum):
    """Twilio's AnsweredBy values, kept verbatim (they are provider-neutral enough)."""

    HUMAN = "human"
    MACHINE_START = "machine_start"
    MACHINE_END_BEEP = "machine_end_beep"
    MACHINE_END_SILENCE = "machine_end_silence"
    MACHINE_END_OTHER = "machine_end_other"
    FAX = "fax"
    UNKNOWN = "unknown"

    @property
    def is_machine(self) -> bool:
        # "unknown" is treated as a human: dropping a live person is the worse mistake.
        return self not in (AnsweredBy.HUMAN, AnsweredBy.UNKNOWN)

    @property
    def greeting_ended(self) -> bool:
        """A machine whose greeting is over (``DetectMessageEnd``): a message played now
        is recorded after the beep."""
        return self in (
            AnsweredBy.MACHINE_END_BEEP,
            AnsweredBy.MACHINE_END_SILENCE,
            AnsweredBy.MACHINE_END_OTHER,
        )


class ProviderStatus(StrEnum):
    """Twilio's CallStatus values."""

    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"
    FAILED = "failed"


class DispositionSource(StrEnum):
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    source: DispositionSource
    at: datetime
    agent_id: str | None = None
    notes: str | None = None
    flagged_for_supervisor: bool = False
    amount: Decimal | None = None  # a sale's amount, in the organisation's currency


class TransferTargetKind(StrEnum):
    AGENT = "agent"
    QUEUE = "queue"
    EXTERNAL = "external"


class Trigger(StrEnum):
    """What an event means to the table. One event class may map to several triggers."""

    DIAL_PLACED = "dial_placed"
    PROVIDER_ERROR = "provider_error"
    PROVIDER_INITIATED = "provider_initiated"
    PROVIDER_RINGING = "provider_ringing"
    PROVIDER_ANSWERED = "provider_answered"
    PROVIDER_ANSWERED_MACHINE = "provider_answered_machine"
    PROVIDER_COMPLETED = "provider_completed"
    PROVIDER_BUSY = "provider_busy"
    PROVIDER_NO_ANSWER = "provider_no_answer"
    PROVIDER_CANCELED = "provider_canceled"
    PROVIDER_FAILED = "provider_failed"
    AMD_HUMAN = "amd_human"
    AMD_MACHINE = "amd_machine"
    AGENT_CONNECTED = "agent_connected"
    HOLD = "hold"
    RESUME = "resume"
    TRANSFER_STARTED = "transfer_started"
    TRANSFER_CONFERENCED = "transfer_conferenced"
    TRANSFER_COMPLETED = "transfer_completed"
    TRANSFER_COMPLETED_TO_QUEUE = "transfer_completed_to_queue"
    TRANSFER_FAILED = "transfer_failed"
    CONFERENCE_STARTED = "conference_started"
    CONFERENCE_ENDED = "conference_ended"
    AGENT_HUNG_UP = "agent_hung_up"
    SUPERVISOR_HUNG_UP = "supervisor_hung_up"
    SYSTEM_HANGUP = "system_hangup"
    SYSTEM_SERVED = "system_served"
    CANCEL = "cancel"
    DISPOSITION = "disposition"
    WRAP_UP_TIMEOUT = "wrap_up_timeout"


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """Everything the machine needs to decide; the service persists it on the call row."""

    state: CallState
    owner: Owner
    direction: Direction
    created_at: datetime
    agent_id: str | None = None
    answered_by: AnsweredBy | None = None
    ringing_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    disposition: Disposition | None = None
    resume_to: CallState | None = None  # the state an on-hold call returns to
    last_sequence_number: int | None = None
    last_provider_timestamp: datetime | None = None


# --- events -----------------------------------------------------------------------------
# Every event carries ``at``: when it happened (provider timestamp or the service's clock).


@dataclass(frozen=True, slots=True)
class ProviderCallStatus:
    """A status callback, already verified and normalised by the provider adapter."""

    at: datetime
    status: ProviderStatus
    sequence_number: int | None = None
    timestamp: datetime | None = None
    answered_by: AnsweredBy | None = None
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class AmdResult:
    """Asynchronous answering-machine detection result."""

    at: datetime
    answered_by: AnsweredBy


@dataclass(frozen=True, slots=True)
class DialPlaced:
    """The provider accepted the outbound call (REST create succeeded)."""

    at: datetime
    provider_call_sid: str


@dataclass(frozen=True, slots=True)
class ProviderRequestFailed:
    """The provider refused or could not be reached when placing the call."""

    at: datetime
    error: str


@dataclass(frozen=True, slots=True)
class AgentConnected:
    at: datetime
    agent_id: str


@dataclass(frozen=True, slots=True)
class HoldStarted:
    at: datetime


@dataclass(frozen=True, slots=True)
class HoldEnded:
    at: datetime


@dataclass(frozen=True, slots=True)
class TransferStarted:
    at: datetime
    target_kind: TransferTargetKind
    target_id: str  # agent id, queue id or E.164 number
    warm: bool = False


@dataclass(frozen=True, slots=True)
class TransferConferenced:
    """Warm transfer: the target joined the customer and the transferring agent."""

    at: datetime


@dataclass(frozen=True, slots=True)
class TransferCompleted:
    at: datetime
    target_kind: TransferTargetKind
    target_id: str


@dataclass(frozen=True, slots=True)
class TransferFailed:
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ConferenceStarted:
    """A third party joined (three-way conference)."""

    at: datetime
    participant: str


@dataclass(frozen=True, slots=True)
class ConferenceEnded:
    at: datetime


@dataclass(frozen=True, slots=True)
class AgentHungUp:
    at: datetime
    agent_id: str


@dataclass(frozen=True, slots=True)
class SupervisorHungUp:
    """A supervisor ended someone else's call (from the live floor)."""

    at: datetime
    supervisor_id: str


@dataclass(frozen=True, slots=True)
class SystemHangup:
    """Omnivox itself dropped an answered call (no agent free, or a machine)."""

    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SystemServed:
    """The caller was served without an agent (``outcome``: voicemail, callback): their
    hang-up then ends the call as completed, not abandoned."""

    at: datetime
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class CancelRequested:
    at: datetime


@dataclass(frozen=True, slots=True)
class DispositionSubmitted:
    at: datetime
    code: str
    agent_id: str
    notes: str | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class WrapUpTimedOut:
    at: datetime


CallEvent = (
    ProviderCallStatus
    | AmdResult
    | DialPlaced
    | ProviderRequestFailed
    | AgentConnected
    | HoldStarted
    | HoldEnded
    | TransferStarted
    | TransferConferenced
    | TransferCompleted
    | TransferFailed
    | ConferenceStarted
    | ConferenceEnded
    | AgentHungUp
    | SupervisorHungUp
    | SystemHangup
    | SystemServed
    | CancelRequested
    | DispositionSubmitted
    | WrapUpTimedOut
)

"""Provider-neutral call instructions: what a call should do next.

Flows, routing and the dialler describe calls with these values; the provider renders them
(``TelephonyProvider.render``: TwiML for Twilio). They cover exactly the verbs Omnivox uses,
which is also exactly what the sandbox carrier interprets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# --- leaf verbs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Say:
    text: str
    voice: str | None = None
    language: str | None = None
    loop: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Play:
    url: str | None = None
    digits: str | None = None  # play DTMF tones instead of audio (``w`` = half-second pause)
    loop: int = 1

    def __post_init__(self) -> None:
        if (self.url is None) == (self.digits is None):
            raise ValueError("Play needs exactly one of url or digits")


@dataclass(frozen=True, slots=True, kw_only=True)
class Pause:
    seconds: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Gather:
    """Collect DTMF digits, then POST them to ``action_url``."""

    action_url: str
    num_digits: int | None = None
    timeout_seconds: int = 5
    finish_on_key: str = "#"
    prompt: tuple[Say | Play | Pause, ...] = ()
    action_on_empty_result: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    action_url: str | None = None
    max_length_seconds: int = 3600
    timeout_seconds: int = 5
    play_beep: bool = True
    finish_on_key: str = "1234567890*#"
    recording_status_callback_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Redirect:
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Hangup:
    pass


class RejectReason(StrEnum):
    REJECTED = "rejected"
    BUSY = "busy"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    reason: RejectReason = RejectReason.REJECTED


# --- Dial and its nouns ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DialNumber:
    number: str
    status_callback_url: str | None = None
    status_events: tuple[str, ...] = ()
    url: str | None = None  # whisper TwiML played to the callee before bridging


@dataclass(frozen=True, slots=True, kw_only=True)
class DialClient:
    """A browser softphone registered under ``identity``."""

    identity: str
    status_callback_url: str | None = None
    status_events: tuple[str, ...] = ()
    url: str | None = None


class ConferenceBeep(StrEnum):
    TRUE = "true"
    FALSE = "false"
    ON_ENTER = "onEnter"
    ON_EXIT = "onExit"


@dataclass(frozen=True, slots=True, kw_only=True)
class DialConference:
    name: str
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    muted: bool = False
    beep: ConferenceBeep = ConferenceBeep.FALSE
    wait_url: str | None = None  # hold music while alone ("" = silence)
    status_callback_url: str | None = None
    status_callback_events: tuple[str, ...] = ()
    record: bool = False
    recording_status_callback_url: str | None = None
    participant_label: str | None = None
    coach: str | None = None  # call SID this participant whispers to


DialTarget = DialNumber | DialClient | DialConference


@dataclass(frozen=True, slots=True, kw_only=True)
class Dial:
    """Connect the call to one conference, or to the first of some numbers/clients."""

    targets: tuple[DialTarget, ...]
    caller_id: str | None = None
    timeout_seconds: int = 30
    action_url: str | None = None
    time_limit_seconds: int | None = None
    answer_on_bridge: bool = False

    def __post_init__(self) -> None:
        if not self.targets:
            raise ValueError("Dial needs at least one target")
        conferences = [t for t in self.targets if isinstance(t, DialConference)]
        if conferences and len(self.targets) > 1:
            raise ValueError("a conference Dial has exactly one target")


Instruction = Say | Play | Pause | Gather | Record | Redirect | Hangup | Reject | Dial

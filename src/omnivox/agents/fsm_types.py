"""The agent state machine's vocabulary: states, who acts, the snapshot, the events and the
triggers the transition table is keyed on. Pure data; the machine is :mod:`.fsm`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AgentState(StrEnum):
    OFFLINE = "offline"
    AVAILABLE = "available"
    RESERVED = "reserved"  # a call is being offered
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"  # not ready, with a reason code


class Actor(StrEnum):
    """Who caused a change: recorded in history and decides which table row applies."""

    SELF = "self"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    state: AgentState
    since: datetime
    reason: str | None = None  # the break reason code, only in BREAK
    call_id: str | None = None  # only in RESERVED, ON_CALL, WRAP_UP
    missed_count: int = 0


def offline(at: datetime) -> AgentSnapshot:
    """An agent the system has never seen is offline."""
    return AgentSnapshot(AgentState.OFFLINE, at)


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoAvailable:
    at: datetime
    by: Actor = Actor.SELF


@dataclass(frozen=True, slots=True)
class TakeBreak:
    at: datetime
    reason: str
    by: Actor = Actor.SELF


@dataclass(frozen=True, slots=True)
class GoOffline:
    at: datetime
    by: Actor = Actor.SELF


@dataclass(frozen=True, slots=True)
class Reserve:
    """Routing or the dialler offers ``call_id`` to the agent."""

    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class CallStarted:
    """The agent accepted (``SELF``) or the system connected them (``SYSTEM``)."""

    at: datetime
    call_id: str
    by: Actor = Actor.SYSTEM


@dataclass(frozen=True, slots=True)
class OfferRejected:
    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class OfferReleased:
    """The offer was withdrawn (caller hung up while ringing, routed elsewhere)."""

    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class OfferTimedOut:
    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class CallEnded:
    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class CallWithdrawn:
    """The system took the call back from the agent (a machine, detected after the
    connection): straight back to available, no wrap-up."""

    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class OwnCallFailed:
    """The agent's own outbound call (click-to-call, preview, manual) ended before anyone
    answered (busy, no answer, failed): wrap-up for notes, not straight back to work."""

    at: datetime
    call_id: str


@dataclass(frozen=True, slots=True)
class FinishWrapUp:
    at: datetime
    by: Actor = Actor.SYSTEM


AgentEvent = (
    GoAvailable
    | TakeBreak
    | GoOffline
    | Reserve
    | CallStarted
    | OfferRejected
    | OfferReleased
    | OfferTimedOut
    | CallEnded
    | CallWithdrawn
    | OwnCallFailed
    | FinishWrapUp
)


class Trigger(StrEnum):
    SET_AVAILABLE = "set_available"
    SET_BREAK = "set_break"
    SET_OFFLINE = "set_offline"
    FORCE_AVAILABLE = "force_available"  # supervisor or system
    FORCE_BREAK = "force_break"
    FORCE_OFFLINE = "force_offline"
    RESERVE = "reserve"
    START_CALL = "start_call"
    REJECT = "reject"
    RELEASE = "release"
    OFFER_TIMEOUT = "offer_timeout"
    END_CALL = "end_call"
    WITHDRAW = "withdraw"
    OWN_CALL_FAILED = "own_call_failed"
    FINISH_WRAP_UP = "finish_wrap_up"

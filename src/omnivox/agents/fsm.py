"""The agent state machine: pure, with an explicit transition table.

``apply(snapshot, event)`` classifies the event into a :class:`Trigger` (what it is *and*
who asked: the agent, a supervisor or the system), looks ``(snapshot.state, trigger)`` up
in :data:`TABLE` and returns a :class:`Transition` (the new snapshot and the history row to
append) or a :class:`Rejection`. No I/O, no clock: every event carries its instant.

Why a table: it is the specification (rendered in ``docs/agents.md``) and the property
tests check that nothing ever happens outside it.

Decisions worth knowing:

* An agent is offered one call at a time: ``reserve`` is only accepted from ``available``,
  so "reserved for two calls" is unrepresentable.
* Call-bound events (start, reject, release, timeout, end) name their call; an event for
  another call than the one the agent holds is refused, so a late or duplicated webhook
  for an old call cannot move the agent.
* A missed offer moves the agent to ``break`` with the system reason ``missed`` and counts
  it; the count restarts when the agent comes back from ``offline`` (a new shift).
* Nobody, not even a supervisor, can force an agent out of ``on_call``: that would leave a
  live customer without an owner. The call must end first (call control, not agent state).
* The one way out of ``on_call`` without wrap-up is ``withdraw``: the system took the call
  back (the dialler's answering-machine detection decided "machine" after the agent had
  been connected); there is nothing for the agent to disposition, so she is available.
* History must be time-ordered although nodes' clocks differ slightly: a transition is
  stamped ``max(event.at, snapshot.since)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "MISSED_REASON",
    "TABLE",
    "Actor",
    "AgentEvent",
    "AgentSnapshot",
    "AgentState",
    "CallEnded",
    "CallStarted",
    "CallWithdrawn",
    "FinishWrapUp",
    "GoAvailable",
    "GoOffline",
    "HistoryEntry",
    "OfferRejected",
    "OfferReleased",
    "OfferTimedOut",
    "Rejection",
    "RejectionReason",
    "Reserve",
    "Rule",
    "TakeBreak",
    "Transition",
    "Trigger",
    "apply",
    "classify",
    "offline",
]

#: The break reason the machine sets on its own when an offer is not answered in time.
MISSED_REASON = "missed"


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
    | FinishWrapUp
)

_CALL_EVENTS = (CallStarted, OfferRejected, OfferReleased, OfferTimedOut, CallEnded, CallWithdrawn)


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
    FINISH_WRAP_UP = "finish_wrap_up"


def classify(event: AgentEvent) -> Trigger:
    forced = getattr(event, "by", Actor.SELF) is not Actor.SELF
    if isinstance(event, GoAvailable):
        return Trigger.FORCE_AVAILABLE if forced else Trigger.SET_AVAILABLE
    if isinstance(event, TakeBreak):
        return Trigger.FORCE_BREAK if forced else Trigger.SET_BREAK
    if isinstance(event, GoOffline):
        return Trigger.FORCE_OFFLINE if forced else Trigger.SET_OFFLINE
    return _SIMPLE[type(event)]


_SIMPLE: dict[type, Trigger] = {
    Reserve: Trigger.RESERVE,
    CallStarted: Trigger.START_CALL,
    OfferRejected: Trigger.REJECT,
    OfferReleased: Trigger.RELEASE,
    OfferTimedOut: Trigger.OFFER_TIMEOUT,
    CallEnded: Trigger.END_CALL,
    CallWithdrawn: Trigger.WITHDRAW,
    FinishWrapUp: Trigger.FINISH_WRAP_UP,
}

# --- the table ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: the target state (None = accepted, nothing changes) and side marks."""

    target: AgentState | None
    missed: bool = False  # count a missed offer, reason "missed"
    releases_offer: bool = False  # the offered call goes back to routing


S = AgentState
T = Trigger


def _build_table() -> dict[tuple[AgentState, Trigger], Rule]:
    table: dict[tuple[AgentState, Trigger], Rule] = {}

    def add(states: set[AgentState], trig: Trigger, rule: Rule) -> None:
        for state in states:
            table[(state, trig)] = rule

    idle = {S.OFFLINE, S.AVAILABLE, S.BREAK, S.WRAP_UP}  # the agent holds no live call
    # The agent's own choices (wrap_up -> available is how an agent finishes wrap-up).
    add(idle, T.SET_AVAILABLE, Rule(S.AVAILABLE))
    add(idle, T.SET_BREAK, Rule(S.BREAK))
    add(idle, T.SET_OFFLINE, Rule(S.OFFLINE))
    # Supervisor / system force: also from an offer, which then returns to routing.
    add(idle, T.FORCE_AVAILABLE, Rule(S.AVAILABLE))
    add(idle, T.FORCE_BREAK, Rule(S.BREAK))
    add(idle, T.FORCE_OFFLINE, Rule(S.OFFLINE))
    add({S.RESERVED}, T.FORCE_AVAILABLE, Rule(S.AVAILABLE, releases_offer=True))
    add({S.RESERVED}, T.FORCE_BREAK, Rule(S.BREAK, releases_offer=True))
    add({S.RESERVED}, T.FORCE_OFFLINE, Rule(S.OFFLINE, releases_offer=True))
    # Offers and calls.
    add({S.AVAILABLE}, T.RESERVE, Rule(S.RESERVED))
    add({S.RESERVED}, T.START_CALL, Rule(S.ON_CALL))
    add({S.ON_CALL}, T.START_CALL, Rule(None))  # accept + connected webhook: both arrive
    add({S.RESERVED}, T.REJECT, Rule(S.AVAILABLE, releases_offer=True))
    add({S.RESERVED}, T.RELEASE, Rule(S.AVAILABLE, releases_offer=True))
    add({S.RESERVED}, T.OFFER_TIMEOUT, Rule(S.BREAK, missed=True, releases_offer=True))
    add({S.ON_CALL}, T.END_CALL, Rule(S.WRAP_UP))
    add({S.ON_CALL}, T.WITHDRAW, Rule(S.AVAILABLE))  # a machine taken back: no wrap-up
    add({S.WRAP_UP}, T.END_CALL, Rule(None))  # duplicate hang-up notifications
    add({S.WRAP_UP}, T.FINISH_WRAP_UP, Rule(S.AVAILABLE))
    return table


#: ``(state, trigger) -> Rule``. A pair that is absent is refused.
TABLE: Mapping[tuple[AgentState, Trigger], Rule] = MappingProxyType(_build_table())

# --- results --------------------------------------------------------------------------------


class RejectionReason(StrEnum):
    INVALID_TRANSITION = "invalid-transition"
    WRONG_CALL = "wrong-call"  # the event names another call than the agent's
    MISSING_REASON = "missing-reason"
    MISSING_CALL = "missing-call"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One appended history row."""

    from_state: AgentState
    to_state: AgentState
    reason: str | None
    call_id: str | None
    at: datetime
    by: Actor


@dataclass(frozen=True, slots=True)
class Transition:
    before: AgentSnapshot
    after: AgentSnapshot
    trigger: Trigger
    event: AgentEvent
    entry: HistoryEntry | None  # None for an accepted no-op
    released_call_id: str | None = None  # an offered call that must go back to routing

    @property
    def changed(self) -> bool:
        return self.entry is not None


@dataclass(frozen=True, slots=True)
class Rejection:
    state: AgentState
    event: AgentEvent
    reason: RejectionReason
    detail: str
    trigger: Trigger


def _actor(event: AgentEvent) -> Actor:
    if isinstance(event, Reserve | OfferReleased | OfferTimedOut | CallEnded | CallWithdrawn):
        return Actor.SYSTEM
    if isinstance(event, OfferRejected):
        return Actor.SELF
    return event.by


def _next(snapshot: AgentSnapshot, event: AgentEvent, rule: Rule, at: datetime) -> AgentSnapshot:
    target = rule.target
    assert target is not None
    missed = 0 if snapshot.state is S.OFFLINE else snapshot.missed_count
    if rule.missed:
        return AgentSnapshot(target, at, MISSED_REASON, None, missed + 1)
    if target is S.BREAK:
        assert isinstance(event, TakeBreak)
        return AgentSnapshot(target, at, event.reason, None, missed)
    if target is S.RESERVED:
        assert isinstance(event, Reserve)
        return AgentSnapshot(target, at, None, event.call_id, missed)
    keeps_call = target in (S.ON_CALL, S.WRAP_UP)
    return AgentSnapshot(target, at, None, snapshot.call_id if keeps_call else None, missed)


def apply(snapshot: AgentSnapshot, event: AgentEvent) -> Transition | Rejection:
    """Apply ``event`` to ``snapshot``. Pure: same inputs, same answer."""
    trigger = classify(event)
    rule = TABLE.get((snapshot.state, trigger))
    if rule is None:
        return Rejection(
            snapshot.state,
            event,
            RejectionReason.INVALID_TRANSITION,
            f"cannot {trigger.value.replace('_', ' ')} while {snapshot.state.value}",
            trigger,
        )
    if isinstance(event, _CALL_EVENTS) and event.call_id != snapshot.call_id:
        return Rejection(
            snapshot.state,
            event,
            RejectionReason.WRONG_CALL,
            f"the agent holds call {snapshot.call_id}, not {event.call_id}",
            trigger,
        )
    if isinstance(event, Reserve) and not event.call_id:
        return Rejection(
            snapshot.state, event, RejectionReason.MISSING_CALL, "an offer needs a call", trigger
        )
    if isinstance(event, TakeBreak) and not event.reason:
        return Rejection(
            snapshot.state, event, RejectionReason.MISSING_REASON, "a break needs a reason", trigger
        )
    if rule.target is None:
        return Transition(snapshot, snapshot, trigger, event, None)
    at = max(event.at, snapshot.since)
    after = _next(snapshot, event, rule, at)
    released = snapshot.call_id if rule.releases_offer else None
    if after.state is snapshot.state and after.reason == snapshot.reason:
        # e.g. "available" again: nothing to record, but the counter may restart.
        return Transition(
            snapshot, replace(snapshot, missed_count=after.missed_count), trigger, event, None
        )
    entry = HistoryEntry(
        snapshot.state,
        after.state,
        after.reason,
        snapshot.call_id or after.call_id,
        at,
        _actor(event),
    )
    return Transition(snapshot, after, trigger, event, entry, released)

"""The agent state machine: pure, with an explicit transition table.

``apply(snapshot, event)`` classifies the event into a :class:`Trigger` (what it is *and*
who asked: the agent, a supervisor or the system), looks ``(snapshot.state, trigger)`` up
in :data:`TABLE` (defined in :mod:`.fsm_table`) and returns a :class:`Transition` (the new
snapshot and the history row to append) or a :class:`Rejection`. No I/O, no clock: every
event carries its instant.

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
* The agent's own outbound call that nobody answered (busy, no answer) takes them from
  ``reserved`` to ``wrap_up``, for notes, like a call that was answered.
* The one way out of ``on_call`` without wrap-up is ``withdraw``: the system took the call
  back (the dialler's answering-machine detection decided "machine" after the agent had
  been connected); there is nothing for the agent to disposition, so she is available.
* History must be time-ordered although nodes' clocks differ slightly: a transition is
  stamped ``max(event.at, snapshot.since)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from omnivox.agents.fsm_table import TABLE, Rule
from omnivox.agents.fsm_types import (
    Actor,
    AgentEvent,
    AgentSnapshot,
    AgentState,
    CallEnded,
    CallStarted,
    CallWithdrawn,
    FinishWrapUp,
    GoAvailable,
    GoOffline,
    OfferRejected,
    OfferReleased,
    OfferTimedOut,
    OwnCallFailed,
    Reserve,
    TakeBreak,
    Trigger,
    offline,
)

__all__ = [
    "LINE_LOST_REASON",
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
    "OwnCallFailed",
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
#: The break reason the system sets when an agent's line drops (``agents/line.py``).
LINE_LOST_REASON = "line_lost"

S = AgentState


_CALL_EVENTS = (
    CallStarted,
    OfferRejected,
    OfferReleased,
    OfferTimedOut,
    CallEnded,
    CallWithdrawn,
    OwnCallFailed,
)


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
    OwnCallFailed: Trigger.OWN_CALL_FAILED,
    FinishWrapUp: Trigger.FINISH_WRAP_UP,
}


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
    if isinstance(
        event, Reserve | OfferReleased | OfferTimedOut | CallEnded | CallWithdrawn | OwnCallFailed
    ):
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

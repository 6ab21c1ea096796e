"""The call state machine: pure, with an explicit transition table.

``apply(snapshot, event)`` classifies the event into a :class:`Trigger`, looks the pair
``(snapshot.state, trigger)`` up in :data:`TABLE` (defined in :mod:`.fsm_table`) and
returns either a :class:`Transition` (the new snapshot to persist, plus what happened) or a
:class:`Rejection` (nothing to persist except, for provider events, a history row). There
is no I/O and no clock here: every event carries the instant it happened.

Why a table rather than ``if`` chains: the table *is* the specification. It is rendered in
``docs/telephony.md``, and the property tests check that no transition ever leaves it.

Provider webhooks are retried and reordered, so provider status events carry Twilio's
``SequenceNumber`` and ``Timestamp``; an event that is not newer than the last applied one
is rejected as a duplicate / out-of-order event. The service records it in the call's
history and does not re-apply it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from omnivox.telephony.fsm_table import (
    SYSTEM_DISPOSITION_ABANDONED,
    SYSTEM_DISPOSITION_MACHINE,
    SYSTEM_DISPOSITION_NETWORK,
    SYSTEM_DISPOSITION_SELF_SERVICE,
    SYSTEM_DISPOSITION_UNTRACKED_ANSWER,
    SYSTEM_DISPOSITION_WRAP_UP_TIMEOUT,
    TABLE,
    Rule,
)
from omnivox.telephony.fsm_types import (
    ANSWERED_STATES,
    TERMINAL_STATES,
    AgentConnected,
    AgentHungUp,
    AmdResult,
    CallEvent,
    CallSnapshot,
    CallState,
    CancelRequested,
    ConferenceEnded,
    ConferenceStarted,
    DialPlaced,
    Direction,
    Disposition,
    DispositionSource,
    DispositionSubmitted,
    HoldEnded,
    HoldStarted,
    Owner,
    OwnerKind,
    ProviderCallStatus,
    ProviderRequestFailed,
    ProviderStatus,
    SupervisorHungUp,
    SystemHangup,
    SystemServed,
    TransferCompleted,
    TransferConferenced,
    TransferFailed,
    TransferStarted,
    TransferTargetKind,
    Trigger,
    WrapUpTimedOut,
)

__all__ = [
    "SYSTEM_DISPOSITION_ABANDONED",
    "SYSTEM_DISPOSITION_MACHINE",
    "SYSTEM_DISPOSITION_NETWORK",
    "SYSTEM_DISPOSITION_SELF_SERVICE",
    "SYSTEM_DISPOSITION_UNTRACKED_ANSWER",
    "SYSTEM_DISPOSITION_WRAP_UP_TIMEOUT",
    "TABLE",
    "Rejection",
    "RejectionReason",
    "Rule",
    "Transition",
    "apply",
    "classify",
    "new_call",
]

_Ordered = TypeVar("_Ordered", int, datetime)


class RejectionReason(StrEnum):
    INVALID_TRANSITION = "invalid-transition"
    CALL_ENDED = "call-ended"
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out-of-order"
    NOT_APPLICABLE = "not-applicable"  # e.g. resume without a state to resume to


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted event: persist ``after`` and append a history row.

    ``changed`` is False for accepted no-op events (e.g. a confirming ``completed`` status
    after the agent already hung up); they are still worth a history row.
    """

    before: CallSnapshot
    after: CallSnapshot
    trigger: Trigger
    event: CallEvent

    @property
    def from_state(self) -> CallState:
        return self.before.state

    @property
    def to_state(self) -> CallState:
        return self.after.state

    @property
    def changed(self) -> bool:
        return self.before.state != self.after.state

    @property
    def entered_wrap_up(self) -> bool:
        """The service starts the wrap-up timer when this is true."""
        return self.changed and self.after.state is CallState.WRAP_UP

    @property
    def ended(self) -> bool:
        return self.changed and self.after.state in TERMINAL_STATES


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused event: nothing changes. Provider events are still recorded in history."""

    state: CallState
    event: CallEvent
    reason: RejectionReason
    detail: str
    trigger: Trigger | None = None


def new_call(owner: Owner, direction: Direction, created_at: datetime) -> CallSnapshot:
    """Outbound calls start ``queued`` (not yet placed); inbound ones ``ringing``."""
    state = CallState.QUEUED if direction is Direction.OUTBOUND else CallState.RINGING
    return CallSnapshot(state=state, owner=owner, direction=direction, created_at=created_at)


def classify(event: CallEvent) -> Trigger:
    """Map an event to the trigger the table is keyed on."""
    if isinstance(event, ProviderCallStatus):
        return _classify_status(event)
    if isinstance(event, AmdResult):
        return Trigger.AMD_MACHINE if event.answered_by.is_machine else Trigger.AMD_HUMAN
    if isinstance(event, TransferCompleted):
        return (
            Trigger.TRANSFER_COMPLETED_TO_QUEUE
            if event.target_kind is TransferTargetKind.QUEUE
            else Trigger.TRANSFER_COMPLETED
        )
    return _SIMPLE_TRIGGERS[type(event)]


_SIMPLE_TRIGGERS: dict[type, Trigger] = {
    DialPlaced: Trigger.DIAL_PLACED,
    ProviderRequestFailed: Trigger.PROVIDER_ERROR,
    AgentConnected: Trigger.AGENT_CONNECTED,
    HoldStarted: Trigger.HOLD,
    HoldEnded: Trigger.RESUME,
    TransferStarted: Trigger.TRANSFER_STARTED,
    TransferConferenced: Trigger.TRANSFER_CONFERENCED,
    TransferFailed: Trigger.TRANSFER_FAILED,
    ConferenceStarted: Trigger.CONFERENCE_STARTED,
    ConferenceEnded: Trigger.CONFERENCE_ENDED,
    AgentHungUp: Trigger.AGENT_HUNG_UP,
    SupervisorHungUp: Trigger.SUPERVISOR_HUNG_UP,
    SystemHangup: Trigger.SYSTEM_HANGUP,
    SystemServed: Trigger.SYSTEM_SERVED,
    CancelRequested: Trigger.CANCEL,
    DispositionSubmitted: Trigger.DISPOSITION,
    WrapUpTimedOut: Trigger.WRAP_UP_TIMEOUT,
}

_STATUS_TRIGGERS: dict[ProviderStatus, Trigger] = {
    ProviderStatus.QUEUED: Trigger.PROVIDER_INITIATED,
    ProviderStatus.INITIATED: Trigger.PROVIDER_INITIATED,
    ProviderStatus.RINGING: Trigger.PROVIDER_RINGING,
    ProviderStatus.IN_PROGRESS: Trigger.PROVIDER_ANSWERED,
    ProviderStatus.COMPLETED: Trigger.PROVIDER_COMPLETED,
    ProviderStatus.BUSY: Trigger.PROVIDER_BUSY,
    ProviderStatus.NO_ANSWER: Trigger.PROVIDER_NO_ANSWER,
    ProviderStatus.CANCELED: Trigger.PROVIDER_CANCELED,
    ProviderStatus.FAILED: Trigger.PROVIDER_FAILED,
}


def _classify_status(event: ProviderCallStatus) -> Trigger:
    # Synchronous AMD puts AnsweredBy on the answer callback itself.
    answered_by = event.answered_by
    if event.status is ProviderStatus.IN_PROGRESS and answered_by and answered_by.is_machine:
        return Trigger.PROVIDER_ANSWERED_MACHINE
    return _STATUS_TRIGGERS[event.status]


def apply(snapshot: CallSnapshot, event: CallEvent) -> Transition | Rejection:
    """Apply ``event`` to ``snapshot``. Pure: same inputs, same answer."""
    trigger = classify(event)
    if snapshot.state in TERMINAL_STATES:
        return Rejection(
            snapshot.state,
            event,
            RejectionReason.CALL_ENDED,
            f"call already ended ({snapshot.state.value})",
            trigger,
        )
    if isinstance(event, ProviderCallStatus):
        stale = _check_order(snapshot, event)
        if stale is not None:
            return Rejection(snapshot.state, event, stale[0], stale[1], trigger)
    rule = TABLE.get((snapshot.state, trigger))
    if rule is None:
        return Rejection(
            snapshot.state,
            event,
            RejectionReason.INVALID_TRANSITION,
            f"{trigger.value} is not allowed in state {snapshot.state.value}",
            trigger,
        )
    target = rule.target or snapshot.state
    if rule.resume:
        if snapshot.resume_to is None:
            return Rejection(
                snapshot.state,
                event,
                RejectionReason.NOT_APPLICABLE,
                "nothing to resume to",
                trigger,
            )
        target = snapshot.resume_to
    after = _next_snapshot(snapshot, event, rule, target)
    return Transition(before=snapshot, after=after, trigger=trigger, event=event)


def _check_order(
    snapshot: CallSnapshot, event: ProviderCallStatus
) -> tuple[RejectionReason, str] | None:
    """Detect a retried or late status callback.

    SequenceNumber is authoritative when both sides have one; the timestamp is the fallback
    (Twilio's is whole seconds, so only a strictly older one is late).
    """
    last_seq = snapshot.last_sequence_number
    if event.sequence_number is not None and last_seq is not None:
        if event.sequence_number == last_seq:
            return RejectionReason.DUPLICATE, f"sequence {event.sequence_number} already applied"
        if event.sequence_number < last_seq:
            return (
                RejectionReason.OUT_OF_ORDER,
                f"sequence {event.sequence_number} is older than {last_seq}",
            )
        return None
    last_ts = snapshot.last_provider_timestamp
    if event.timestamp is not None and last_ts is not None and event.timestamp < last_ts:
        return RejectionReason.OUT_OF_ORDER, "timestamp older than the last applied status"
    # Without sequence numbers, a progress status behind what we already know (a "ringing"
    # after the answer) can only be late.
    if _STATUS_RANK[event.status] < _STATE_RANK.get(snapshot.state, 0):
        return (
            RejectionReason.OUT_OF_ORDER,
            f"{event.status.value} is behind {snapshot.state.value}",
        )
    return None


_STATUS_RANK: dict[ProviderStatus, int] = {
    ProviderStatus.QUEUED: 1,
    ProviderStatus.INITIATED: 1,
    ProviderStatus.RINGING: 2,
    ProviderStatus.IN_PROGRESS: 3,
}
_STATUS_RANK.update({s: 4 for s in ProviderStatus if s not in _STATUS_RANK})
_STATE_RANK: dict[CallState, int] = {CallState.DIALING: 1, CallState.RINGING: 2} | {
    s: 3 for s in ANSWERED_STATES | {CallState.WRAP_UP}
}


def _next_snapshot(
    snapshot: CallSnapshot, event: CallEvent, rule: Rule, target: CallState
) -> CallSnapshot:
    after = replace(snapshot, state=target)
    after = _stamp_times(after, snapshot, target, event.at)
    after = _apply_payload(after, event, target)
    if rule.end_reason is not None and after.end_reason is None:
        after = replace(after, end_reason=rule.end_reason, ended_at=after.ended_at or event.at)
    if target in TERMINAL_STATES and after.ended_at is None:
        after = replace(after, ended_at=event.at)
    if rule.system_disposition is not None and after.disposition is None:
        after = replace(
            after,
            disposition=Disposition(
                code=rule.system_disposition,
                source=DispositionSource.SYSTEM,
                flagged_for_supervisor=rule.flag_for_supervisor,
                at=event.at,
            ),
        )
    if target is CallState.ON_HOLD:
        after = replace(after, resume_to=snapshot.state)
    elif snapshot.state is CallState.ON_HOLD:
        after = replace(after, resume_to=None)
    return after


def _stamp_times(
    after: CallSnapshot, before: CallSnapshot, target: CallState, at: datetime
) -> CallSnapshot:
    if target is CallState.RINGING and after.ringing_at is None:
        after = replace(after, ringing_at=at)
    if target in ANSWERED_STATES and before.answered_at is None:
        after = replace(after, answered_at=at)
    return after


def _apply_payload(after: CallSnapshot, event: CallEvent, target: CallState) -> CallSnapshot:
    """Copy the facts an event carries onto the snapshot."""
    if isinstance(event, ProviderCallStatus):
        after = replace(
            after,
            last_sequence_number=_max_opt(after.last_sequence_number, event.sequence_number),
            last_provider_timestamp=_max_opt(after.last_provider_timestamp, event.timestamp),
        )
        if event.answered_by is not None:
            after = replace(after, answered_by=event.answered_by)
    elif isinstance(event, AmdResult):
        after = replace(after, answered_by=event.answered_by)
    elif isinstance(event, AgentConnected):
        after = replace(after, agent_id=event.agent_id)
    elif isinstance(event, TransferCompleted):
        after = _complete_transfer(after, event)
    elif isinstance(event, DispositionSubmitted):
        after = replace(
            after,
            disposition=Disposition(
                code=event.code,
                source=DispositionSource.AGENT,
                agent_id=event.agent_id,
                notes=event.notes,
                at=event.at,
                amount=event.amount,
            ),
        )
    return after


def _complete_transfer(after: CallSnapshot, event: TransferCompleted) -> CallSnapshot:
    # Ownership follows the call to an agent or queue; an external number leaves it with
    # whoever owned it, because Omnivox still answers for that call's outcome.
    if event.target_kind is TransferTargetKind.AGENT:
        owner = Owner(OwnerKind.AGENT, event.target_id)
        return replace(after, agent_id=event.target_id, owner=owner)
    if event.target_kind is TransferTargetKind.QUEUE:
        return replace(after, agent_id=None, owner=Owner(OwnerKind.QUEUE, event.target_id))
    return after


def _max_opt(current: _Ordered | None, new: _Ordered | None) -> _Ordered | None:
    if new is None:
        return current
    if current is None:
        return new
    return max(current, new)

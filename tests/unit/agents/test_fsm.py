"""The agent state machine: table-driven examples and properties over random event runs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnivox.agents.fsm import (
    MISSED_REASON,
    TABLE,
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
    HistoryEntry,
    OfferRejected,
    OfferReleased,
    OfferTimedOut,
    OwnCallFailed,
    Rejection,
    RejectionReason,
    Reserve,
    TakeBreak,
    Transition,
    apply,
    classify,
    offline,
)

S = AgentState
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def snap(state: AgentState, call: str | None = None, reason: str | None = None) -> AgentSnapshot:
    return AgentSnapshot(state, T0, reason, call)


def ok(result: Transition | Rejection) -> Transition:
    assert isinstance(result, Transition), result
    return result


def refused(result: Transition | Rejection) -> Rejection:
    assert isinstance(result, Rejection), result
    return result


# --- examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "event", "expected"),
    [
        (snap(S.OFFLINE), GoAvailable(at(1)), S.AVAILABLE),
        (snap(S.OFFLINE), TakeBreak(at(1), "lunch"), S.BREAK),
        (snap(S.AVAILABLE), TakeBreak(at(1), "lunch"), S.BREAK),
        (snap(S.BREAK, reason="lunch"), GoAvailable(at(1)), S.AVAILABLE),
        (snap(S.AVAILABLE), GoOffline(at(1)), S.OFFLINE),
        (snap(S.AVAILABLE), Reserve(at(1), "c1"), S.RESERVED),
        (snap(S.RESERVED, "c1"), CallStarted(at(1), "c1", Actor.SELF), S.ON_CALL),
        (snap(S.RESERVED, "c1"), CallStarted(at(1), "c1"), S.ON_CALL),
        (snap(S.RESERVED, "c1"), OfferRejected(at(1), "c1"), S.AVAILABLE),
        (snap(S.RESERVED, "c1"), OfferReleased(at(1), "c1"), S.AVAILABLE),
        (snap(S.RESERVED, "c1"), OfferTimedOut(at(1), "c1"), S.BREAK),
        (snap(S.ON_CALL, "c1"), CallEnded(at(1), "c1"), S.WRAP_UP),
        (snap(S.ON_CALL, "c1"), CallWithdrawn(at(1), "c1"), S.AVAILABLE),
        (snap(S.WRAP_UP, "c1"), FinishWrapUp(at(1)), S.AVAILABLE),
        (snap(S.WRAP_UP, "c1"), GoAvailable(at(1)), S.AVAILABLE),
        (snap(S.WRAP_UP, "c1"), TakeBreak(at(1), "break"), S.BREAK),
        (snap(S.RESERVED, "c1"), GoOffline(at(1), Actor.SUPERVISOR), S.OFFLINE),
        (snap(S.RESERVED, "c1"), TakeBreak(at(1), "meeting", Actor.SUPERVISOR), S.BREAK),
        (snap(S.BREAK, reason="lunch"), GoOffline(at(1), Actor.SUPERVISOR), S.OFFLINE),
    ],
)
def test_accepted_transitions(start: AgentSnapshot, event: AgentEvent, expected: S) -> None:
    result = ok(apply(start, event))
    assert result.after.state is expected
    assert result.entry is not None and result.entry.to_state is expected
    assert result.entry.from_state is start.state and result.entry.at == event.at


@pytest.mark.parametrize(
    ("start", "event", "reason"),
    [
        (snap(S.RESERVED, "c1"), Reserve(at(1), "c2"), RejectionReason.INVALID_TRANSITION),
        (snap(S.ON_CALL, "c1"), Reserve(at(1), "c2"), RejectionReason.INVALID_TRANSITION),
        (snap(S.BREAK, reason="x"), Reserve(at(1), "c2"), RejectionReason.INVALID_TRANSITION),
        (snap(S.OFFLINE), Reserve(at(1), "c2"), RejectionReason.INVALID_TRANSITION),
        (snap(S.AVAILABLE), Reserve(at(1), ""), RejectionReason.MISSING_CALL),
        (snap(S.RESERVED, "c1"), GoAvailable(at(1)), RejectionReason.INVALID_TRANSITION),
        (snap(S.RESERVED, "c1"), GoOffline(at(1)), RejectionReason.INVALID_TRANSITION),
        (snap(S.ON_CALL, "c1"), GoOffline(at(1)), RejectionReason.INVALID_TRANSITION),
        (
            snap(S.ON_CALL, "c1"),
            GoOffline(at(1), Actor.SUPERVISOR),
            RejectionReason.INVALID_TRANSITION,
        ),
        (
            snap(S.ON_CALL, "c1"),
            TakeBreak(at(1), "x", Actor.SYSTEM),
            RejectionReason.INVALID_TRANSITION,
        ),
        (snap(S.RESERVED, "c1"), CallStarted(at(1), "c2"), RejectionReason.WRONG_CALL),
        (snap(S.ON_CALL, "c1"), CallEnded(at(1), "c2"), RejectionReason.WRONG_CALL),
        (snap(S.ON_CALL, "c1"), CallWithdrawn(at(1), "c2"), RejectionReason.WRONG_CALL),
        (snap(S.RESERVED, "c1"), CallWithdrawn(at(1), "c1"), RejectionReason.INVALID_TRANSITION),
        (snap(S.WRAP_UP, "c1"), CallWithdrawn(at(1), "c1"), RejectionReason.INVALID_TRANSITION),
        (snap(S.RESERVED, "c1"), OfferTimedOut(at(1), "old"), RejectionReason.WRONG_CALL),
        (snap(S.AVAILABLE), OfferTimedOut(at(1), "c1"), RejectionReason.INVALID_TRANSITION),
        (snap(S.AVAILABLE), CallEnded(at(1), "c1"), RejectionReason.INVALID_TRANSITION),
        (snap(S.AVAILABLE), FinishWrapUp(at(1)), RejectionReason.INVALID_TRANSITION),
        (snap(S.AVAILABLE), TakeBreak(at(1), ""), RejectionReason.MISSING_REASON),
    ],
)
def test_refused_transitions(
    start: AgentSnapshot, event: AgentEvent, reason: RejectionReason
) -> None:
    result = refused(apply(start, event))
    assert result.reason is reason and result.state is start.state and result.detail


def test_offer_timeout_marks_missed_and_releases_the_call() -> None:
    result = ok(apply(snap(S.RESERVED, "c1"), OfferTimedOut(at(15), "c1")))
    assert result.after == AgentSnapshot(S.BREAK, at(15), MISSED_REASON, None, 1)
    assert result.released_call_id == "c1"
    assert result.entry == HistoryEntry(
        S.RESERVED, S.BREAK, MISSED_REASON, "c1", at(15), Actor.SYSTEM
    )
    again = ok(apply(ok(apply(result.after, GoAvailable(at(20)))).after, Reserve(at(21), "c2")))
    assert ok(apply(again.after, OfferTimedOut(at(40), "c2"))).after.missed_count == 2


def test_missed_count_restarts_after_offline() -> None:
    s = AgentSnapshot(S.BREAK, T0, MISSED_REASON, None, 3)
    s = ok(apply(s, GoOffline(at(1)))).after
    assert s.missed_count == 3  # kept while offline, for the supervisor's view of the shift
    assert ok(apply(s, GoAvailable(at(2)))).after.missed_count == 0


def test_duplicate_call_notifications_are_accepted_no_ops() -> None:
    on_call = snap(S.ON_CALL, "c1")
    dup = ok(apply(on_call, CallStarted(at(1), "c1")))
    assert not dup.changed and dup.after == on_call
    wrap = snap(S.WRAP_UP, "c1")
    assert not ok(apply(wrap, CallEnded(at(1), "c1"))).changed


def test_same_state_again_records_nothing_but_a_new_break_reason_does() -> None:
    assert not ok(apply(snap(S.AVAILABLE), GoAvailable(at(1)))).changed
    lunch = snap(S.BREAK, reason="lunch")
    assert not ok(apply(lunch, TakeBreak(at(1), "lunch"))).changed
    change = ok(apply(lunch, TakeBreak(at(1), "training")))
    assert change.entry is not None and change.entry.reason == "training"


def test_a_withdrawn_call_frees_the_agent_without_wrap_up() -> None:
    result = ok(apply(snap(S.ON_CALL, "c1"), CallWithdrawn(at(4), "c1")))
    assert result.after == AgentSnapshot(S.AVAILABLE, at(4), None, None, 0)
    assert result.released_call_id is None  # not an offer back to routing: the call is over
    assert result.entry == HistoryEntry(S.ON_CALL, S.AVAILABLE, None, "c1", at(4), Actor.SYSTEM)


def test_an_own_call_nobody_answered_goes_to_wrap_up_for_notes() -> None:
    result = ok(apply(snap(S.RESERVED, "c2"), OwnCallFailed(at(3), "c2")))
    assert result.after == AgentSnapshot(S.WRAP_UP, at(3), None, "c2", 0)
    assert result.released_call_id is None
    assert result.entry == HistoryEntry(S.RESERVED, S.WRAP_UP, None, "c2", at(3), Actor.SYSTEM)
    # Another call's failure, or one while not reserved, moves nobody.
    assert refused(apply(snap(S.RESERVED, "c2"), OwnCallFailed(at(3), "c9")))
    assert refused(apply(snap(S.AVAILABLE), OwnCallFailed(at(3), "c2")))
    # Wrap-up then ends as any other: with the agent's notes.
    assert ok(apply(result.after, FinishWrapUp(at(9), Actor.SELF))).after.state is S.AVAILABLE


def test_force_from_reserved_releases_the_offer() -> None:
    result = ok(apply(snap(S.RESERVED, "c9"), GoOffline(at(1), Actor.SUPERVISOR)))
    assert result.released_call_id == "c9" and result.after.call_id is None
    assert result.entry is not None and result.entry.by is Actor.SUPERVISOR


def test_late_event_is_stamped_no_earlier_than_the_current_state() -> None:
    start = AgentSnapshot(S.AVAILABLE, at(100))
    result = ok(apply(start, Reserve(at(50), "c1")))
    assert result.after.since == at(100) and result.entry is not None
    assert result.entry.at == at(100)


def test_every_table_row_is_reachable_by_some_event() -> None:
    triggers = {t for _s, t in TABLE}
    assert {classify(e) for e in _SAMPLE_EVENTS} >= triggers


_SAMPLE_EVENTS: list[AgentEvent] = [
    GoAvailable(T0),
    GoAvailable(T0, Actor.SUPERVISOR),
    TakeBreak(T0, "x"),
    TakeBreak(T0, "x", Actor.SUPERVISOR),
    GoOffline(T0),
    GoOffline(T0, Actor.SYSTEM),
    Reserve(T0, "c"),
    CallStarted(T0, "c"),
    OfferRejected(T0, "c"),
    OfferReleased(T0, "c"),
    OfferTimedOut(T0, "c"),
    CallEnded(T0, "c"),
    CallWithdrawn(T0, "c"),
    OwnCallFailed(T0, "c"),
    FinishWrapUp(T0),
]

# --- properties -----------------------------------------------------------------------------

calls = st.sampled_from(["c1", "c2", "c3"])
actors = st.sampled_from(list(Actor))
instants = st.integers(min_value=0, max_value=10_000).map(at)
reasons = st.sampled_from(["lunch", "training", MISSED_REASON, ""])
events: st.SearchStrategy[AgentEvent] = st.one_of(
    st.builds(GoAvailable, instants, actors),
    st.builds(TakeBreak, instants, reasons, actors),
    st.builds(GoOffline, instants, actors),
    st.builds(Reserve, instants, calls),
    st.builds(CallStarted, instants, calls, actors),
    st.builds(OfferRejected, instants, calls),
    st.builds(OfferReleased, instants, calls),
    st.builds(OfferTimedOut, instants, calls),
    st.builds(CallEnded, instants, calls),
    st.builds(CallWithdrawn, instants, calls),
    st.builds(OwnCallFailed, instants, calls),
    st.builds(FinishWrapUp, instants, actors),
)
CALL_STATES = {S.RESERVED, S.ON_CALL, S.WRAP_UP}


def _run(evs: list[AgentEvent]) -> tuple[AgentSnapshot, list[HistoryEntry], list[Transition]]:
    state, history, accepted = offline(T0), [], []
    for ev in evs:
        result = apply(state, ev)
        if isinstance(result, Transition):
            accepted.append(result)
            if result.entry is not None:
                history.append(result.entry)
            state = result.after
        else:  # refused as an invalid transition exactly when the table has no row
            in_table = (state.state, result.trigger) in TABLE
            assert in_table is (result.reason is not RejectionReason.INVALID_TRANSITION)
    return state, history, accepted


@settings(max_examples=400)
@given(st.lists(events, max_size=60))
def test_no_transition_outside_the_table(evs: list[AgentEvent]) -> None:
    for t in _run(evs)[2]:
        rule = TABLE[(t.before.state, t.trigger)]
        assert t.after.state is (rule.target or t.before.state)


@settings(max_examples=400)
@given(st.lists(events, max_size=60))
def test_an_agent_is_never_reserved_for_two_calls(evs: list[AgentEvent]) -> None:
    state = offline(T0)
    for ev in evs:
        result = apply(state, ev)
        if state.state is not S.AVAILABLE and isinstance(ev, Reserve):
            assert isinstance(result, Rejection)
        if isinstance(result, Transition):
            state = result.after
        # A call is held exactly in the call states, and it is the one that was offered.
        assert (state.call_id is not None) == (state.state in CALL_STATES)
        if state.state is S.BREAK:
            assert state.reason


@settings(max_examples=400)
@given(st.lists(events, max_size=60))
def test_history_is_a_time_ordered_chain(evs: list[AgentEvent]) -> None:
    final, history, _ = _run(evs)
    previous = S.OFFLINE
    for a, b in itertools.pairwise(history):
        assert a.at <= b.at
    for entry in history:
        assert entry.from_state is previous  # append-only: each row starts where the last ended
        previous = entry.to_state
    assert previous is final.state
    assert not history or final.since == history[-1].at


@settings(max_examples=200)
@given(st.lists(events, max_size=40))
def test_apply_is_pure(evs: list[AgentEvent]) -> None:
    assert _run(evs) == _run(evs)

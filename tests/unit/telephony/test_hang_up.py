"""Calls that always end: from every state a call can reach, a hang-up (by its agent or by
a supervisor) is accepted and leads to a final state with a recorded outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnivox.telephony.fsm import Rejection, Transition, apply, new_call
from omnivox.telephony.fsm_types import (
    ANSWERED_STATES,
    TERMINAL_STATES,
    AgentConnected,
    AgentHungUp,
    AmdResult,
    AnsweredBy,
    CallEvent,
    CallSnapshot,
    CallState,
    CancelRequested,
    ConferenceEnded,
    ConferenceStarted,
    DialPlaced,
    Direction,
    DispositionSubmitted,
    EndReason,
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
    WrapUpTimedOut,
)

T0 = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
NON_FINAL = [s for s in CallState if s not in TERMINAL_STATES]
# The only state its agent cannot hang up: a machine the dialler took back from them.
AGENT_CANNOT = {CallState.ANSWERED_MACHINE}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def status(s: ProviderStatus, **kw: object) -> ProviderCallStatus:
    return ProviderCallStatus(at=T0, status=s, **kw)  # type: ignore[arg-type]


STEPS: list[CallEvent] = [
    *(status(s) for s in ProviderStatus),
    status(ProviderStatus.IN_PROGRESS, answered_by=AnsweredBy.MACHINE_START),
    AmdResult(T0, AnsweredBy.HUMAN),
    AmdResult(T0, AnsweredBy.MACHINE_END_BEEP),
    DialPlaced(T0, "CA1"),
    ProviderRequestFailed(T0, "boom"),
    AgentConnected(T0, "a"),
    HoldStarted(T0),
    HoldEnded(T0),
    TransferStarted(T0, TransferTargetKind.AGENT, "b", warm=True),
    TransferConferenced(T0),
    TransferCompleted(T0, TransferTargetKind.AGENT, "b"),
    TransferCompleted(T0, TransferTargetKind.QUEUE, "q"),
    TransferFailed(T0, "no answer"),
    ConferenceStarted(T0, "+15551234567"),
    ConferenceEnded(T0),
    SystemServed(T0, "voicemail"),
    SystemHangup(T0),
    CancelRequested(T0),
    DispositionSubmitted(T0, "SALE", "a"),
]


def hang_ups(who: str) -> CallEvent:
    return AgentHungUp(at(900), "a") if who == "agent" else SupervisorHungUp(at(900), "sup")


def check_ends(snapshot: CallSnapshot, who: str) -> CallSnapshot:
    """Hang up; the call must end its voice part at once and reach a final state, with an
    outcome, through the wrap-up it may enter (disposition saved, or the timer)."""
    hung = apply(snapshot, hang_ups(who))
    assert isinstance(hung, Transition), (snapshot.state, who, hung)
    after = hung.after
    assert after.end_reason is not None and after.ended_at is not None, after
    assert after.state in TERMINAL_STATES | {CallState.WRAP_UP}, after.state
    if after.state is CallState.WRAP_UP:
        # Nobody dispositions it: the timer ends it, flagged for a supervisor ...
        timed_out = apply(after, WrapUpTimedOut(at(1200)))
        assert isinstance(timed_out, Transition) and timed_out.to_state is CallState.COMPLETED
        assert timed_out.after.disposition is not None
        assert timed_out.after.disposition.flagged_for_supervisor
        # ... or the agent does.
        saved = apply(after, DispositionSubmitted(at(950), "SALE", "a"))
        assert isinstance(saved, Transition) and saved.to_state is CallState.COMPLETED
        after = timed_out.after
    if after.answered_at is not None:
        assert after.disposition is not None, "an answered call ended without an outcome"
    return after


def snapshot_in(state: CallState) -> CallSnapshot:
    answered = state in ANSWERED_STATES or state in {CallState.WRAP_UP, CallState.SELF_SERVICE}
    return replace(
        new_call(Owner(OwnerKind.CAMPAIGN, "c1"), Direction.OUTBOUND, T0),
        state=state,
        agent_id="a" if state not in {CallState.QUEUED, CallState.DIALING} else None,
        answered_at=T0 if answered else None,
        resume_to=CallState.CONNECTED if state is CallState.ON_HOLD else None,
        end_reason=EndReason.CUSTOMER_HANGUP if state is CallState.WRAP_UP else None,
        ended_at=T0 if state is CallState.WRAP_UP else None,
    )


@pytest.mark.parametrize("state", NON_FINAL)
def test_a_supervisor_can_hang_up_a_call_in_every_state(state: CallState) -> None:
    check_ends(snapshot_in(state), "supervisor")


@pytest.mark.parametrize("state", [s for s in NON_FINAL if s not in AGENT_CANNOT])
def test_its_agent_can_hang_up_a_call_in_every_state_they_hold_it(state: CallState) -> None:
    check_ends(snapshot_in(state), "agent")


def test_the_trapped_click_to_call_is_abandoned_and_the_agent_let_go() -> None:
    """Issue 14: the customer answered, the agent never took the offer of their own call."""
    call = new_call(Owner(OwnerKind.AGENT, "a"), Direction.OUTBOUND, T0)
    call = replace(call, agent_id="a")
    for event in (DialPlaced(at(0), "CA1"), status(ProviderStatus.IN_PROGRESS)):
        step = apply(call, event)
        assert isinstance(step, Transition)
        call = step.after
    assert call.state is CallState.ANSWERED_HUMAN
    for who in ("agent", "supervisor"):
        ended = check_ends(call, who)
        assert (ended.state, ended.end_reason) == (CallState.ABANDONED, EndReason.ABANDONED)
        assert ended.disposition is not None and ended.disposition.code == "abandoned"


def test_a_supervisor_hang_up_mid_call_sends_the_agent_to_wrap_up() -> None:
    talking = snapshot_in(CallState.CONNECTED)
    hung = apply(talking, SupervisorHungUp(at(5), "sup"))
    assert isinstance(hung, Transition) and hung.entered_wrap_up
    assert hung.after.end_reason is EndReason.SUPERVISOR_HANGUP
    assert hung.after.agent_id == "a"  # the agent still dispositions it


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(STEPS), max_size=12),
    st.sampled_from([Direction.OUTBOUND, Direction.INBOUND]),
    st.sampled_from(["agent", "supervisor"]),
)
def test_from_every_reachable_state_there_is_a_hang_up_path_to_a_final_state(
    steps: list[CallEvent], direction: Direction, who: str
) -> None:
    """Any story the machine accepts (events in any order, most refused), stopped at any
    point: if the call has not ended, hanging it up ends it with an outcome."""
    call = new_call(Owner(OwnerKind.QUEUE, "q1"), direction, T0)
    for event in steps:
        outcome = apply(call, event)
        if isinstance(outcome, Transition):
            call = outcome.after
    if call.state in TERMINAL_STATES:
        assert isinstance(apply(call, hang_ups(who)), Rejection)  # nothing left to end
        return
    if who == "agent" and call.state in AGENT_CANNOT:
        who = "supervisor"  # the dialler's call now: the supervisor's hang-up still ends it
    check_ends(call, who)

"""The call state machine: table-driven examples and property tests of its invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnivox.telephony.fsm import (
    TABLE,
    Rejection,
    RejectionReason,
    Transition,
    apply,
    classify,
    new_call,
)
from omnivox.telephony.fsm_types import (
    ANSWERED_STATES,
    PRE_ANSWER_STATES,
    TALKING_STATES,
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
    DispositionSource,
    DispositionSubmitted,
    EndReason,
    HoldEnded,
    HoldStarted,
    Owner,
    OwnerKind,
    ProviderCallStatus,
    ProviderRequestFailed,
    ProviderStatus,
    SystemHangup,
    TransferCompleted,
    TransferConferenced,
    TransferFailed,
    TransferStarted,
    TransferTargetKind,
    WrapUpTimedOut,
)

T0 = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
CAMPAIGN = Owner(OwnerKind.CAMPAIGN, "cmp-1")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def status(s: ProviderStatus, seq: int | None, t: float = 0, **kw: object) -> ProviderCallStatus:
    return ProviderCallStatus(at=at(t), status=s, sequence_number=seq, timestamp=at(t), **kw)  # type: ignore[arg-type]


def run(snapshot: CallSnapshot, events: list[CallEvent]) -> CallSnapshot:
    for event in events:
        outcome = apply(snapshot, event)
        if isinstance(outcome, Transition):
            snapshot = outcome.after
    return snapshot


def outbound() -> CallSnapshot:
    return new_call(CAMPAIGN, Direction.OUTBOUND, T0)


# --- examples -----------------------------------------------------------------------------


def test_outbound_call_answered_connected_and_dispositioned_by_agent() -> None:
    call = run(
        outbound(),
        [
            DialPlaced(at(0), "CA1"),
            status(ProviderStatus.INITIATED, 0, 0),
            status(ProviderStatus.RINGING, 1, 1),
            status(ProviderStatus.IN_PROGRESS, 2, 5),
            AgentConnected(at(5.5), "agent-7"),
            HoldStarted(at(20)),
            HoldEnded(at(40)),
            status(ProviderStatus.COMPLETED, 3, 90),
        ],
    )
    assert call.state is CallState.WRAP_UP
    assert call.end_reason is EndReason.CUSTOMER_HANGUP
    assert (call.ringing_at, call.answered_at, call.ended_at) == (at(1), at(5), at(90))
    assert call.agent_id == "agent-7"
    done = run(call, [DispositionSubmitted(at(100), "sale", "agent-7", "paid by card")])
    assert done.state is CallState.COMPLETED
    assert done.disposition is not None
    assert done.disposition.source is DispositionSource.AGENT
    assert not done.disposition.flagged_for_supervisor


def test_wrap_up_timeout_sets_a_system_disposition_flagged_for_the_supervisor() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2),
            AgentConnected(at(1), "a"),
            AgentHungUp(at(30), "a"),
            WrapUpTimedOut(at(150)),
        ],
    )
    assert call.state is CallState.COMPLETED
    assert call.end_reason is EndReason.AGENT_HANGUP
    assert call.disposition is not None
    assert call.disposition.source is DispositionSource.SYSTEM
    assert call.disposition.flagged_for_supervisor


@pytest.mark.parametrize(
    ("final", "state", "reason"),
    [
        (ProviderStatus.BUSY, CallState.BUSY, EndReason.BUSY),
        (ProviderStatus.NO_ANSWER, CallState.NO_ANSWER, EndReason.NO_ANSWER),
        (ProviderStatus.CANCELED, CallState.CANCELED, EndReason.CANCELED),
        (ProviderStatus.FAILED, CallState.FAILED, EndReason.PROVIDER_ERROR),
    ],
)
def test_unanswered_endings(final: ProviderStatus, state: CallState, reason: EndReason) -> None:
    call = run(outbound(), [status(ProviderStatus.RINGING, 1, 1), status(final, 2, 30)])
    assert (call.state, call.end_reason, call.ended_at) == (state, reason, at(30))
    assert call.disposition is None  # nobody was reached, nothing to disposition


def test_machine_detected_asynchronously_then_dropped() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2, 5),
            AmdResult(at(8), AnsweredBy.MACHINE_END_BEEP),
            SystemHangup(at(9), "voicemail dropped"),
        ],
    )
    assert call.state is CallState.COMPLETED
    assert call.end_reason is EndReason.MACHINE
    assert call.answered_by is AnsweredBy.MACHINE_END_BEEP
    assert call.disposition is not None and call.disposition.code == "answering_machine"


def test_machine_detected_after_the_agent_connected_is_taken_back() -> None:
    connected = run(outbound(), [status(ProviderStatus.IN_PROGRESS, 2), AgentConnected(at(1), "a")])
    taken = apply(connected, AmdResult(at(9), AnsweredBy.MACHINE_END_BEEP))
    assert isinstance(taken, Transition) and taken.changed and not taken.entered_wrap_up
    assert taken.to_state is CallState.ANSWERED_MACHINE
    assert taken.after.agent_id == "a"  # the call keeps who briefly had it
    # The agent can no longer hang it up into wrap-up, nor disposition it.
    for late in (AgentHungUp(at(10), "a"), DispositionSubmitted(at(10), "sale", "a")):
        refused = apply(taken.after, late)
        assert isinstance(refused, Rejection)
        assert refused.reason is RejectionReason.INVALID_TRANSITION
    for ending in (SystemHangup(at(10), "machine"), status(ProviderStatus.COMPLETED, 3, 20)):
        done = run(taken.after, [ending])
        assert (done.state, done.end_reason) == (CallState.COMPLETED, EndReason.MACHINE)
        assert done.disposition is not None and done.agent_id == "a"
        assert done.disposition.code == "answering_machine"
        assert done.disposition.source is DispositionSource.SYSTEM


def test_machine_detected_while_the_agent_rings_is_the_diallers() -> None:
    call = run(
        outbound(),
        [status(ProviderStatus.IN_PROGRESS, 2), AmdResult(at(1), AnsweredBy.MACHINE_START)],
    )
    assert (call.state, call.agent_id) == (CallState.ANSWERED_MACHINE, None)
    late_agent = apply(call, AgentConnected(at(2), "a"))  # the agent's leg joined too late
    assert isinstance(late_agent, Rejection)


@pytest.mark.parametrize(
    "events",
    [
        [HoldStarted(at(2))],
        [TransferStarted(at(2), TransferTargetKind.AGENT, "b")],
        [ConferenceStarted(at(2), "+15551234567")],
        [AgentHungUp(at(2), "a")],
    ],
)
def test_machine_verdict_is_only_recorded_once_the_agent_acted_or_the_call_ended(
    events: list[CallEvent],
) -> None:
    before = run(
        outbound(),
        [status(ProviderStatus.IN_PROGRESS, 2), AgentConnected(at(1), "a"), *events],
    )
    outcome = apply(before, AmdResult(at(5), AnsweredBy.MACHINE_START))
    assert isinstance(outcome, Transition) and not outcome.changed
    assert outcome.after.answered_by is AnsweredBy.MACHINE_START


def test_human_and_unknown_verdicts_never_move_a_connected_call() -> None:
    connected = run(outbound(), [status(ProviderStatus.IN_PROGRESS, 2), AgentConnected(at(1), "a")])
    for verdict in (AnsweredBy.HUMAN, AnsweredBy.UNKNOWN):
        outcome = apply(connected, AmdResult(at(3), verdict))
        assert isinstance(outcome, Transition) and outcome.to_state is CallState.CONNECTED


def test_abandoned_when_no_agent_takes_the_answered_call() -> None:
    call = run(outbound(), [status(ProviderStatus.IN_PROGRESS, 2), SystemHangup(at(2))])
    assert (call.state, call.end_reason) == (CallState.ABANDONED, EndReason.ABANDONED)
    assert call.disposition is not None and call.disposition.code == "abandoned"


def test_customer_hangs_up_on_hold_goes_to_wrap_up() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2),
            AgentConnected(at(1), "a"),
            HoldStarted(at(10)),
            status(ProviderStatus.COMPLETED, 3, 20),
        ],
    )
    assert (call.state, call.end_reason) == (CallState.WRAP_UP, EndReason.CUSTOMER_HANGUP)


def test_network_failure_mid_call() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2),
            AgentConnected(at(1), "a"),
            status(ProviderStatus.FAILED, 3, 20),
        ],
    )
    assert (call.state, call.end_reason) == (CallState.WRAP_UP, EndReason.NETWORK_FAILURE)


def test_provider_refusing_the_call_fails_it_with_provider_error() -> None:
    call = run(outbound(), [ProviderRequestFailed(at(0), "21211 invalid 'To'")])
    assert (call.state, call.end_reason) == (CallState.FAILED, EndReason.PROVIDER_ERROR)


def test_warm_transfer_to_agent_moves_ownership() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2),
            AgentConnected(at(1), "a"),
            TransferStarted(at(10), TransferTargetKind.AGENT, "b", warm=True),
            TransferConferenced(at(20)),
            TransferCompleted(at(30), TransferTargetKind.AGENT, "b"),
        ],
    )
    assert call.state is CallState.CONNECTED
    assert call.agent_id == "b"
    assert call.owner == Owner(OwnerKind.AGENT, "b")


def test_blind_transfer_to_queue_waits_again_for_an_agent() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2),
            AgentConnected(at(1), "a"),
            TransferStarted(at(10), TransferTargetKind.QUEUE, "q-sales"),
            TransferCompleted(at(11), TransferTargetKind.QUEUE, "q-sales"),
        ],
    )
    assert call.state is CallState.ANSWERED_HUMAN
    assert call.owner == Owner(OwnerKind.QUEUE, "q-sales")
    assert call.agent_id is None


def test_hold_in_conference_resumes_to_conference() -> None:
    call = run(
        outbound(),
        [
            status(ProviderStatus.IN_PROGRESS, 2),
            AgentConnected(at(1), "a"),
            ConferenceStarted(at(5), "+15550001111"),
            HoldStarted(at(6)),
            HoldEnded(at(7)),
        ],
    )
    assert call.state is CallState.IN_CONFERENCE
    assert call.resume_to is None
    assert run(call, [ConferenceEnded(at(8))]).state is CallState.CONNECTED


def test_inbound_calls_start_ringing_owned_by_their_queue() -> None:
    call = new_call(Owner(OwnerKind.QUEUE, "q1"), Direction.INBOUND, T0)
    assert call.state is CallState.RINGING


def test_owner_cannot_be_empty() -> None:
    with pytest.raises(ValueError, match="owner"):
        Owner(OwnerKind.CAMPAIGN, "")


def test_duplicate_status_is_rejected_and_not_reapplied() -> None:
    call = run(outbound(), [status(ProviderStatus.RINGING, 1, 1)])
    outcome = apply(call, status(ProviderStatus.RINGING, 1, 1))
    assert isinstance(outcome, Rejection)
    assert outcome.reason is RejectionReason.DUPLICATE


def test_late_ringing_after_answer_is_out_of_order_even_without_sequence_numbers() -> None:
    call = run(outbound(), [status(ProviderStatus.IN_PROGRESS, None, 5)])
    outcome = apply(call, status(ProviderStatus.RINGING, None, 5))
    assert isinstance(outcome, Rejection)
    assert outcome.reason is RejectionReason.OUT_OF_ORDER


def test_answer_overtaken_by_amd_callback_still_answers_the_call() -> None:
    call = run(outbound(), [status(ProviderStatus.RINGING, 1), AmdResult(at(3), AnsweredBy.HUMAN)])
    assert call.state is CallState.ANSWERED_HUMAN
    assert run(call, [status(ProviderStatus.IN_PROGRESS, 2, 2)]).state is CallState.ANSWERED_HUMAN


def test_invalid_transition_is_refused_with_a_reason() -> None:
    outcome = apply(outbound(), HoldStarted(at(1)))
    assert isinstance(outcome, Rejection)
    assert outcome.reason is RejectionReason.INVALID_TRANSITION
    assert "queued" in outcome.detail


def test_events_after_the_end_are_refused_as_call_ended() -> None:
    call = run(outbound(), [status(ProviderStatus.BUSY, 2)])
    outcome = apply(call, status(ProviderStatus.COMPLETED, 3))
    assert isinstance(outcome, Rejection)
    assert outcome.reason is RejectionReason.CALL_ENDED


# --- every (state, event) pair against the table ------------------------------------------

SAMPLE_EVENTS: list[CallEvent] = [
    *(status(s, None) for s in ProviderStatus),
    status(ProviderStatus.IN_PROGRESS, None, answered_by=AnsweredBy.MACHINE_START),
    AmdResult(T0, AnsweredBy.HUMAN),
    AmdResult(T0, AnsweredBy.UNKNOWN),
    AmdResult(T0, AnsweredBy.MACHINE_START),
    AmdResult(T0, AnsweredBy.MACHINE_END_BEEP),
    DialPlaced(T0, "CA1"),
    ProviderRequestFailed(T0, "boom"),
    AgentConnected(T0, "a"),
    HoldStarted(T0),
    HoldEnded(T0),
    TransferStarted(T0, TransferTargetKind.AGENT, "b"),
    TransferConferenced(T0),
    TransferCompleted(T0, TransferTargetKind.AGENT, "b"),
    TransferCompleted(T0, TransferTargetKind.QUEUE, "q"),
    TransferCompleted(T0, TransferTargetKind.EXTERNAL, "+15551234567"),
    TransferFailed(T0, "no answer"),
    ConferenceStarted(T0, "+15551234567"),
    ConferenceEnded(T0),
    AgentHungUp(T0, "a"),
    SystemHangup(T0),
    CancelRequested(T0),
    DispositionSubmitted(T0, "sale", "a"),
    WrapUpTimedOut(T0),
]


def snapshot_in(state: CallState) -> CallSnapshot:
    answered = state in ANSWERED_STATES or state is CallState.WRAP_UP
    return replace(
        outbound(),
        state=state,
        answered_at=T0 if answered else None,
        resume_to=CallState.CONNECTED if state is CallState.ON_HOLD else None,
        end_reason=EndReason.CUSTOMER_HANGUP if state is CallState.WRAP_UP else None,
    )


@pytest.mark.parametrize("state", [s for s in CallState if s not in TERMINAL_STATES])
def test_apply_follows_the_table_exactly(state: CallState) -> None:
    for event in SAMPLE_EVENTS:
        rule = TABLE.get((state, classify(event)))
        outcome = apply(snapshot_in(state), event)
        if rule is None:
            assert isinstance(outcome, Rejection), (state, event)
            refusals = (RejectionReason.INVALID_TRANSITION, RejectionReason.OUT_OF_ORDER)
            assert outcome.reason in refusals
            continue
        if isinstance(outcome, Rejection):  # only a late provider status may be refused
            assert outcome.reason is RejectionReason.OUT_OF_ORDER, (state, event, outcome)
            continue
        expected = CallState.CONNECTED if rule.resume else (rule.target or state)
        assert outcome.to_state is expected, (state, event)


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES))
def test_terminal_states_accept_nothing(state: CallState) -> None:
    for event in SAMPLE_EVENTS:
        outcome = apply(snapshot_in(state), event)
        assert isinstance(outcome, Rejection)
        assert outcome.reason is RejectionReason.CALL_ENDED


# --- properties -------------------------------------------------------------------------

PROVIDER_STORY = [
    ProviderStatus.INITIATED,
    ProviderStatus.RINGING,
    ProviderStatus.IN_PROGRESS,
]
FINAL_STATUSES = [s for s in ProviderStatus if s not in (*PROVIDER_STORY, ProviderStatus.QUEUED)]

commands = st.sampled_from([e for e in SAMPLE_EVENTS if not isinstance(e, ProviderCallStatus)])


@st.composite
def perturbed_story(draw: st.DrawFn) -> list[CallEvent]:
    """A plausible call story, then duplicated, reordered, thinned and salted with commands."""
    length = draw(st.integers(min_value=0, max_value=3))
    statuses = [*PROVIDER_STORY[:length], draw(st.sampled_from(FINAL_STATUSES))]
    with_seq = draw(st.booleans())
    story: list[CallEvent] = [
        status(s, i if with_seq else None, float(i)) for i, s in enumerate(statuses)
    ]
    story += draw(st.lists(commands, max_size=8))
    story += draw(st.lists(st.sampled_from(story), max_size=4))  # retries
    story = draw(st.permutations(story))  # reordering
    keep = draw(st.lists(st.booleans(), min_size=len(story), max_size=len(story)))
    return [e for e, k in zip(story, keep, strict=True) if k]  # missing events


DRAIN: list[CallEvent] = [
    CancelRequested(at(1000)),
    SystemHangup(at(1000)),
    AgentHungUp(at(1000), "a"),
    WrapUpTimedOut(at(1200)),
]


def check_invariants(before: CallSnapshot, event: CallEvent, after: CallSnapshot) -> None:
    outcome = apply(before, event)
    if isinstance(outcome, Transition):
        rule = TABLE.get((before.state, outcome.trigger))
        assert rule is not None, "transition outside the table"
        allowed = {rule.target or before.state}
        if rule.resume:
            allowed = {before.resume_to} if before.resume_to else set()
        assert outcome.to_state in allowed
    else:
        assert after == before  # a refusal changes nothing
    assert isinstance(after.owner, Owner) and after.owner.id
    if after.state in TERMINAL_STATES:
        assert after.end_reason is not None
        assert after.ended_at is not None
        if after.answered_at is not None:
            assert after.disposition is not None, "answered call ended without a disposition"
    if after.state is CallState.WRAP_UP:
        assert after.end_reason is not None


@settings(max_examples=400, deadline=None)
@given(perturbed_story(), st.sampled_from([Direction.OUTBOUND, Direction.INBOUND]))
def test_invariants_hold_under_duplicates_reordering_and_missing_events(
    events: list[CallEvent], direction: Direction
) -> None:
    call = new_call(Owner(OwnerKind.QUEUE, "q1"), direction, T0)
    for event in [*events, *DRAIN]:
        outcome = apply(call, event)
        after = outcome.after if isinstance(outcome, Transition) else call
        check_invariants(call, event, after)
        call = after
    assert call.state in TERMINAL_STATES, "the drain must end every call"
    if call.answered_at is not None:
        assert call.disposition is not None


RANK = {CallState.QUEUED: 0, CallState.DIALING: 1, CallState.RINGING: 2}


def rank(state: CallState) -> int:
    if state in TERMINAL_STATES:
        return 5
    if state is CallState.WRAP_UP:
        return 4
    return RANK.get(state, 3)


@settings(max_examples=300, deadline=None)
@given(perturbed_story())
def test_provider_callbacks_never_move_a_call_backwards(events: list[CallEvent]) -> None:
    call = outbound()
    for event in events:
        if not isinstance(event, ProviderCallStatus):
            continue
        outcome = apply(call, event)
        if isinstance(outcome, Transition):
            assert rank(outcome.to_state) >= rank(call.state)
            call = outcome.after


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SAMPLE_EVENTS), max_size=30))
def test_arbitrary_event_soup_never_breaks_an_invariant(events: list[CallEvent]) -> None:
    call = outbound()
    for event in [*events, *DRAIN]:
        outcome = apply(call, event)
        after = outcome.after if isinstance(outcome, Transition) else call
        check_invariants(call, event, after)
        call = after
    assert call.state in TERMINAL_STATES


verdicts = st.sampled_from(list(AnsweredBy)).map(lambda v: AmdResult(at(3), v))
endings = st.sampled_from([status(s, None, 30) for s in FINAL_STATUSES])
AGENT_STATES = TALKING_STATES | {CallState.WRAP_UP}


@st.composite
def campaign_story(draw: st.DrawFn) -> list[CallEvent]:
    """A dialler call: answered, its agent connected, AMD's verdicts (any, repeated) at any
    point, the agent and the carrier carrying on, all in any order."""
    head: list[CallEvent] = [
        status(ProviderStatus.IN_PROGRESS, None, 1),
        AgentConnected(at(2), "a"),
    ]
    rest = draw(st.lists(st.one_of(commands, verdicts, endings), max_size=10))
    return list(
        draw(st.permutations([*head, *draw(st.lists(verdicts, min_size=1, max_size=3)), *rest]))
    )


@settings(max_examples=400, deadline=None)
@given(campaign_story())
def test_a_machine_is_taken_back_only_from_a_connected_agent_and_ends_as_a_machine(
    events: list[CallEvent],
) -> None:
    call, taken_from = outbound(), None
    for event in [*events, *DRAIN]:
        outcome = apply(call, event)
        after = outcome.after if isinstance(outcome, Transition) else call
        check_invariants(call, event, after)
        if isinstance(event, AmdResult) and isinstance(outcome, Transition):
            assert not outcome.ended and not outcome.entered_wrap_up  # AMD never ends a call
            if call.state in AGENT_STATES and outcome.changed:
                # The only way a verdict moves a call an agent has: connected -> machine.
                assert event.answered_by.is_machine and call.state is CallState.CONNECTED
                assert after.state is CallState.ANSWERED_MACHINE
                assert after.agent_id == call.agent_id is not None
                taken_from = call.agent_id
        if taken_from is not None:
            assert after.state not in AGENT_STATES, "a taken-back call went back to an agent"
            assert after.agent_id == taken_from
        call = after
    assert call.state in TERMINAL_STATES
    if taken_from is not None:
        assert call.end_reason in (EndReason.MACHINE, EndReason.NETWORK_FAILURE)
        assert call.disposition is not None
        assert call.disposition.source is DispositionSource.SYSTEM
        assert call.disposition.code in ("answering_machine", "network_failure")


def test_every_pre_answer_and_answered_state_has_a_way_out() -> None:
    for state in PRE_ANSWER_STATES | ANSWERED_STATES | {CallState.WRAP_UP}:
        assert run(snapshot_in(state), DRAIN).state in TERMINAL_STATES


def test_a_caller_served_without_an_agent_completes_instead_of_abandoning() -> None:
    from omnivox.telephony.fsm_types import SystemServed

    answered = run(outbound(), [status(ProviderStatus.IN_PROGRESS, 2)])
    served = run(answered, [SystemServed(at(3), "voicemail")])
    assert served.state is CallState.SELF_SERVICE
    refused = apply(served, AgentConnected(at(4), "a"))  # nobody joins a voicemail
    assert not isinstance(refused, Transition)
    done = run(served, [status(ProviderStatus.COMPLETED, 3, 40)])
    assert (done.state, done.end_reason) == (CallState.COMPLETED, EndReason.SELF_SERVICE)
    assert done.disposition is not None and done.disposition.code == "self_service"
    # Served only from "answered, waiting for an agent": a talking call is not a voicemail.
    talking = run(answered, [AgentConnected(at(3), "a")])
    assert not isinstance(apply(talking, SystemServed(at(4), "voicemail")), Transition)

"""Every campaign call ends with an outcome for its contact, and the pacer hears each step.

``call.state_changed`` of a campaign call: on a terminal state the contact's attempt is
completed with a disposition (the agent's, or the system's mapped to the organisation's
codes); on every step the campaign's pacer (on whichever node runs it) is told the pacing
event. ``agent.state_changed`` feeds the staffing events.

A machine the dialler took back from an agent ends ``completed`` / ``machine`` with the
system disposition ``answering_machine``: its attempt is ``VOICEMAIL``, and the campaign's
figures count it in the AMD rate, never as abandoned nor as a live answer (``floor.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from omnivox.agents import AgentGate, AgentState
from omnivox.campaigns import ContactAttempt, UnknownDisposition
from omnivox.core.errors import NotFound
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.dialer.answering import release_reserved
from omnivox.dialer.attempts import record_attempt_outcome
from omnivox.dialer.pacer import Pacer
from omnivox.dialer.pacing import EventKind
from omnivox.telephony import (
    TALKING_STATES,
    TERMINAL_STATES,
    CallState,
    CallStateChanged,
    CallSummary,
    EndReason,
    OwnerKind,
    Trigger,
)

log = get_logger(__name__)
TERMINAL = TERMINAL_STATES
TALKING = TALKING_STATES
# The call's system dispositions and end states, as the organisation's disposition codes.
SYSTEM_CODES = {
    "abandoned": "ABANDONED",
    "answering_machine": "VOICEMAIL",
    "wrap_up_timeout": "SYSTEM_WRAPUP_TIMEOUT",
}
STATE_CODES = {
    CallState.NO_ANSWER: "NO_ANSWER",
    CallState.BUSY: "BUSY",
    CallState.ABANDONED: "ABANDONED",
    # Invalid numbers and network failures: no one was reached; the retry rule for
    # no answer spaces the next try and max attempts ends it.
    CallState.FAILED: "NO_ANSWER",
    CallState.CANCELED: "NO_ANSWER",
}
_PACING_END = {
    CallState.NO_ANSWER: EventKind.NO_ANSWER,
    CallState.BUSY: EventKind.BUSY,
    CallState.FAILED: EventKind.FAILED,
}


def disposition_for(call: CallSummary) -> str:
    if call.disposition:
        return SYSTEM_CODES.get(call.disposition, call.disposition)
    if call.end_reason is EndReason.MACHINE:
        return "VOICEMAIL"
    return STATE_CODES.get(call.state, "NO_ANSWER")


async def record_outcome(gate: AgentGate, call: CallSummary, now: datetime) -> bool:
    """Complete the contact's open attempt for this call (once). False when the call has no
    open attempt (not linked yet: the engine records it after linking)."""
    call_id = call.id
    async with gate.sessions() as session:
        attempt = await session.scalar(
            select(ContactAttempt).where(
                ContactAttempt.call_id == call_id, ContactAttempt.completed_at.is_(None)
            )
        )
        if attempt is None:
            return False
        code = disposition_for(call)
        try:
            await record_attempt_outcome(
                session,
                attempt.contact_id,
                code,
                now,
                campaign_id=attempt.campaign_id,
                call_id=call_id,
                agent_id=call.agent_id,
            )
        except (UnknownDisposition, NotFound) as exc:
            # An organisation without the code: the contact must not stay "dialing".
            log.warning("disposition not applied; recorded as NO_ANSWER", code=code, error=str(exc))
            await session.rollback()
            await record_attempt_outcome(
                session,
                attempt.contact_id,
                "NO_ANSWER",
                now,
                campaign_id=attempt.campaign_id,
                call_id=call_id,
            )
    return True


def follow_calls(gate: AgentGate, pacer_of: Callable[[str], Pacer | None], bus: EventBus) -> None:
    """Campaign calls: the pacer (on the node that runs the campaign) hears every step,
    from any node; the node that applied a final state records the outcome, once."""

    async def handle(event: CallStateChanged) -> None:
        call = event.call
        if call.owner.kind is not OwnerKind.CAMPAIGN:
            return
        pacer = pacer_of(call.owner.id)
        if pacer is not None:
            feed_call(pacer, event.at, call, event.previous, event.trigger)
        if event.remote or call.state not in TERMINAL:
            return
        await release_reserved(gate, call.organization_id, call.id)
        await record_outcome(gate, call, gate.clock.now())

    bus.subscribe(CallStateChanged, handle, remote=True)


def feed_call(
    pacer: Pacer, at: datetime, call: CallSummary, previous: CallState, trigger: Trigger
) -> None:
    call_id, state, agent_id = call.id, call.state, call.agent_id
    if trigger is Trigger.AGENT_CONNECTED:
        pacer.answered_live(at, call_id)
        pacer.tell(EventKind.CONNECTED, at, call_id, agent_id)
    elif state is CallState.ANSWERED_MACHINE and previous in TALKING:
        # Taken back from its agent: to the pacer, an agent's call that ended as a machine
        # (it was already told ANSWERED_LIVE; a call resolves once). The agent is free at
        # once, without wrap-up (``feed_agent``).
        pacer.tell(EventKind.CALL_ENDED, at, call_id, agent_id, machine=True)
    elif state is CallState.ABANDONED:
        pacer.answered_live(at, call_id)
        pacer.tell(EventKind.ABANDONED, at, call_id)
    elif state is CallState.ANSWERED_MACHINE:
        pacer.tell(EventKind.ANSWERED_MACHINE, at, call_id)
    elif state in _PACING_END:
        pacer.tell(_PACING_END[state], at, call_id)
    elif state in {CallState.WRAP_UP, CallState.COMPLETED} and previous in TALKING:
        pacer.tell(EventKind.CALL_ENDED, at, call_id, agent_id)
    if state in TERMINAL:
        pacer.forget(call_id)


_AGENT_KINDS = {
    (AgentState.OFFLINE, AgentState.AVAILABLE): EventKind.AGENT_LOGGED_IN,
    (AgentState.BREAK, AgentState.AVAILABLE): EventKind.AGENT_RESUMED,
    (AgentState.WRAP_UP, AgentState.AVAILABLE): EventKind.WRAP_ENDED,
    # A machine taken back: no wrap-up.
    (AgentState.ON_CALL, AgentState.AVAILABLE): EventKind.WRAP_ENDED,
}


def feed_agent(
    pacer: Pacer, at: datetime, previous: AgentState, state: AgentState, user_id: str
) -> None:
    kind = _AGENT_KINDS.get((previous, state))
    if kind is None and state is AgentState.OFFLINE:
        kind = EventKind.AGENT_LOGGED_OUT
    elif kind is None and state is AgentState.BREAK:
        kind = EventKind.AGENT_PAUSED
    if kind is not None:
        pacer.tell(kind, at, agent_id=user_id)

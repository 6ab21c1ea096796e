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

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select

from omnivox.agents.handlers import AgentGate
from omnivox.campaigns import ContactAttempt, UnknownDisposition
from omnivox.core.errors import NotFound
from omnivox.core.events import Event
from omnivox.core.logging import get_logger
from omnivox.dialer.answering import release_reserved
from omnivox.dialer.attempts import record_attempt_outcome
from omnivox.dialer.pacer import Pacer
from omnivox.dialer.pacing import EventKind

log = get_logger(__name__)
TERMINAL = {"completed", "failed", "busy", "no_answer", "canceled", "abandoned"}
TALKING = {"connected", "on_hold", "transferring", "in_conference"}
# The call's system dispositions and end states, as the organisation's disposition codes.
SYSTEM_CODES = {
    "abandoned": "ABANDONED",
    "answering_machine": "VOICEMAIL",
    "wrap_up_timeout": "SYSTEM_WRAPUP_TIMEOUT",
}
STATE_CODES = {
    "no_answer": "NO_ANSWER",
    "busy": "BUSY",
    "abandoned": "ABANDONED",
    # Invalid numbers and network failures: no one was reached; the retry rule for
    # no answer spaces the next try and max attempts ends it.
    "failed": "NO_ANSWER",
    "canceled": "NO_ANSWER",
}
_PACING_END = {"no_answer": EventKind.NO_ANSWER, "busy": EventKind.BUSY, "failed": EventKind.FAILED}


def disposition_for(call: dict[str, object]) -> str:
    code = call.get("disposition")
    if isinstance(code, str) and code:
        return SYSTEM_CODES.get(code, code)
    if call.get("end_reason") == "machine":
        return "VOICEMAIL"
    return STATE_CODES.get(str(call["state"]), "NO_ANSWER")


async def record_outcome(gate: AgentGate, call: dict[str, object], now: datetime) -> bool:
    """Complete the contact's open attempt for this call (once). False when the call has no
    open attempt (not linked yet: the engine records it after linking)."""
    call_id = str(call["id"])
    async with gate.sessions() as session:
        attempt = await session.scalar(
            select(ContactAttempt).where(
                ContactAttempt.call_id == call_id, ContactAttempt.completed_at.is_(None)
            )
        )
        if attempt is None:
            return False
        code = disposition_for(call)
        agent = call.get("agent_id")
        try:
            await record_attempt_outcome(
                session,
                attempt.contact_id,
                code,
                now,
                campaign_id=attempt.campaign_id,
                call_id=call_id,
                agent_id=agent if isinstance(agent, str) else None,
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


def call_handler(
    gate: AgentGate, pacer_of: Callable[[str], Pacer | None]
) -> Callable[[Event], Awaitable[None]]:
    async def handle(event: Event) -> None:
        if event.name != "call.state_changed":
            return
        call = event.data["call"]
        if call["owner"]["kind"] != "campaign":
            return
        pacer = pacer_of(call["owner"]["id"])
        if pacer is not None:  # this node runs the campaign (remote events count too)
            feed_call(pacer, event.at, call, event.data["previous"], event.data["trigger"])
        if event.remote or call["state"] not in TERMINAL:
            return  # the node that applied the change records the outcome, once
        await release_reserved(gate, event.audience.organization_id or "", call["id"])
        await record_outcome(gate, call, gate.clock.now())

    return handle


def feed_call(
    pacer: Pacer, at: datetime, call: dict[str, object], previous: str, trigger: str
) -> None:
    call_id, state = str(call["id"]), str(call["state"])
    agent = call.get("agent_id")
    agent_id = agent if isinstance(agent, str) else None
    if trigger == "agent_connected":
        pacer.answered_live(at, call_id)
        pacer.tell(EventKind.CONNECTED, at, call_id, agent_id)
    elif state == "answered_machine" and previous in TALKING:
        # Taken back from its agent: to the pacer, an agent's call that ended as a machine
        # (it was already told ANSWERED_LIVE; a call resolves once). The agent is free at
        # once, without wrap-up (``feed_agent``).
        pacer.tell(EventKind.CALL_ENDED, at, call_id, agent_id, machine=True)
    elif state == "abandoned":
        pacer.answered_live(at, call_id)
        pacer.tell(EventKind.ABANDONED, at, call_id)
    elif state == "answered_machine":
        pacer.tell(EventKind.ANSWERED_MACHINE, at, call_id)
    elif state in _PACING_END:
        pacer.tell(_PACING_END[state], at, call_id)
    elif (state == "wrap_up" or state == "completed") and previous in TALKING:
        pacer.tell(EventKind.CALL_ENDED, at, call_id, agent_id)
    if state in TERMINAL:
        pacer.forget(call_id)


_AGENT_KINDS = {
    ("offline", "available"): EventKind.AGENT_LOGGED_IN,
    ("break", "available"): EventKind.AGENT_RESUMED,
    ("wrap_up", "available"): EventKind.WRAP_ENDED,
    ("on_call", "available"): EventKind.WRAP_ENDED,  # a machine taken back: no wrap-up
}


def feed_agent(pacer: Pacer, at: datetime, previous: str, state: str, user_id: str) -> None:
    kind = _AGENT_KINDS.get((previous, state))
    if kind is None and state == "offline":
        kind = EventKind.AGENT_LOGGED_OUT
    elif kind is None and state == "break":
        kind = EventKind.AGENT_PAUSED
    if kind is not None:
        pacer.tell(kind, at, agent_id=user_id)

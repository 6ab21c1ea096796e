"""The call state machine's transition table: ``(state, trigger) -> Rule``.

The table *is* the specification: :func:`omnivox.telephony.fsm.apply` looks every event up
here, ``docs/telephony.md`` renders it (:mod:`.fsm_doc`), and the property tests check that
no transition ever leaves it. A pair that is absent is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from omnivox.telephony.fsm_types import (
    ANSWERED_STATES,
    PRE_ANSWER_STATES,
    TALKING_STATES,
    CallState,
    EndReason,
    Trigger,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table: where the call goes and what ending it records."""

    target: CallState | None  # None: stay in the current state (an accepted no-op)
    end_reason: EndReason | None = None
    system_disposition: str | None = None
    flag_for_supervisor: bool = False
    resume: bool = False  # go back to the snapshot's ``resume_to`` instead


#: System disposition codes the machine sets on its own.
SYSTEM_DISPOSITION_MACHINE = "answering_machine"
SYSTEM_DISPOSITION_ABANDONED = "abandoned"
SYSTEM_DISPOSITION_NETWORK = "network_failure"
SYSTEM_DISPOSITION_SELF_SERVICE = "self_service"
SYSTEM_DISPOSITION_WRAP_UP_TIMEOUT = "wrap_up_timeout"
SYSTEM_DISPOSITION_UNTRACKED_ANSWER = "answered_untracked"

S = CallState
T = Trigger
_R = EndReason
_Table = dict[tuple[CallState, Trigger], Rule]
_ANSWERED_ANY = ANSWERED_STATES | {S.WRAP_UP}


def _add(
    table: _Table, states: frozenset[CallState] | set[CallState], trig: Trigger, rule: Rule
) -> None:
    for state in states:
        table[(state, trig)] = rule


def _placing(table: _Table) -> None:
    """Placing the call; provider progress may skip states (missing or reordered callbacks)."""
    pre = PRE_ANSWER_STATES
    _add(table, {S.QUEUED}, T.DIAL_PLACED, Rule(S.DIALING))
    _add(table, {S.DIALING, S.RINGING} | _ANSWERED_ANY, T.DIAL_PLACED, Rule(None))  # late REST
    _add(table, {S.QUEUED, S.DIALING}, T.PROVIDER_ERROR, Rule(S.FAILED, _R.PROVIDER_ERROR))
    _add(table, {S.QUEUED, S.DIALING}, T.PROVIDER_INITIATED, Rule(S.DIALING))
    _add(table, {S.QUEUED, S.DIALING}, T.PROVIDER_RINGING, Rule(S.RINGING))
    _add(table, {S.RINGING}, T.PROVIDER_RINGING, Rule(S.RINGING))
    _add(table, pre, T.PROVIDER_ANSWERED, Rule(S.ANSWERED_HUMAN))
    _add(table, pre, T.PROVIDER_ANSWERED_MACHINE, Rule(S.ANSWERED_MACHINE))
    _add(table, pre, T.AMD_HUMAN, Rule(S.ANSWERED_HUMAN))  # AMD callback overtook the answer
    _add(table, pre, T.AMD_MACHINE, Rule(S.ANSWERED_MACHINE))
    _add(table, pre, T.PROVIDER_BUSY, Rule(S.BUSY, _R.BUSY))
    _add(table, pre, T.PROVIDER_NO_ANSWER, Rule(S.NO_ANSWER, _R.NO_ANSWER))
    _add(table, pre, T.PROVIDER_CANCELED, Rule(S.CANCELED, _R.CANCELED))
    _add(table, pre, T.CANCEL, Rule(S.CANCELED, _R.CANCELED))
    _add(table, pre, T.PROVIDER_FAILED, Rule(S.FAILED, _R.PROVIDER_ERROR))
    # "completed" without a seen answer: the person was reached and we cannot tell how the
    # call went, so it is dispositioned by the system and shown to a supervisor.
    _add(
        table,
        pre,
        T.PROVIDER_COMPLETED,
        Rule(S.COMPLETED, _R.CUSTOMER_HANGUP, SYSTEM_DISPOSITION_UNTRACKED_ANSWER, True),
    )


def _answered(table: _Table) -> None:
    """Answered, not yet with an agent (an agent may be ringing)."""
    _add(table, {S.ANSWERED_HUMAN}, T.AMD_MACHINE, Rule(S.ANSWERED_MACHINE))
    _add(table, _ANSWERED_ANY, T.AMD_HUMAN, Rule(None))
    # Asynchronous AMD decides after the 2-second rule has already given the call to an
    # agent: a machine is taken back from a connected agent (the dialler ends the agent's
    # leg, frees the agent without wrap-up, and gives the line the campaign's AMD action).
    # The snapshot keeps the agent who briefly had it. Once the agent has acted on the call
    # (hold, transfer, conference) or it has ended (wrap-up), the verdict is only recorded.
    _add(table, {S.CONNECTED}, T.AMD_MACHINE, Rule(S.ANSWERED_MACHINE))
    _add(
        table,
        (TALKING_STATES - {S.CONNECTED}) | {S.ANSWERED_MACHINE, S.WRAP_UP},
        T.AMD_MACHINE,
        Rule(None),
    )
    _add(table, _ANSWERED_ANY, T.PROVIDER_ANSWERED, Rule(None))
    _add(table, _ANSWERED_ANY, T.PROVIDER_ANSWERED_MACHINE, Rule(None))
    _add(table, {S.ANSWERED_HUMAN}, T.AGENT_CONNECTED, Rule(S.CONNECTED))
    abandoned = Rule(S.ABANDONED, _R.ABANDONED, SYSTEM_DISPOSITION_ABANDONED)
    _add(table, {S.ANSWERED_HUMAN}, T.SYSTEM_HANGUP, abandoned)
    _add(table, {S.ANSWERED_HUMAN}, T.PROVIDER_COMPLETED, abandoned)
    machine = Rule(S.COMPLETED, _R.MACHINE, SYSTEM_DISPOSITION_MACHINE)
    _add(table, {S.ANSWERED_MACHINE}, T.SYSTEM_HANGUP, machine)
    _add(table, {S.ANSWERED_MACHINE}, T.PROVIDER_COMPLETED, machine)
    _add(
        table,
        {S.ANSWERED_HUMAN, S.ANSWERED_MACHINE},
        T.PROVIDER_FAILED,
        Rule(S.FAILED, _R.NETWORK_FAILURE, SYSTEM_DISPOSITION_NETWORK),
    )


def _self_service(table: _Table) -> None:
    """Served by the system (a voicemail, a callback booked): no longer a caller waiting."""
    _add(table, {S.ANSWERED_HUMAN}, T.SYSTEM_SERVED, Rule(S.SELF_SERVICE))
    served = Rule(S.COMPLETED, _R.SELF_SERVICE, SYSTEM_DISPOSITION_SELF_SERVICE)
    _add(table, {S.SELF_SERVICE}, T.PROVIDER_COMPLETED, served)
    _add(table, {S.SELF_SERVICE}, T.SYSTEM_HANGUP, served)
    _add(
        table,
        {S.SELF_SERVICE},
        T.PROVIDER_FAILED,
        Rule(S.FAILED, _R.NETWORK_FAILURE, SYSTEM_DISPOSITION_NETWORK),
    )
    for late in (T.SYSTEM_SERVED, T.DIAL_PLACED, T.AMD_HUMAN, T.AMD_MACHINE):
        _add(table, {S.SELF_SERVICE}, late, Rule(None))
    _add(table, {S.SELF_SERVICE}, T.PROVIDER_ANSWERED, Rule(None))
    _add(table, {S.SELF_SERVICE}, T.PROVIDER_ANSWERED_MACHINE, Rule(None))


def _with_agent(table: _Table) -> None:
    talking = TALKING_STATES
    _add(table, {S.CONNECTED, S.IN_CONFERENCE}, T.HOLD, Rule(S.ON_HOLD))
    _add(table, {S.ON_HOLD}, T.RESUME, Rule(None, resume=True))
    _add(table, {S.CONNECTED}, T.TRANSFER_STARTED, Rule(S.TRANSFERRING))
    _add(table, {S.TRANSFERRING}, T.TRANSFER_CONFERENCED, Rule(S.IN_CONFERENCE))
    _add(table, {S.TRANSFERRING, S.IN_CONFERENCE}, T.TRANSFER_COMPLETED, Rule(S.CONNECTED))
    _add(table, {S.TRANSFERRING}, T.TRANSFER_COMPLETED_TO_QUEUE, Rule(S.ANSWERED_HUMAN))
    _add(table, {S.TRANSFERRING}, T.TRANSFER_FAILED, Rule(S.CONNECTED))
    _add(table, {S.CONNECTED}, T.CONFERENCE_STARTED, Rule(S.IN_CONFERENCE))
    _add(table, {S.IN_CONFERENCE}, T.CONFERENCE_ENDED, Rule(S.CONNECTED))
    _add(table, talking, T.AGENT_HUNG_UP, Rule(S.WRAP_UP, _R.AGENT_HANGUP))
    _add(table, talking, T.PROVIDER_COMPLETED, Rule(S.WRAP_UP, _R.CUSTOMER_HANGUP))
    _add(table, talking, T.PROVIDER_FAILED, Rule(S.WRAP_UP, _R.NETWORK_FAILURE))


def _hang_ups(table: _Table) -> None:
    """Every call that has not ended can be hung up, by its agent or by a supervisor, and
    each hang-up records how the call ended:

    * not answered yet: cancelled (the click-to-call the agent gave up on);
    * answered, no agent with the customer yet: abandoned, as any live answer dropped
      without an agent is (it counts against a campaign's abandon rate);
    * served by the system (voicemail, a callback booked): completed as self-service;
    * talking: wrap-up, where the agent dispositions it (rows in ``_with_agent`` for the
      agent's own hang-up);
    * wrap-up: the call has ended already; the disposition or the wrap-up timer ends it.

    A machine the dialler took back from its agent (``answered_machine``) is no longer the
    agent's: only a supervisor (or the dialler's own drop) ends it.
    """
    agent, supervisor = T.AGENT_HUNG_UP, T.SUPERVISOR_HUNG_UP
    canceled = Rule(S.CANCELED, _R.CANCELED)
    abandoned = Rule(S.ABANDONED, _R.ABANDONED, SYSTEM_DISPOSITION_ABANDONED)
    served = Rule(S.COMPLETED, _R.SELF_SERVICE, SYSTEM_DISPOSITION_SELF_SERVICE)
    for trigger in (agent, supervisor):
        _add(table, PRE_ANSWER_STATES, trigger, canceled)
        _add(table, {S.ANSWERED_HUMAN}, trigger, abandoned)
        _add(table, {S.SELF_SERVICE}, trigger, served)
    machine = Rule(S.COMPLETED, _R.MACHINE, SYSTEM_DISPOSITION_MACHINE)
    _add(table, {S.ANSWERED_MACHINE}, supervisor, machine)
    _add(table, TALKING_STATES, supervisor, Rule(S.WRAP_UP, _R.SUPERVISOR_HANGUP))
    _add(table, {S.WRAP_UP}, supervisor, Rule(None))


def _wrap_up(table: _Table) -> None:
    """Wrap-up: the call has ended; provider confirmations are accepted as no-ops."""
    _add(table, {S.WRAP_UP}, T.PROVIDER_COMPLETED, Rule(None))
    _add(table, {S.WRAP_UP}, T.PROVIDER_FAILED, Rule(None))
    _add(table, {S.WRAP_UP}, T.AGENT_HUNG_UP, Rule(None))
    _add(table, {S.WRAP_UP}, T.DISPOSITION, Rule(S.COMPLETED))
    _add(
        table,
        {S.WRAP_UP},
        T.WRAP_UP_TIMEOUT,
        Rule(S.COMPLETED, None, SYSTEM_DISPOSITION_WRAP_UP_TIMEOUT, True),
    )


def _build_table() -> _Table:
    table: _Table = {}
    for phase in (_placing, _answered, _self_service, _with_agent, _hang_ups, _wrap_up):
        phase(table)
    return table


#: The transition table: ``(state, trigger) -> Rule``. A pair that is absent is refused.
TABLE: Mapping[tuple[CallState, Trigger], Rule] = MappingProxyType(_build_table())

#: Every disposition code the machine sets on its own (the rules' system dispositions):
#: with the organisation's catalogue, the codes a call can end with.
SYSTEM_DISPOSITIONS: frozenset[str] = frozenset(
    r.system_disposition for r in TABLE.values() if r.system_disposition is not None
)

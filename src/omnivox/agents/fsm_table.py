"""The agent state machine's transition table: ``(state, trigger) -> Rule``.

It is the specification (rendered in ``docs/agents.md``); :func:`.fsm.apply` looks every
event up here and refuses a pair that is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from omnivox.agents.fsm_types import AgentState, Trigger


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
    add({S.RESERVED}, T.OWN_CALL_FAILED, Rule(S.WRAP_UP))  # busy / no answer: notes
    add({S.WRAP_UP}, T.END_CALL, Rule(None))  # duplicate hang-up notifications
    add({S.WRAP_UP}, T.FINISH_WRAP_UP, Rule(S.AVAILABLE))
    return table


#: ``(state, trigger) -> Rule``. A pair that is absent is refused.
TABLE: Mapping[tuple[AgentState, Trigger], Rule] = MappingProxyType(_build_table())

"""Events the agent domain publishes (after commit).

``agent.state_changed`` goes to the agent (a user audience) and to everyone in the same
organisation holding ``agents:supervise``: one event, so a supervisor who is also the
agent receives it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omnivox.agents.fsm import Actor, AgentState, Transition
from omnivox.core.events import Audience, DomainEvent
from omnivox.core.security.permissions import Permission


@dataclass(frozen=True, kw_only=True)
class AgentStateChanged(DomainEvent):
    NAME = "agent.state_changed"
    user_id: str
    state: AgentState
    previous_state: AgentState
    reason: str | None
    since: datetime
    call_id: str | None
    missed_count: int
    by: Actor
    actor_id: str | None
    # An offered call that went back to routing (reject, timeout, forced change).
    released_call_id: str | None


STATE_CHANGED = AgentStateChanged.NAME


def state_changed(
    organization_id: str, user_id: str, transition: Transition, actor_id: str | None
) -> AgentStateChanged:
    after, entry = transition.after, transition.entry
    assert entry is not None, "only real changes are announced"
    return AgentStateChanged(
        audience=Audience.user(
            organization_id, user_id, permission=Permission.AGENTS_SUPERVISE.value
        ),
        at=entry.at,
        user_id=user_id,
        state=after.state,
        previous_state=transition.before.state,
        reason=after.reason,
        since=after.since,
        call_id=after.call_id,
        missed_count=after.missed_count,
        by=entry.by,
        actor_id=actor_id,
        released_call_id=transition.released_call_id,
    )

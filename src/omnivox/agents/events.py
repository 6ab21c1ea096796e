"""Events the agent domain publishes (after commit).

``agent.state_changed`` goes to the agent (a user audience) and to everyone in the same
organisation holding ``agents:supervise``: one event, so a supervisor who is also the
agent receives it once.
"""

from __future__ import annotations

from omnivox.agents.fsm import Transition
from omnivox.core.events import Audience, Event
from omnivox.core.security.permissions import Permission

STATE_CHANGED = "agent.state_changed"


def state_changed(
    organization_id: str, user_id: str, transition: Transition, actor_id: str | None
) -> Event:
    after, entry = transition.after, transition.entry
    assert entry is not None, "only real changes are announced"
    return Event(
        STATE_CHANGED,
        Audience.user(organization_id, user_id, permission=Permission.AGENTS_SUPERVISE.value),
        entry.at,
        {
            "user_id": user_id,
            "state": after.state.value,
            "previous_state": transition.before.state.value,
            "reason": after.reason,
            "since": after.since.isoformat(),
            "call_id": after.call_id,
            "missed_count": after.missed_count,
            "by": entry.by.value,
            "actor_id": actor_id,
            # An offered call that went back to routing (reject, timeout, forced change).
            "released_call_id": transition.released_call_id,
        },
    )

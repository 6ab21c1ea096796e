"""The ordering rules, defined once and shared by the indexed router and the naive one.

Both routers call these functions, so the differential property test (indexed router ==
naive router on random event runs) checks the *index*, while the table-driven tests check
the *rules* here.

Call order (smaller key first):

* strict priority (default): ``(-priority, enqueued_at, seq)`` - a higher priority always
  goes first, FIFO within a priority, ``seq`` (arrival order in the router) breaks exact
  ties so no two calls ever compare equal.
* with aging ``A`` seconds per priority level: ``(0, enqueued_at - A * priority, seq)``.
  A call's effective priority grows linearly with its wait, ``p + wait / A``; comparing two
  calls at any instant ``t`` gives ``p1 + (t - e1)/A`` vs ``p2 + (t - e2)/A``, in which ``t``
  cancels - so the order is static and the index never has to re-sort. A priority level is
  worth a head start of ``A`` seconds, which bounds how long a low-priority call can be
  overtaken (no starvation even under endless high-priority arrivals).

Agent order for one call (smaller key first): ``(-tier, k1, k2, agent_id)`` where ``tier``
is the agent's priority for the call's queue (primary agents before blended ones) and

* longest idle: ``k1 = idle_since``;
* skills: ``k1 = -sum of the agent's proficiency over the call's required skills``,
  ``k2 = idle_since`` (best skilled first, then longest idle);
* round robin: ``k1 = last offered at``, ``k2 = offer sequence`` (least recently offered
  first: each offer sends the agent to the back of the rotation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from omnivox.routing.types import AgentCandidate, Strategy, WaitingCall

__all__ = [
    "AgentKey",
    "AgentRecord",
    "CallKey",
    "Signature",
    "agent_key",
    "call_key",
    "eligible",
    "signature",
    "skill_score",
]

NEVER = float("-inf")

#: (primary, secondary, seq, call id)
CallKey = tuple[float, float, int, str]
#: (-tier, k1, k2, agent id)
AgentKey = tuple[int, float, float, str]
#: required skills, sorted: calls with the same signature have the same eligible agents
Signature = tuple[tuple[str, int], ...]


def signature(call: WaitingCall) -> Signature:
    return tuple(sorted(call.required_skills.items()))


def call_key(
    priority: int, enqueued_ts: float, seq: int, call_id: str, aging: float | None
) -> CallKey:
    if aging is None:
        return (-float(priority), enqueued_ts, seq, call_id)
    return (0.0, enqueued_ts - aging * priority, seq, call_id)


def eligible(skills: Mapping[str, int], sig: Signature) -> bool:
    """Whether an agent with ``skills`` has every required skill at or above its minimum."""
    return all(skills.get(skill, 0) >= minimum for skill, minimum in sig)


def skill_score(skills: Mapping[str, int], sig: Signature) -> int:
    return sum(skills.get(skill, 0) for skill, _ in sig)


@dataclass(slots=True)
class AgentRecord:
    """What a router remembers about one agent.

    ``epoch`` changes each time the agent enters or leaves the ready pool: index entries
    and "declined this call" marks made in an older epoch are stale, which is how both are
    invalidated in O(1) instead of being searched for and deleted.
    """

    candidate: AgentCandidate
    idle_ts: float
    last_offered_ts: float = NEVER
    offer_seq: int = 0
    ready: bool = False
    epoch: int = 0
    offer_call: str | None = None
    queues: dict[str, int] = field(default_factory=dict)


def agent_key(strategy: Strategy, agent: AgentRecord, queue_id: str, sig: Signature) -> AgentKey:
    tier = -agent.queues[queue_id]
    aid = agent.candidate.id
    if strategy is Strategy.LONGEST_IDLE:
        return (tier, agent.idle_ts, 0.0, aid)
    if strategy is Strategy.SKILLS:
        return (tier, -float(skill_score(agent.candidate.skills, sig)), agent.idle_ts, aid)
    return (tier, agent.last_offered_ts, float(agent.offer_seq), aid)

"""Value types the ACD router works on: queues, waiting calls, agent candidates, offers.

They are frozen dataclasses with no behaviour beyond validation, so the call service can
build them from database rows and the router can keep them without copying. All instants
are timezone-aware datetimes (what ``core.clock.Clock.now()`` returns); the router turns
them into POSIX seconds once, on the way in, because its indexes compare floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "MAX_PROFICIENCY",
    "MIN_PROFICIENCY",
    "AgentCandidate",
    "Offer",
    "OverflowDue",
    "OverflowKind",
    "OverflowTarget",
    "QueueConfig",
    "RoutingError",
    "Strategy",
    "WaitingCall",
]

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 10


class RoutingError(ValueError):
    """A request the router refuses (unknown queue, duplicate call, bad value)."""


class Strategy(StrEnum):
    LONGEST_IDLE = "longest_idle"
    SKILLS = "skills"
    ROUND_ROBIN = "round_robin"


class OverflowKind(StrEnum):
    QUEUE = "queue"
    VOICEMAIL = "voicemail"
    EXTERNAL = "external"  # an E.164 number


@dataclass(frozen=True, slots=True)
class OverflowTarget:
    kind: OverflowKind
    value: str  # queue id, voicemail box id or E.164 number


def _check_aware(name: str, at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise RoutingError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """A queue as the router needs it.

    ``priority``: higher is served first; a waiting call without its own priority inherits
    it, which is how "priority between queues" reaches blended agents.
    ``max_wait_seconds``: ``None`` means no overflow.
    """

    id: str
    strategy: Strategy = Strategy.LONGEST_IDLE
    priority: int = 0
    service_level_seconds: float = 20.0
    max_wait_seconds: float | None = None
    overflow: OverflowTarget | None = None

    def __post_init__(self) -> None:
        if self.service_level_seconds <= 0:
            raise RoutingError("service level threshold must be positive")
        if self.max_wait_seconds is not None and self.max_wait_seconds <= 0:
            raise RoutingError("max wait must be positive")


@dataclass(frozen=True, slots=True)
class WaitingCall:
    """A caller (or a callback-in-queue request) waiting in one queue.

    ``required_skills`` maps skill id to the minimum proficiency (1-10) the agent needs;
    every strategy respects it, the ``skills`` strategy also ranks by it.
    ``priority`` ``None`` inherits the queue's priority.
    """

    id: str
    queue_id: str
    enqueued_at: datetime
    priority: int | None = None
    required_skills: Mapping[str, int] = field(default_factory=dict)
    is_callback: bool = False

    def __post_init__(self) -> None:
        _check_aware("enqueued_at", self.enqueued_at)
        for skill, level in self.required_skills.items():
            if not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
                raise RoutingError(f"minimum proficiency for {skill!r} must be 1-10, not {level}")


@dataclass(frozen=True, slots=True)
class AgentCandidate:
    """An agent who is ready to take a call.

    ``idle_since``: when the agent became available or their last call (and wrap-up) ended,
    whichever is later; longest idle means the smallest value.
    ``queues`` maps each queue the agent serves to the agent's priority for it (higher is
    preferred): a queue's primary agents are offered its calls before blended ones.
    ``last_offered_at`` seeds round robin after a restart; the router then keeps its own.
    """

    id: str
    idle_since: datetime
    queues: Mapping[str, int]
    skills: Mapping[str, int] = field(default_factory=dict)
    last_offered_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_aware("idle_since", self.idle_since)
        if self.last_offered_at is not None:
            _check_aware("last_offered_at", self.last_offered_at)
        for skill, level in self.skills.items():
            if not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
                raise RoutingError(f"proficiency for {skill!r} must be 1-10, not {level}")


@dataclass(frozen=True, slots=True)
class Offer:
    """The router's decision: offer ``call`` to ``agent_id`` (and to nobody else)."""

    call: WaitingCall
    agent_id: str
    offered_at: datetime


@dataclass(frozen=True, slots=True)
class OverflowDue:
    """A call that has waited longer than its queue's maximum; ``target`` None means the
    queue has no overflow target configured (the service decides: voicemail, keep, ...)."""

    call: WaitingCall
    target: OverflowTarget | None
    waited_seconds: float

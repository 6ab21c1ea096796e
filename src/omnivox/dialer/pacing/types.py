"""The pacing contract: events a policy is told, the snapshot it decides on, the policy protocol.

The live dialler and the discrete-event simulator feed policies through exactly these types,
so a policy never sees more than a real dialler can know (no hidden truth: a ringing call's
fate, a talking agent's remaining time, which dropped call was a machine).

Times are seconds on the caller's clock (virtual in the simulator, monotonic in the live
engine). Policies never read a clock themselves: ``now`` comes with every snapshot and every
event carries its own ``time``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import IntEnum
from typing import NamedTuple, Protocol, runtime_checkable


class EventKind(IntEnum):
    """What happened. One event per occurrence, in time order."""

    DIAL_PLACED = 1  # a new call left the dialler (call_id)
    ANSWERED_LIVE = 2  # answered and routed towards an agent: a person, or a machine AMD missed
    ANSWERED_MACHINE = 3  # answered and classified as a machine by AMD: no agent needed
    NO_ANSWER = 4  # rang out to the ring timeout
    BUSY = 5
    FAILED = 6  # invalid number / network failure
    CONNECTED = 7  # a live call was bridged to an agent (call_id, agent_id)
    ABANDONED = 8  # a live call found no agent in time; safe-harbour message played
    CALL_ENDED = 9  # an agent's call ended (call_id, agent_id, machine=agent's disposition)
    WRAP_ENDED = 10  # the agent finished wrap-up (agent_id)
    AGENT_LOGGED_IN = 11
    AGENT_LOGGED_OUT = 12
    AGENT_PAUSED = 13
    AGENT_RESUMED = 14


# Outcomes that end a dial attempt before any agent is involved.
RESOLVING_KINDS = frozenset(
    {
        EventKind.ANSWERED_LIVE,
        EventKind.ANSWERED_MACHINE,
        EventKind.NO_ANSWER,
        EventKind.BUSY,
        EventKind.FAILED,
    }
)


class PacingEvent(NamedTuple):
    """One outcome, as the dialler learns it.

    ``machine`` is only meaningful on CALL_ENDED: the agent dispositioned the call as an
    answering machine (without AMD, machines reach agents and are only known afterwards).
    """

    kind: EventKind
    time: float
    call_id: int = -1
    agent_id: int = -1
    machine: bool = False


class PacingSnapshot(NamedTuple):
    """What the live dialler can know at one tick.

    Immutable (a NamedTuple: cheap to build every tick). Start times rather than elapsed times
    keep building a snapshot O(1) per item; use the
    ``*_elapsed`` helpers for ages. ``window_*`` are the campaign's own counts in the current
    regulatory window (for AMD-less campaigns a dropped machine is indistinguishable from a
    dropped person, so they are counted as the dialler sees them).
    """

    now: float
    ready_agents: int
    paused_agents: int
    talking_since: tuple[float, ...]  # one per agent on a call: when the call was bridged
    wrapping_since: tuple[float, ...]  # one per agent in wrap-up: when the call ended
    ringing_since: tuple[float, ...]  # one per outstanding dial: when it was placed
    waiting_since: tuple[float, ...]  # live answers waiting for an agent: when answered
    window_abandons: int
    window_live_answers: int
    line_limit: int  # lines the campaign may hold in total right now
    dial_limit: int  # new dials allowed this tick (calls-per-second cap)
    day_start: float  # the campaign's calling window today
    day_end: float
    # People AMD hung up on as machines in the window, as the law counts them (UK rule:
    # an estimate, the campaign's false-positive share x machine verdicts); 0 otherwise.
    window_amd_false_positives: float = 0.0

    @property
    def talking_agents(self) -> int:
        return len(self.talking_since)

    @property
    def wrapping_agents(self) -> int:
        return len(self.wrapping_since)

    @property
    def active_agents(self) -> int:
        """Logged in and not paused: ready, talking or wrapping."""
        return self.ready_agents + len(self.talking_since) + len(self.wrapping_since)

    @property
    def lines_in_use(self) -> int:
        """Ringing, waiting and bridged calls: every line the campaign holds."""
        return len(self.ringing_since) + len(self.waiting_since) + len(self.talking_since)

    @property
    def outstanding_dials(self) -> int:
        """Calls placed that do not have an agent yet (ringing or waiting)."""
        return len(self.ringing_since) + len(self.waiting_since)

    def talk_elapsed(self) -> tuple[float, ...]:
        return tuple(self.now - t for t in self.talking_since)

    def wrap_elapsed(self) -> tuple[float, ...]:
        return tuple(self.now - t for t in self.wrapping_since)

    def ring_elapsed(self) -> tuple[float, ...]:
        return tuple(self.now - t for t in self.ringing_since)


@runtime_checkable
class PacingPolicy(Protocol):
    """A pacing policy: told every event, asked at each tick how many calls to place."""

    name: str
    observes_events: bool

    def observe(self, event: PacingEvent) -> None:
        """Learn from one outcome. Called in time order, before the next ``decide``."""

    def decide(self, snapshot: PacingSnapshot) -> int:
        """Return how many new calls to place now (the caller clamps to the limits)."""
        ...


class BasePolicy(ABC):
    """Convenience base: policies that do not learn from events skip them cheaply."""

    name: str = "base"
    observes_events: bool = False

    def observe(self, event: PacingEvent) -> None:
        return None

    @abstractmethod
    def decide(self, snapshot: PacingSnapshot) -> int:
        """How many new calls to place now."""


def clamp_dials(n: int, snapshot: PacingSnapshot) -> int:
    """Clamp a wished-for number of dials to the line and calls-per-second limits."""
    room = snapshot.line_limit - snapshot.lines_in_use
    return max(0, min(n, room, snapshot.dial_limit))

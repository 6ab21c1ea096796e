"""One campaign's pacing policy, fed exactly the pacing contract's events and snapshots.

Times given to the policy are seconds since this engine started (one origin for events and
snapshots alike); ids are small integers mapped from call and user ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from omnivox.dialer.dial_settings import DialSettings
from omnivox.dialer.floor import AgentsNow, CallsNow, WindowCounts
from omnivox.dialer.pacing import (
    EventKind,
    PacingEvent,
    PacingPolicy,
    PacingSnapshot,
    PolicyContext,
    ProgressivePolicy,
    build_policy,
)

LINES_PER_AGENT = 3  # a campaign never holds more lines than this per active agent
MAX_DIALS_PER_TICK = 10  # calls-per-second cap (the tick is one second)
PREDICTIVE_SPEC = "omnivox"
RING_TIMEOUT_S = 22.0


def policy_for(settings: DialSettings) -> PacingPolicy:
    """Progressive for progressive mode; Omnivox's predictive pacer for predictive mode.
    Every answer is routed to an agent at once (AMD's verdict only matters while no agent
    has joined), so the pacer sees the campaign as one without AMD: a 2-second grace."""
    if settings.dial_mode != "predictive":
        return ProgressivePolicy()
    ctx = PolicyContext(
        abandon_target=float(settings.abandon_rate_cap),
        daily_window=settings.daily_window,
        amd=False,
        ring_timeout_s=RING_TIMEOUT_S,
    )
    return build_policy(PREDICTIVE_SPEC, ctx)


@dataclass
class Pacer:
    policy: PacingPolicy
    origin: datetime
    capped: bool = False  # the abandon rate is at the cap: one call per ready agent
    _ids: dict[str, int] = field(default_factory=dict)
    _announced: set[str] = field(default_factory=set)  # calls told ANSWERED_LIVE

    def seconds(self, at: datetime) -> float:
        return (at - self.origin).total_seconds()

    def _id(self, key: str | None) -> int:
        if key is None:
            return -1
        return self._ids.setdefault(key, len(self._ids))

    def tell(
        self,
        kind: EventKind,
        at: datetime,
        call_id: str | None = None,
        agent_id: str | None = None,
        machine: bool = False,
    ) -> None:
        if not self.policy.observes_events:
            return
        self.policy.observe(
            PacingEvent(kind, self.seconds(at), self._id(call_id), self._id(agent_id), machine)
        )

    def answered_live(self, at: datetime, call_id: str) -> None:
        """Told once, when the answer's fate (connected or abandoned) is known: a machine
        AMD catches before an agent joins is ANSWERED_MACHINE instead, never both."""
        if call_id not in self._announced:
            self._announced.add(call_id)
            self.tell(EventKind.ANSWERED_LIVE, at, call_id)

    def forget(self, call_id: str) -> None:
        self._announced.discard(call_id)
        self._ids.pop(call_id, None)

    def decide(
        self,
        now: datetime,
        agents: AgentsNow,
        calls: CallsNow,
        window: WindowCounts,
        cap: float,
        day_seconds: float,
    ) -> int:
        active = len(agents.ready) + len(agents.talking_since) + len(agents.wrapping_since)
        snap = PacingSnapshot(
            now=self.seconds(now),
            ready_agents=len(agents.ready),
            paused_agents=agents.paused,
            talking_since=tuple(sorted(self.seconds(t) for t in agents.talking_since)),
            wrapping_since=tuple(sorted(self.seconds(t) for t in agents.wrapping_since)),
            ringing_since=tuple(sorted(self.seconds(t) for t in calls.ringing_since)),
            waiting_since=tuple(sorted(self.seconds(t) for t in calls.waiting_since)),
            window_abandons=window.abandons,
            window_live_answers=window.live_answers,
            window_amd_false_positives=window.amd_false_positives,
            line_limit=LINES_PER_AGENT * active,
            dial_limit=MAX_DIALS_PER_TICK,
            # The dialling day began when this campaign's loop started (``origin``): the
            # budget spreads its slack over the answers expected from then to the end.
            day_start=0.0,
            day_end=max(self.seconds(now), day_seconds),
        )
        wanted = self.policy.decide(snap)
        # At the cap the cap is a hard stop, whatever the mode (the policy still learns
        # from every event meanwhile): only calls an agent can take at once are placed.
        self.capped = at_cap(window, cap)
        if self.capped:
            wanted = min(wanted, certain_dials(snap, agents.certain))
        room = snap.line_limit - snap.lines_in_use
        return max(0, min(wanted, room, snap.dial_limit))


def at_cap(window: WindowCounts, cap: float) -> bool:
    """The campaign's abandon rate in its legal window has reached its cap."""
    return window.live_answers > 0 and window.rate >= cap


def certain_dials(snap: PacingSnapshot, certain_agents: int) -> int:
    """Calls whose answer an agent can take with certainty: at most one per ready agent
    who can be counted on (not one back from a call they let go), counting the calls
    already placed and not yet with an agent; none while an answered call waits for one."""
    if snap.waiting_since:
        return 0
    return ProgressivePolicy().decide(snap._replace(ready_agents=certain_agents))


def cap_notice(window: WindowCounts, cap: float, hours: int, agents: AgentsNow) -> str:
    """What the campaign page and the live floor say while the campaign is at its cap."""
    counted = (
        f" (with {window.amd_false_positives:.1f} people AMD took for machines, counted as "
        "answered and abandoned under the UK rule)"
        if window.amd_false_positives
        else ""
    )
    note = (
        f"At the abandon cap: {window.rate:.1%} of {window.live_answers} live answers in the "
        f"last {hours} h were abandoned{counted} (cap {cap:.1%}). Dialling only what agents "
        "can take at once: one call per ready agent, none while a call waits for an agent."
    )
    skipped = len(agents.ready) - agents.certain
    if skipped:
        who = "agent is" if skipped == 1 else "agents are"
        note += (
            f" {skipped} ready {who} not counted: the last call offered to them was abandoned "
            "because they did not take it (counted again once they take a call, or come "
            "back from a break)."
        )
    return note

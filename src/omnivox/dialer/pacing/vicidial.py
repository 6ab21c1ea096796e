"""Ports of VICIdial's adaptive dial-level methods, from their public description.

Every ``adjust_every`` seconds (15 s) the dial level is multiplied by
``1 + intensity * (avg ready agents - avg calls waiting) / avg agents`` and clamped to
``[min_level, max_level]`` (1 and 3), the averages being taken over the ticks of the period.
Drop control looks at drops / answers since the start of the day against ``drop_limit``:

* HARD_LIMIT: over the limit, the level is reset to 1 and held there until back under.
* AVERAGE: over the limit, the level is halved (never below 1) at each adjustment.
* TAPERED: the limit is relaxed in the first half of the shift — ``limit * (1 + a)`` with
  ``a = max(0, 2 * time left / shift - 1)``, twice the limit at the start, the limit from
  mid-shift on; over it, the level is reset to 1 as with HARD_LIMIT.

Calls to place = round(level * agents) - calls in progress, where agents are ready or on a
call (agents in wrap-up are "paused" for VICIdial) and calls in progress are ringing,
waiting and bridged calls.
"""

from __future__ import annotations

from enum import Enum

from omnivox.dialer.pacing.types import BasePolicy, PacingSnapshot, clamp_dials


class DropControl(Enum):
    HARD_LIMIT = "hard_limit"
    AVERAGE = "average"
    TAPERED = "tapered"


class VicidialAdaptivePolicy(BasePolicy):
    """VICIdial ADAPT_* dial method (see module docstring)."""

    def __init__(
        self,
        mode: DropControl,
        drop_limit: float = 0.03,
        intensity: float = 1.0,
        adjust_every: float = 15.0,
        min_level: float = 1.0,
        max_level: float = 3.0,
    ) -> None:
        self.mode = mode
        self.drop_limit = drop_limit
        self.intensity = intensity
        self.adjust_every = adjust_every
        self.min_level = min_level
        self.max_level = max_level
        self.level = min_level
        self.name = f"vicidial-{mode.value.replace('_', '-')}"
        self._next_adjust: float | None = None
        self._sum_ready = 0.0
        self._sum_waiting = 0.0
        self._sum_agents = 0.0
        self._samples = 0

    def decide(self, snapshot: PacingSnapshot) -> int:
        agents = snapshot.ready_agents + snapshot.talking_agents
        self._sum_ready += snapshot.ready_agents
        self._sum_waiting += len(snapshot.waiting_since)
        self._sum_agents += agents
        self._samples += 1
        if self._next_adjust is None:
            self._next_adjust = snapshot.now + self.adjust_every
        elif snapshot.now >= self._next_adjust:
            self._adjust(snapshot)
            self._next_adjust = snapshot.now + self.adjust_every
        target = round(self.level * agents)
        return clamp_dials(target - snapshot.lines_in_use, snapshot)

    def _adjust(self, snapshot: PacingSnapshot) -> None:
        n = max(self._samples, 1)
        avg_ready, avg_waiting = self._sum_ready / n, self._sum_waiting / n
        avg_agents = self._sum_agents / n
        self._sum_ready = self._sum_waiting = self._sum_agents = 0.0
        self._samples = 0
        if avg_agents > 0:
            factor = 1.0 + self.intensity * (avg_ready - avg_waiting) / avg_agents
            self.level *= max(factor, 0.0)
        self.level = min(max(self.level, self.min_level), self.max_level)
        self._drop_control(snapshot)

    def _drop_control(self, snapshot: PacingSnapshot) -> None:
        answers = snapshot.window_live_answers
        if answers <= 0:
            return
        drop_rate = snapshot.window_abandons / answers
        if self.mode is DropControl.TAPERED:
            # Up to twice the limit at the start, tapering to the limit at mid-shift.
            allowance = max(0.0, 2.0 * _shift_left(snapshot) - 1.0)
            if drop_rate > self.drop_limit * (1.0 + allowance):
                self.level = self.min_level
        elif drop_rate > self.drop_limit:
            if self.mode is DropControl.HARD_LIMIT:
                self.level = self.min_level
            else:
                self.level = max(self.min_level, self.level / 2.0)


def _shift_left(snapshot: PacingSnapshot) -> float:
    span = snapshot.day_end - snapshot.day_start
    if span <= 0:
        return 0.0
    return min(1.0, max(0.0, (snapshot.day_end - snapshot.now) / span))

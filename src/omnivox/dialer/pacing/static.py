"""Static pacing rules: progressive, fixed ratio and static power.

These are the reference families. Fixed ratio holds ``round(r * (ready + on-call agents))``
lines; static power keeps ``round(r * ready agents)`` dials outstanding; progressive is one
outstanding dial per ready agent (identical to ratio 1 and power 1).
"""

from __future__ import annotations

from omnivox.dialer.pacing.types import BasePolicy, PacingSnapshot, clamp_dials


def _fmt(r: float) -> str:
    return f"{r:g}"


class ProgressivePolicy(BasePolicy):
    """One outstanding dial per ready agent; never abandons a live answer."""

    name = "progressive"

    def decide(self, snapshot: PacingSnapshot) -> int:
        return clamp_dials(snapshot.ready_agents - snapshot.outstanding_dials, snapshot)


class FixedRatioPolicy(BasePolicy):
    """Lines in use = round(r * (ready + on-call agents)); agents in wrap-up do not count."""

    def __init__(self, ratio: float) -> None:
        if ratio < 1.0:
            raise ValueError("ratio must be >= 1")
        self.ratio = ratio
        self.name = f"ratio-{_fmt(ratio)}"

    def decide(self, snapshot: PacingSnapshot) -> int:
        agents = snapshot.ready_agents + snapshot.talking_agents
        target = round(self.ratio * agents)
        return clamp_dials(target - snapshot.lines_in_use, snapshot)


class StaticPowerPolicy(BasePolicy):
    """Outstanding dials (ringing or waiting) = round(r * ready agents)."""

    def __init__(self, ratio: float) -> None:
        if ratio <= 0.0:
            raise ValueError("ratio must be > 0")
        self.ratio = ratio
        self.name = f"power-{_fmt(ratio)}"

    def decide(self, snapshot: PacingSnapshot) -> int:
        target = round(self.ratio * snapshot.ready_agents)
        return clamp_dials(target - snapshot.outstanding_dials, snapshot)

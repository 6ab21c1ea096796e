"""An open-loop Erlang-B rate policy.

Live answers are treated as a Poisson stream offered to ``N`` agents with mean handle time
``H``; a live answer that finds every agent busy is lost (abandoned, as the 2-second wait is
short next to ``H``). Erlang's loss formula gives the largest offered load ``A`` with
``B(N, A) ≤ target``; the policy then dials at the open-loop rate ``A / (H · p)`` per second
(p = live answers per dial), ignoring the instantaneous state except the agent count.
"""

from __future__ import annotations

from omnivox.dialer.pacing.learner import LearnerPrior, OutcomeLearner
from omnivox.dialer.pacing.types import BasePolicy, PacingEvent, PacingSnapshot, clamp_dials


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability B(N, A) by the stable recurrence B(n) = A·B(n-1)/(n + A·B(n-1))."""
    b = 1.0
    for n in range(1, servers + 1):
        b = load * b / (n + load * b)
    return b


def max_load(servers: int, target: float, tol: float = 1e-4) -> float:
    """Largest offered load A (Erlangs) with B(servers, A) <= target (bisection)."""
    if servers <= 0:
        return 0.0
    lo, hi = 0.0, float(servers) * 2.0 + 10.0
    while hi - lo > tol * max(1.0, hi):
        mid = 0.5 * (lo + hi)
        if erlang_b(servers, mid) <= target:
            lo = mid
        else:
            hi = mid
    return lo


class ErlangBRatePolicy(BasePolicy):
    """Dials at the Erlang-B rate for the active agents, learning p and H online."""

    observes_events = True

    def __init__(self, target: float = 0.03, prior: LearnerPrior | None = None) -> None:
        self.target = target
        self.name = "erlang-b"
        self.learner = OutcomeLearner(prior)
        self._credit = 0.0
        self._last: float | None = None
        self._loads: dict[int, float] = {}

    def observe(self, event: PacingEvent) -> None:
        self.learner.observe(event)

    def decide(self, snapshot: PacingSnapshot) -> int:
        dt = 0.0 if self._last is None else snapshot.now - self._last
        self._last = snapshot.now
        self.learner.refresh(snapshot.now)
        agents = snapshot.active_agents
        load = self._loads.get(agents)
        if load is None:
            load = self._loads[agents] = max_load(agents, self.target)
        p = max(self.learner.ring.live_rate, 1e-3)
        rate = load / (max(self.learner.handle.value, 1.0) * p)
        self._credit = min(self._credit + rate * dt, rate * 5.0 + 1.0)
        n = clamp_dials(int(self._credit), snapshot)
        self._credit -= n
        return n

"""Omnivox's predictive pacer. The method and its mathematics are in docs/pacing.md.

In short: on a one-second grid over the next ``horizon_s`` seconds it forecasts the
cumulative number of agents free (ready now, plus talking and wrapping agents conditioned on
their elapsed times) and the cumulative number of live answers (waiting now, plus ringing
dials conditioned on their ring age), both as sums of Bernoullis with a normal
approximation. The m-th new dial is abandoned if, at the moment it is answered, the live
answers so far outnumber the free agents; its probability ``π(m)`` rises with m. The pacer
places every dial with ``π(m) ≤ θ``; θ is steered so that the mean predicted π of placed
dials (calibrated against the abandons actually seen) equals the rate the abandon budget
allows now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from omnivox.dialer.pacing.budget import BudgetConfig, pacing_abandon_rate
from omnivox.dialer.pacing.estimators import FloatArray, normal_cdf
from omnivox.dialer.pacing.learner import LearnerPrior, OutcomeLearner
from omnivox.dialer.pacing.types import BasePolicy, PacingEvent, PacingSnapshot, clamp_dials


@dataclass(frozen=True, slots=True)
class PredictiveConfig:
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    horizon_s: int = 32  # covers ring timeout + AMD decision time
    grace_s: float = 2.0  # how long a live answer may wait; ~0 with AMD (its time counts)
    prior: LearnerPrior = field(default_factory=LearnerPrior)
    gain: float = 0.05  # threshold steering gain per decision
    calibration_prior: float = 3.0  # pseudo-abandons behind the model calibration
    pi_half_life: float = 60.0  # dials behind the running mean of predicted π


class OmnivoxPacer(BasePolicy):
    """Predictive pacer: marginal abandon probability against a budget-steered threshold."""

    observes_events = True

    def __init__(self, config: PredictiveConfig | None = None, name: str = "omnivox") -> None:
        self.config = config or PredictiveConfig()
        self.name = name
        self.learner = OutcomeLearner(self.config.prior)
        self.theta = self.config.budget.target
        self._pi_mean = self.config.budget.target
        self._predicted_abandons = 0.0
        g = round(self.config.grace_s)
        k = self.config.horizon_s
        self._grace = g
        self._taus = np.arange(1, k + 1, dtype=np.float64)
        self._supply_taus = np.arange(1, k + g + 1, dtype=np.float64)
        lag = np.subtract.outer(np.arange(k + g), np.arange(k + g))  # i - s
        self._lag = np.clip(lag, 0, None).T  # [s, i] -> i - s (0 where i < s)
        self._lag_mask = (lag >= 0).T
        self._pi_decay = 0.5 ** (1.0 / self.config.pi_half_life)
        self._toeplitz: FloatArray | None = None
        self._person_rate = 0.0  # P(a new dial is answered by a person)
        self._toeplitz_of: FloatArray | None = None

    def observe(self, event: PacingEvent) -> None:
        self.learner.observe(event)

    def decide(self, snapshot: PacingSnapshot) -> int:
        room = clamp_dials(1 << 30, snapshot)
        if room == 0 or snapshot.active_agents == 0:
            return 0
        self.learner.refresh(snapshot.now)
        pi = self.marginal_abandon(snapshot, room, stop_above=self.theta)
        n = int(np.count_nonzero(np.cumprod(pi <= self.theta)))
        if n:
            self._steer(pi[:n], snapshot)
        return n

    def marginal_abandon(
        self, snap: PacingSnapshot, room: int, stop_above: float = 1.0
    ) -> FloatArray:
        """π(m) for m = 1..M: probability that the m-th new dial, if a person answers it, is
        abandoned (the law counts people; machines also take agents, so they are demand).

        Evaluated in growing chunks of m, stopping once π exceeds ``stop_above`` (π rises
        with m), so a typical tick that places a dial or two costs a few rows only."""
        g, k = self._grace, len(self._taus)
        supply, var_s = self._supply(snap)
        demand, var_d = self._demand(snap)
        a = self.learner.ring.new_dial_live_cdf(self._taus)
        h = self._person_answer_pmf(a)
        if h is None:
            return np.zeros(min(room, 1))
        base = demand + 0.5 - supply[g : g + k]
        var0 = var_d + var_s[g : g + k] + 0.01  # floor: a certain shortfall stays certain
        var_a = a * (1.0 - a)
        limit = self._max_dials(base, var0, a, float(a[-1]), room)
        parts: list[FloatArray] = []
        start, size = 0, 4
        while start < limit:
            m = np.arange(start, min(start + size, limit), dtype=np.float64)[:, None]
            pi = np.asarray(normal_cdf((base + m * a) / np.sqrt(var0 + m * var_a)) @ h)
            parts.append(pi)
            if pi[-1] > stop_above:
                break
            start, size = start + size, size * 4
        return np.concatenate(parts)

    def _person_answer_pmf(self, a: FloatArray) -> FloatArray | None:
        """When a person answers a new dial, by one-second bin (None if nobody answers)."""
        live = a.copy()
        live[1:] -= a[:-1]
        share = self.learner.people.share_by_ring_time()[: len(live)]
        people = live * share
        total = float(people.sum())
        self._person_rate = total
        if total <= 1e-9:
            return None
        return np.asarray(people / total, dtype=np.float64)

    @staticmethod
    def _max_dials(base: FloatArray, var0: FloatArray, a: FloatArray, p: float, room: int) -> int:
        # Past this many dials the median answer time is surely over-subscribed, so π > 0.5.
        i = int(np.searchsorted(a, 0.5 * p))
        i = min(i, len(a) - 1)
        bound = (-base[i] + 4.0 * math.sqrt(var0[i])) / max(float(a[i]), 1e-3) + 2.0
        return max(1, min(room, int(bound)))

    def _supply(self, snap: PacingSnapshot) -> tuple[FloatArray, FloatArray]:
        taus = self._supply_taus
        supply = np.full(len(taus), float(snap.ready_agents))
        var = np.zeros(len(taus))
        wrap = self.learner.wrap
        if snap.talking_since:
            talk_end = self.learner.talk.end_within(_ages(snap.now, snap.talking_since), taus)
            pmf = talk_end.copy()
            pmf[:, 1:] -= talk_end[:, :-1]
            free = pmf @ self._wrap_toeplitz()
            col = free.sum(axis=0)
            supply += col
            var += col - (free * free).sum(axis=0)
        if snap.wrapping_since:
            done = wrap.end_within(_ages(snap.now, snap.wrapping_since), taus)
            col = done.sum(axis=0)
            supply += col
            var += col - (done * done).sum(axis=0)
        return supply, var

    def _wrap_toeplitz(self) -> FloatArray:
        """T[s, i] = P(wrap-up <= i - s + 0.5 s): a call ending in second s frees its agent
        by second i. Rebuilt only when the wrap-up model's table changes."""
        table = self.learner.wrap.table
        if self._toeplitz is None or self._toeplitz_of is not table:
            wrap_cdf = 1.0 - self.learner.wrap.survival(self._supply_taus - 0.5)
            self._toeplitz = np.where(self._lag_mask, wrap_cdf[self._lag], 0.0)
            self._toeplitz_of = table
        return self._toeplitz

    def _demand(self, snap: PacingSnapshot) -> tuple[FloatArray, FloatArray]:
        k = len(self._taus)
        demand = np.full(k, float(len(snap.waiting_since)))
        var = np.zeros(k)
        if snap.ringing_since:
            ages = _ages(snap.now, snap.ringing_since)
            live = self.learner.ring.ringing_live_cdf(ages, self._taus)
            col = live.sum(axis=0)
            demand += col
            var += col - (live * live).sum(axis=0)
        return demand, var

    def _steer(self, placed_pi: FloatArray, snap: PacingSnapshot) -> None:
        cfg = self.config
        n = len(placed_pi)
        w = 1.0 - self._pi_decay**n
        self._pi_mean += w * (float(placed_pi.mean()) - self._pi_mean)
        self._predicted_abandons += self._person_rate * float(placed_pi.sum())
        people = self.learner.people
        abandons = snap.window_abandons * people.drop_share()
        answers = snap.window_live_answers * people.answer_share()
        prior = cfg.calibration_prior
        bias = (abandons + prior) / (self._predicted_abandons + prior)
        # Under the UK rule the AMD false positives come out of the same budget first.
        allowed = pacing_abandon_rate(
            cfg.budget, snap, abandons, answers, snap.window_amd_false_positives
        )
        goal = allowed / min(max(bias, 0.25), 4.0)
        error = (goal - self._pi_mean) / max(goal, 1e-6)
        self.theta *= math.exp(cfg.gain * max(min(error, 2.0), -2.0))
        self.theta = min(max(self.theta, 1e-4), 0.3)


def _ages(now: float, starts: tuple[float, ...]) -> FloatArray:
    return now - np.fromiter(starts, dtype=np.float64, count=len(starts))

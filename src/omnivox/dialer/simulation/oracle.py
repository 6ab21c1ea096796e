"""Hindsight oracles: the best static ratio and static power settings, searched on the same
seeds under the abandon cap.

Both families are monotone (more lines -> more talk and more abandons), so the search brackets
the compliance boundary with a coarse grid and then narrows the bracket by false position.
The oracle of a family is the evaluated compliant setting with the most talk; the oracle of
the scenario is the better family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from omnivox.dialer.pacing.registry import canonical_spec
from omnivox.dialer.simulation.metrics import RunMetrics, summarise, upper_bound_95
from omnivox.dialer.simulation.scenarios import Rule, Scenario, lognormal_cdf, profile_at

# Outstanding dials per ready agent, in units of 1 / (answers needing an agent per dial).
POWER_COARSE = (0.8, 1.1, 1.5)
RATIO_COARSE = (1.0, 1.5, 2.0, 2.5, 3.0)
BISECTIONS = 3  # false-position steps (bisection when the excess is uninformative)
RATIO_BISECTIONS = 2  # the ratio family is far weaker; a coarser boundary is enough


def routed_answer_rate(s: Scenario) -> float:
    """Mean share of dials that end up needing an agent (drives the power grid's scale)."""
    hours = [h / 4.0 for h in range(int(s.hours * 4) + 1)]
    human = sum(profile_at(s.human, h) for h in hours) / len(hours)
    f_h = lognormal_cdf(s.ring_timeout, s.human_answer_median, s.human_answer_sigma)
    f_m = lognormal_cdf(s.ring_timeout, s.machine_answer_median, s.machine_answer_sigma)
    if s.amd:
        return human * f_h * (1 - s.amd_false_positive) + s.machine * f_m * s.amd_false_negative
    return human * f_h + s.machine * f_m


def spec_for(family: str, value: float) -> str:
    return canonical_spec(f"{family}:{value:g}")


@dataclass(slots=True)
class FamilySearch:
    """Search of one family's compliance boundary for one rule."""

    family: str  # "power" or "ratio"
    rule: Rule
    values: list[float]  # candidates evaluated or scheduled
    lo: float | None = None  # largest compliant value seen
    hi: float | None = None  # smallest non-compliant value above lo
    rounds_left: int = BISECTIONS
    talk: dict[float, float] = field(default_factory=dict)
    excess: dict[float, float] = field(default_factory=dict)  # how far over the cap

    def update(self, results: dict[str, list[RunMetrics]]) -> None:
        compliant: list[float] = []
        failing: list[float] = []
        for v in self.values:
            runs = results.get(spec_for(self.family, v))
            if runs is None:
                continue
            s = summarise(runs, self.rule)
            self.talk[v] = s.talk_min_per_agent_hour if s.compliant else -1.0
            worst = max(s.abandon_ub95, s.abandon_max if self.rule.daily_window else 0.0)
            self.excess[v] = worst - self.rule.cap
            (compliant if s.compliant else failing).append(v)
        self.lo = max(compliant) if compliant else None
        above = [v for v in failing if self.lo is None or v > self.lo]
        self.hi = min(above) if above else None

    def next_value(self) -> float | None:
        """The next setting to evaluate, or None when the search is done."""
        if self.rounds_left <= 0:
            return None
        self.rounds_left -= 1
        cap = 3.0 if self.family == "ratio" else math.inf
        if self.lo is None:  # nothing compliant yet: go lower
            low = min(self.values)
            v = max(1.0, low / 1.5) if self.family == "ratio" else low / 1.5
            if v >= low:
                return None
        elif self.hi is None:  # everything compliant: go higher
            v = min(self.lo * 1.4, cap)
            if v <= self.lo:
                return None
        else:
            v = self._false_position(self.lo, self.hi)
        v = round(v, 3)
        if v in self.values:
            return None
        self.values.append(v)
        return v

    def _false_position(self, lo: float, hi: float) -> float:
        """Where the excess over the cap crosses zero, interpolated linearly between the
        bracket's ends and kept off them (plain bisection if the excess is not informative)."""
        e_lo, e_hi = self.excess.get(lo, 0.0), self.excess.get(hi, 0.0)
        if e_hi <= e_lo or e_hi <= 0.0 or e_lo > 0.0:
            return (lo + hi) / 2.0
        v = lo + (hi - lo) * (-e_lo) / (e_hi - e_lo)
        margin = 0.15 * (hi - lo)
        return min(max(v, lo + margin), hi - margin)

    def best(self) -> tuple[float, float] | None:
        """(value, talk) of the best compliant setting evaluated."""
        ok = [(t, v) for v, t in self.talk.items() if t >= 0]
        if not ok:
            return None
        t, v = max(ok)
        return v, t


def initial_searches(s: Scenario, rule: Rule) -> list[FamilySearch]:
    p = routed_answer_rate(s)
    power = sorted({round(x / p, 2) for x in POWER_COARSE})
    return [
        FamilySearch("power", rule, power),
        FamilySearch("ratio", rule, list(RATIO_COARSE), rounds_left=RATIO_BISECTIONS),
    ]


def best_power_per_hour(
    results: dict[str, list[RunMetrics]], search: FamilySearch
) -> list[float | None]:
    """For each hour, the static power ratio with the most talk whose hourly abandon rate
    (95% upper bound over seeds) stays under the cap: how a perfect hourly re-tuner would set
    it."""
    runs_by_value = {
        v: results[spec_for("power", v)] for v in search.values if spec_for("power", v) in results
    }
    if not runs_by_value:
        return []
    hours = next(iter(runs_by_value.values()))[0].hours
    out: list[float | None] = []
    for h in range(hours):
        best: tuple[float, float] | None = None
        for v, runs in runs_by_value.items():
            rates = []
            for r in runs:
                num, den = r.hour_abandon_counts(search.rule)
                rates.append(num[h] / den[h] if den[h] else 0.0)
            if upper_bound_95(rates) > search.rule.cap:
                continue
            talk = sum(r.hour_talk_s[h] for r in runs)
            if best is None or talk > best[1]:
                best = (v, talk)
        out.append(best[0] if best else None)
    return out

"""What one simulated day measures, and the per-scenario figures over seeds."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from omnivox.dialer.simulation.scenarios import Rule


@dataclass(slots=True)
class RunMetrics:
    """Raw counts of one simulated day (one seed, one policy)."""

    hours: int
    dials: int = 0
    connects: int = 0  # calls bridged to an agent (people and undetected machines)
    human_connects: int = 0
    human_routed: int = 0  # people answering and sent to agents (AMD said "person")
    human_abandons: int = 0  # people who found no agent in time
    amd_false_positives: int = 0  # people hung up on by AMD
    machine_drops: int = 0
    talk_s: float = 0.0  # conversation time with people
    handle_s: float = 0.0  # talk + wrap-up of every bridged call
    logged_in_s: float = 0.0
    available_s: float = 0.0  # logged in and not paused
    idle_waits: list[float] = field(default_factory=list)
    hour_talk_s: list[float] = field(default_factory=list)
    hour_routed: list[int] = field(default_factory=list)
    hour_abandons: list[int] = field(default_factory=list)
    hour_fp: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("hour_talk_s", "hour_routed", "hour_abandons", "hour_fp"):
            if not getattr(self, name):
                setattr(self, name, [0] * self.hours)

    def abandon_counts(self, rule: Rule) -> tuple[int, int]:
        """(abandons, live answers) by the rule's definition."""
        if rule.count_amd_false_positives:
            return (
                self.human_abandons + self.amd_false_positives,
                self.human_routed + self.amd_false_positives,
            )
        return self.human_abandons, self.human_routed

    def abandon_rate(self, rule: Rule) -> float:
        num, den = self.abandon_counts(rule)
        return num / den if den else 0.0

    def hour_abandon_counts(self, rule: Rule) -> tuple[list[int], list[int]]:
        fp = self.hour_fp if rule.count_amd_false_positives else [0] * self.hours
        num = [a + f for a, f in zip(self.hour_abandons, fp, strict=True)]
        den = [r + f for r, f in zip(self.hour_routed, fp, strict=True)]
        return num, den


def t_quantile_95(df: int) -> float:
    """One-sided 95% Student t quantile (Cornish-Fisher expansion; exact enough for df >= 3)."""
    z = 1.6448536269514722
    if df <= 0:
        return math.inf
    d = float(df)
    return z + (z**3 + z) / (4 * d) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * d * d)


def upper_bound_95(values: list[float]) -> float:
    """Upper end of the one-sided 95% confidence interval of the mean over seeds."""
    n = len(values)
    mean = float(np.mean(values))
    if n < 2:
        return mean
    return mean + t_quantile_95(n - 1) * float(np.std(values, ddof=1)) / math.sqrt(n)


def violations(runs: list[RunMetrics], rule: Rule) -> int:
    """Regulatory windows over the cap, seed k being day k of the campaign: every day for a
    daily window; successive 30-day periods (pooled) otherwise."""
    if rule.daily_window:
        return sum(1 for r in runs if r.abandon_rate(rule) > rule.cap)
    count = 0
    for start in range(0, len(runs), 30):
        block = runs[start : start + 30]
        num = sum(r.abandon_counts(rule)[0] for r in block)
        den = sum(r.abandon_counts(rule)[1] for r in block)
        count += int(den > 0 and num / den > rule.cap)
    return count


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of one policy in one scenario, over seeds, for one rule."""

    abandon_mean: float
    abandon_ub95: float
    abandon_max: float
    talk_min_per_agent_hour: float
    occupancy: float
    idle_wait_mean_s: float
    idle_wait_p90_s: float
    dials_per_connect: float
    violations: int
    compliant: bool
    seeds: int

    def as_dict(self) -> dict[str, float | int | bool]:
        return {name: getattr(self, name) for name in self.__slots__}


def summarise(runs: list[RunMetrics], rule: Rule) -> Summary:
    rates = [r.abandon_rate(rule) for r in runs]
    ub = upper_bound_95(rates)
    waits = np.concatenate([np.asarray(r.idle_waits, dtype=np.float64) for r in runs])
    talk = sum(r.talk_s for r in runs) / 60.0
    logged = sum(r.logged_in_s for r in runs) / 3600.0
    viol = violations(runs, rule)
    connects = sum(r.connects for r in runs)
    return Summary(
        abandon_mean=float(np.mean(rates)),
        abandon_ub95=ub,
        abandon_max=max(rates),
        talk_min_per_agent_hour=talk / logged if logged else 0.0,
        occupancy=sum(r.handle_s for r in runs) / max(sum(r.available_s for r in runs), 1e-9),
        idle_wait_mean_s=float(waits.mean()) if waits.size else 0.0,
        idle_wait_p90_s=float(np.percentile(waits, 90)) if waits.size else 0.0,
        dials_per_connect=sum(r.dials for r in runs) / max(connects, 1),
        violations=viol,
        compliant=ub <= rule.cap and viol == 0,
        seeds=len(runs),
    )

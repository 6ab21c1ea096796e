"""Progressive-dialling sanity check: with one outstanding dial per ready agent, each agent's
cycle is a handle time H plus the attempts until one connects, so by Wald's identity

    occupancy = H / (H + E[attempt time] / p)

with p the probability that an attempt reaches the agent. Computed here in closed form from
the scenario's parameters, for scenarios whose parameters are constant over the day.
"""

from __future__ import annotations

import math

from omnivox.dialer.simulation.scenarios import Scenario


def _lognormal_partial(x: float, median: float, sigma: float) -> tuple[float, float]:
    """(P(X <= x), E[X; X <= x]) for a lognormal with the given median and sigma."""
    mu = math.log(median)
    z = (math.log(x) - mu) / sigma
    cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    zz = (math.log(x) - mu - sigma * sigma) / sigma
    partial = math.exp(mu + sigma * sigma / 2) * 0.5 * (1.0 + math.erf(zz / math.sqrt(2.0)))
    return cdf, partial


def eligible(s: Scenario) -> bool:
    """Constant answer rates and talk times, no AMD, no answer curve, one shift."""
    return (
        len(s.human) == 1
        and len(s.talk_mean) == 1
        and not s.amd
        and not s.answer_curve
        and len(s.shifts) == 1
    )


def progressive_occupancy(s: Scenario) -> float:
    """H / (H + E[T] / p) for the scenario (see module docstring)."""
    tau = s.ring_timeout
    p_h = s.human[0][1]
    f_h, part_h = _lognormal_partial(tau, s.human_answer_median, s.human_answer_sigma)
    f_m, part_m = _lognormal_partial(tau, s.machine_answer_median, s.machine_answer_sigma)
    p_na = 1.0 - p_h - s.machine - s.busy - s.invalid
    attempt = (
        p_h * (part_h + (1 - f_h) * tau)
        + s.machine * (part_m + (1 - f_m) * tau)
        + s.busy * s.busy_s
        + s.invalid * s.invalid_s
        + p_na * tau
    )
    connect_h, connect_m = p_h * f_h, s.machine * f_m
    p = connect_h + connect_m
    spread = math.exp(0.4 * 0.4 / 2)  # mean of exp(0.4 z)
    h_human = s.talk_mean[0][1] + s.wrap_mean
    h_machine = (s.machine_talk_s + s.machine_wrap_s) * spread
    handle = (connect_h * h_human + connect_m * h_machine) / p
    return handle / (handle + attempt / p)

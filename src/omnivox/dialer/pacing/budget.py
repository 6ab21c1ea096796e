"""The abandon budget: how much abandon risk the next calls may carry.

The law caps abandons / live answers over a regulatory window. With ``A`` abandons and ``L``
live answers so far and ``L̂`` live answers expected by the end of the window, the pacer aims
below the cap by a noise margin, so the *realised* window rate stays under it:

    aim   = alpha - z · sqrt(alpha / (h · L̂))        (h = share of live answers that are people)
    slack = aim · L - A                        (abandons still "owed" to the budget; < 0 if over)
    next  = aim + slack / L_h                  (spend or repay the slack over the live answers
                                                expected in the next ``spend_horizon_s``)

``next`` is the abandon probability per live answer the pacer may take on for new dials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from omnivox.dialer.pacing.types import PacingSnapshot


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    target: float = 0.03  # the legal cap on abandons per live answer
    z: float = 0.75  # noise margin in standard deviations of the window's abandon count
    spend_horizon_s: float = 1800.0
    min_aim_share: float = 0.25  # never aim below this share of the cap
    # Spread slack over at least this many live answers: one abandon in a small team must
    # not swing the allowed rate by whole percentage points.
    min_spend_answers: float = 150.0


def next_abandon_rate(cfg: BudgetConfig, snap: PacingSnapshot, human_share: float) -> float:
    """Abandon probability per live answer allowed for the calls placed now."""
    alpha = cfg.target
    live = snap.window_live_answers
    elapsed = max(snap.now - snap.day_start, 300.0)
    rate = live / elapsed  # live answers per second so far today
    expected = live + rate * max(snap.day_end - snap.now, 0.0)
    people = max(human_share * expected, 1.0)
    aim = max(alpha - cfg.z * math.sqrt(alpha / people), cfg.min_aim_share * alpha)
    slack = aim * live - snap.window_abandons
    horizon = max(rate * cfg.spend_horizon_s, cfg.min_spend_answers)
    return min(max(aim + slack / horizon, 0.2 * aim), 2.0 * aim)

"""The abandon budget: how much abandon risk the next calls may carry.

The law caps abandoned people / people answering over a regulatory window. With ``A`` people
abandoned and ``L`` people answering so far, and ``L̂`` expected by the end of the window, the
pacer aims below the cap by a noise margin, so the *realised* window rate stays under it:

    aim   = alpha - z * sqrt(alpha / L̂)
    slack = aim * L - A                        (abandons still "owed" to the budget; < 0 if over)
    next  = aim + slack / L_h                  (spend or repay the slack over the answers
                                                expected in the next ``spend_horizon_s``,
                                                at least ``min_spend_answers``)

``next`` is the abandon probability per person answering that new dials may carry.
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


def next_abandon_rate(
    cfg: BudgetConfig, snap: PacingSnapshot, abandons: float, answers: float
) -> float:
    """Abandon probability per person answering allowed for the calls placed now.

    ``abandons`` and ``answers`` are the window's people abandoned and people answering
    (estimated where machines cannot be told apart)."""
    alpha = cfg.target
    live = answers
    elapsed = max(snap.now - snap.day_start, 300.0)
    rate = live / elapsed  # people answering per second so far today
    expected = max(live + rate * max(snap.day_end - snap.now, 0.0), 1.0)
    aim = max(alpha - cfg.z * math.sqrt(alpha / expected), cfg.min_aim_share * alpha)
    slack = aim * live - abandons
    horizon = max(rate * cfg.spend_horizon_s, cfg.min_spend_answers)
    return min(max(aim + slack / horizon, 0.2 * aim), 2.0 * aim)

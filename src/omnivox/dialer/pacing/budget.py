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

Where the rule counts AMD false positives (UK), ``A`` and ``L`` both include the window's
estimated false positives ``F`` (each is a person answering *and* abandoned), and a share
``f = F / (L + F)`` of the answers to come will be false positives too, abandoned whatever
the pacing does. What is left for the pacing on the people routed to agents is

    pacing = (next - f) / (1 - f)        (at least ``min_pacing_share`` of ``aim``)
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
    # With AMD false positives using up the budget, keep at least this share of ``aim`` for
    # the pacing: the daily rate still has its noise margin, and dialling never stops.
    min_pacing_share: float = 0.1


def next_abandon_rate(
    cfg: BudgetConfig, snap: PacingSnapshot, abandons: float, answers: float
) -> float:
    """Abandon probability per person answering allowed for the calls placed now.

    ``abandons`` and ``answers`` are the window's people abandoned and people answering
    (estimated where machines cannot be told apart)."""
    live = answers
    elapsed = max(snap.now - snap.day_start, 300.0)
    rate = live / elapsed  # people answering per second so far today
    aim = aim_rate(cfg, snap, live)
    slack = aim * live - abandons
    horizon = max(rate * cfg.spend_horizon_s, cfg.min_spend_answers)
    return min(max(aim + slack / horizon, 0.2 * aim), 2.0 * aim)


def aim_rate(cfg: BudgetConfig, snap: PacingSnapshot, answers: float) -> float:
    """The rate aimed at for the whole window: the cap less the noise margin."""
    alpha = cfg.target
    elapsed = max(snap.now - snap.day_start, 300.0)
    expected = max(answers + answers / elapsed * max(snap.day_end - snap.now, 0.0), 1.0)
    return max(alpha - cfg.z * math.sqrt(alpha / expected), cfg.min_aim_share * alpha)


def pacing_abandon_rate(
    cfg: BudgetConfig,
    snap: PacingSnapshot,
    abandons: float,
    answers: float,
    false_positives: float = 0.0,
) -> float:
    """Abandon probability per person routed to an agent that the pacing may spend, once
    the AMD false positives the rule counts (``false_positives`` in the window so far, and
    the same share of the answers to come) are taken out of the budget."""
    fp = max(false_positives, 0.0)
    allowed = next_abandon_rate(cfg, snap, abandons + fp, answers + fp)
    if fp <= 0.0:
        return allowed
    # Early in the day a single machine verdict is no share: spread over the same minimum
    # number of answers as the slack.
    share = min(fp / max(answers + fp, cfg.min_spend_answers), 0.9)
    floor = cfg.min_pacing_share * aim_rate(cfg, snap, answers + fp)
    return max((allowed - share) / (1.0 - share), floor)

"""Build policies from short specs: ``progressive``, ``ratio:2``, ``power:4.5``,
``hard_limit``, ``average``, ``tapered``, ``erlang_b``, ``omnivox``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from omnivox.dialer.pacing.budget import BudgetConfig
from omnivox.dialer.pacing.erlang import ErlangBRatePolicy
from omnivox.dialer.pacing.learner import LearnerPrior
from omnivox.dialer.pacing.predictive import OmnivoxPacer, PredictiveConfig
from omnivox.dialer.pacing.static import FixedRatioPolicy, ProgressivePolicy, StaticPowerPolicy
from omnivox.dialer.pacing.types import PacingPolicy
from omnivox.dialer.pacing.vicidial import DropControl, VicidialAdaptivePolicy

FIXED_RATIOS = (1.5, 2.0, 2.5, 3.0)
ADAPTIVE_SPECS = ("hard_limit", "tapered", "average", "erlang_b", "omnivox")
DEFAULT_SPECS = ("progressive", *(f"ratio:{r:g}" for r in FIXED_RATIOS), *ADAPTIVE_SPECS)


@dataclass(frozen=True, slots=True)
class PolicyContext:
    """What a campaign tells its policy: the cap and how its answers are detected."""

    abandon_target: float = 0.03
    daily_window: bool = False  # UK-style: every day must comply on its own
    amd: bool = False
    ring_timeout_s: float = 22.0  # the campaign's no-answer timeout
    prior: LearnerPrior = field(default_factory=LearnerPrior)


def canonical_spec(spec: str) -> str:
    """Specs that denote the same rule share one name (ratio 1 and power 1 are progressive)."""
    kind, _, arg = spec.partition(":")
    if kind in ("ratio", "power") and arg and float(arg) == 1.0:
        return "progressive"
    if arg:
        return f"{kind}:{float(arg):g}"
    return kind


def build_policy(spec: str, ctx: PolicyContext | None = None) -> PacingPolicy:
    ctx = ctx or PolicyContext()
    kind, _, arg = canonical_spec(spec).partition(":")
    if kind == "progressive":
        return ProgressivePolicy()
    if kind == "ratio":
        return FixedRatioPolicy(float(arg))
    if kind == "power":
        return StaticPowerPolicy(float(arg))
    if kind in ("hard_limit", "average", "tapered"):
        return VicidialAdaptivePolicy(DropControl(kind), drop_limit=ctx.abandon_target)
    if kind == "erlang_b":
        return ErlangBRatePolicy(ctx.abandon_target, ctx.prior)
    if kind == "omnivox":
        return OmnivoxPacer(omnivox_config(ctx))
    raise ValueError(f"unknown pacing policy {spec!r}")


def omnivox_config(ctx: PolicyContext) -> PredictiveConfig:
    # A daily window must hold every day: a wider noise margin than a 30-day window needs,
    # a one-sided bound on the day's count at the rate aimed at (budget.aim_rate).
    z = 2.0 if ctx.daily_window else 0.75
    return PredictiveConfig(
        budget=BudgetConfig(target=ctx.abandon_target, z=z, margin_at_aim=ctx.daily_window),
        grace_s=0.0 if ctx.amd else 2.0,
        # Look as far ahead as a dial can still be answered (AMD decides up to 3 s later).
        horizon_s=math.ceil(ctx.ring_timeout_s + (3.0 if ctx.amd else 0.0)) + 2,
        prior=ctx.prior,
    )

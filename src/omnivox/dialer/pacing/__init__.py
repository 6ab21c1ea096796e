"""Pacing policies: how many calls to place now. Pure: no I/O, no clock reads.

The live dialler and the simulator feed every policy through :class:`PacingEvent` and
:class:`PacingSnapshot`; see docs/pacing.md for the method and the benchmark.
"""

from omnivox.dialer.pacing.erlang import ErlangBRatePolicy, erlang_b
from omnivox.dialer.pacing.predictive import OmnivoxPacer, PredictiveConfig
from omnivox.dialer.pacing.registry import PolicyContext, build_policy, canonical_spec
from omnivox.dialer.pacing.static import FixedRatioPolicy, ProgressivePolicy, StaticPowerPolicy
from omnivox.dialer.pacing.types import (
    BasePolicy,
    EventKind,
    PacingEvent,
    PacingPolicy,
    PacingSnapshot,
    clamp_dials,
)
from omnivox.dialer.pacing.vicidial import DropControl, VicidialAdaptivePolicy

__all__ = [
    "BasePolicy",
    "DropControl",
    "ErlangBRatePolicy",
    "EventKind",
    "FixedRatioPolicy",
    "OmnivoxPacer",
    "PacingEvent",
    "PacingPolicy",
    "PacingSnapshot",
    "PolicyContext",
    "PredictiveConfig",
    "ProgressivePolicy",
    "StaticPowerPolicy",
    "VicidialAdaptivePolicy",
    "build_policy",
    "canonical_spec",
    "clamp_dials",
    "erlang_b",
]

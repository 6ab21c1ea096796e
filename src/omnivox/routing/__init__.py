"""Inbound routing: the ACD router, business hours and audio validation (pure, no I/O)."""

from omnivox.routing.acd import Router
from omnivox.routing.audio import LIMITS as AUDIO_LIMITS
from omnivox.routing.audio import MAX_BYTES as AUDIO_MAX_BYTES
from omnivox.routing.audio import check_audio
from omnivox.routing.audio_types import AudioError, AudioFormat, AudioInfo, AudioKind, Problem
from omnivox.routing.estimator import WaitEstimator
from omnivox.routing.hours import BusinessHours, Holiday, HoursError, HoursStatus, WeeklyInterval
from omnivox.routing.types import (
    AgentCandidate,
    Offer,
    OverflowDue,
    OverflowKind,
    OverflowTarget,
    QueueConfig,
    RoutingError,
    Strategy,
    WaitingCall,
)

__all__ = [
    "AUDIO_LIMITS",
    "AUDIO_MAX_BYTES",
    "AgentCandidate",
    "AudioError",
    "AudioFormat",
    "AudioInfo",
    "AudioKind",
    "BusinessHours",
    "Holiday",
    "HoursError",
    "HoursStatus",
    "Offer",
    "OverflowDue",
    "OverflowKind",
    "OverflowTarget",
    "Problem",
    "QueueConfig",
    "Router",
    "RoutingError",
    "Strategy",
    "WaitEstimator",
    "WaitingCall",
    "WeeklyInterval",
    "check_audio",
]

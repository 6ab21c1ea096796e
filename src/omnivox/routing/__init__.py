"""Inbound routing: the ACD router and business hours (pure, no I/O)."""

from omnivox.routing.acd import Router
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
    "AgentCandidate",
    "BusinessHours",
    "Holiday",
    "HoursError",
    "HoursStatus",
    "Offer",
    "OverflowDue",
    "OverflowKind",
    "OverflowTarget",
    "QueueConfig",
    "Router",
    "RoutingError",
    "Strategy",
    "WaitEstimator",
    "WaitingCall",
    "WeeklyInterval",
]

"""Inbound routing: the ACD router and business hours (pure, no I/O), and the numbers and
queues other domains refer to."""

from omnivox.routing.acd import Router
from omnivox.routing.estimator import WaitEstimator
from omnivox.routing.hours import BusinessHours, Holiday, HoursError, HoursStatus, WeeklyInterval
from omnivox.routing.models import InboundNumber, Queue
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
    "InboundNumber",
    "Offer",
    "OverflowDue",
    "OverflowKind",
    "OverflowTarget",
    "Queue",
    "QueueConfig",
    "Router",
    "RoutingError",
    "Strategy",
    "WaitEstimator",
    "WaitingCall",
    "WeeklyInterval",
]

"""Inbound routing: the ACD router and business hours (pure, no I/O), and the numbers and
queues other domains refer to.

Other domains import only the names below: the pure router and hours, the number and queue
rows, :func:`find_queue` and :func:`list_queues`, which calls asked for or were a
callback (:func:`callback_requests`, :func:`completed_callbacks`, for reports), and which
numbers an organisation may present as caller ID (:func:`check_presentable_caller_ids`,
:func:`presentable_caller_ids`), which campaigns and the dialler check. What routing
asks of later domains (voicemail, the dialler) it names in ``routing.ports`` and
``create_app`` supplies. The HTTP routers (``routing.api``, ``number_pages``,
``queue_pages``, ``sandbox_api``) are kept out of this surface.
"""

from omnivox.routing.acd import Router
from omnivox.routing.caller_ids import check_presentable as check_presentable_caller_ids
from omnivox.routing.caller_ids import presentable as presentable_caller_ids
from omnivox.routing.estimator import WaitEstimator
from omnivox.routing.hours import BusinessHours, Holiday, HoursError, HoursStatus, WeeklyInterval
from omnivox.routing.models import InboundNumber, Queue
from omnivox.routing.queues import (
    callback_requests,
    completed_callbacks,
    find_queue,
    list_queues,
    queue_stats,
    queues_now,
)
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
    "callback_requests",
    "check_presentable_caller_ids",
    "completed_callbacks",
    "find_queue",
    "list_queues",
    "presentable_caller_ids",
    "queue_stats",
    "queues_now",
]

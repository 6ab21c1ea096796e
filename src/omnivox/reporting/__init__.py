"""Reporting: the metric catalogue (pure), the 15-minute rollups kept from call endings
and agent state changes, and the one query engine every report reads through.

It reads the other domains only through their surfaces and follows their typed events
(``CallEnded``, ``AgentStateChanged``); no domain imports it. The command line
(``reporting.cli``) is mounted by ``omnivox.cli``, the handlers by ``create_app``.
"""

from omnivox.reporting.catalogue import METRICS, Metric, Source, Unit
from omnivox.reporting.compliance import abandon_compliance
from omnivox.reporting.exports import EXPORT_FORMATS, export_bytes, export_stream
from omnivox.reporting.handlers import add_ended_call
from omnivox.reporting.handlers import follow as follow_reports
from omnivox.reporting.query import ReportResult, run_report
from omnivox.reporting.request import GRANULARITIES, ReportRequest
from omnivox.reporting.sessions import login_logout
from omnivox.reporting.templates import (
    COMPLIANCE,
    LOGIN_LOGOUT,
    TEMPLATES,
    Template,
    get_template,
)
from omnivox.reporting.upkeep import rebuild

__all__ = [
    "COMPLIANCE",
    "EXPORT_FORMATS",
    "GRANULARITIES",
    "LOGIN_LOGOUT",
    "METRICS",
    "TEMPLATES",
    "Metric",
    "ReportRequest",
    "ReportResult",
    "Source",
    "Template",
    "Unit",
    "abandon_compliance",
    "add_ended_call",
    "export_bytes",
    "export_stream",
    "follow_reports",
    "get_template",
    "login_logout",
    "rebuild",
    "run_report",
]

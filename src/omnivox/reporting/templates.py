"""Saved report definitions: each template is a request on the same engine (its metrics,
dimensions and granularity); only the range and filters come from the caller. The
abandon-rate compliance template adds the legal window on top (``compliance``); the
login/logout template reads raw state history (``sessions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from omnivox.core.errors import InvalidInput
from omnivox.reporting.request import ReportRequest


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    granularity: str | None = None

    def request(
        self,
        start: date,
        end: date,
        filters: Mapping[str, str] | None = None,
        granularity: str | None = None,
    ) -> ReportRequest:
        return ReportRequest(
            metrics=self.metrics,
            start=start,
            end=end,
            by=self.by,
            filters=dict(filters or {}),
            granularity=granularity or self.granularity,
        )


#: The name of the compliance template, computed per legal window by ``compliance``.
COMPLIANCE = "abandon_compliance"
#: The name of the login/logout template, computed from raw history by ``sessions``.
LOGIN_LOGOUT = "login_logout"

TEMPLATES: Mapping[str, Template] = {
    t.name: t
    for t in (
        Template(
            "agent_performance",
            "Agent performance",
            (
                "calls_with_agent",
                "aht",
                "talk_time",
                "hold_time",
                "wrap_time",
                "transfers",
                "conversions",
                "time_logged_in",
                "occupancy",
                "utilisation",
                "talk_minutes_per_agent_hour",
            ),
            ("agent",),
        ),
        Template(
            "queue_interval",
            "Queue interval",
            (
                "calls_offered",
                "calls_handled",
                "calls_abandoned",
                "abandon_rate",
                "service_level_offered",
                "service_level_answered",
                "asa",
                "average_wait",
                "longest_wait",
                "aht",
            ),
            ("queue",),
            "15m",
        ),
        Template(
            "campaign_performance",
            "Campaign performance",
            (
                "outbound_dials",
                "live_answers",
                "outbound_connects",
                "contact_rate",
                "amd_machines",
                "amd_machine_rate",
                "outbound_abandoned",
                "legal_abandon_rate",
                "conversions",
                "conversion_rate",
                "talk_time",
                "aht",
            ),
            ("campaign",),
        ),
        Template("dispositions", "Dispositions", ("calls", "conversions"), ("disposition",)),
        Template(
            "callbacks",
            "Callbacks in queue",
            ("callbacks_requested", "callbacks_completed", "voicemails"),
            ("queue",),
        ),
        Template(
            "agent_time",
            "Agent time and pause reasons",
            ("time_available", "time_reserved", "time_on_call", "time_wrap_up", "time_break"),
            ("agent", "break_reason"),
        ),
    )
}


def get_template(name: str) -> Template:
    found = TEMPLATES.get(name)
    if found is None:
        known = ", ".join([*TEMPLATES, COMPLIANCE, LOGIN_LOGOUT])
        raise InvalidInput.on("template", f"unknown template {name!r}; known: {known}")
    return found

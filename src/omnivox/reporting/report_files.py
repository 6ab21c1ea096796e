"""What a report's file says about itself: its title, the range and filters printed under
it (PDF), and its file name — the same from the API, the command line and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from omnivox.reporting.service import ReportAsk
from omnivox.reporting.templates import COMPLIANCE, TEMPLATES


@dataclass(frozen=True)
class ReportFile:
    title: str
    details: tuple[tuple[str, str], ...]
    stem: str


def describe(ask: ReportAsk) -> ReportFile:
    if ask.template == COMPLIANCE:
        title = "Abandon-rate compliance per campaign per legal window"
    elif ask.template in TEMPLATES:
        title = TEMPLATES[ask.template].title
    else:
        title = "Report: " + ", ".join(ask.metrics) + (f" by {', '.join(ask.by)}" if ask.by else "")
    details: list[tuple[str, str]] = [("Range", f"{ask.start} to {ask.end}")]
    if ask.granularity:
        details.append(("Granularity", ask.granularity))
    if ask.filters:
        details.append(("Filters", ", ".join(f"{k}={v}" for k, v in ask.filters.items())))
    name = ask.template or "-".join(ask.metrics[:3])
    return ReportFile(title, tuple(details), f"{name}-{ask.start}-{ask.end}")

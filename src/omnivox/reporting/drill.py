"""Drill-down: from a count in a report to the calls behind it. Each link opens the call
records page (``/reports/calls``) with the row's period, its dimension values and the
report's filters, narrowed to the calls the metric counts. Only counts whose calls that
page can select exactly are linked; a rate or a duration is not a list of calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from omnivox.reporting.query import ReportResult
from omnivox.reporting.service import ReportAsk
from omnivox.reporting.templates import TEMPLATES

#: Metric -> the call records filters selecting exactly the calls it counts.
DRILLABLE: Mapping[str, Mapping[str, str]] = {
    "calls": {},
    "calls_offered": {"direction": "inbound"},
    "calls_handled": {"direction": "inbound", "outcome": "answered"},
    "calls_abandoned": {"direction": "inbound", "outcome": "abandoned"},
    "calls_with_agent": {"outcome": "answered"},
    "outbound_dials": {"direction": "outbound"},
    "outbound_connects": {"direction": "outbound", "outcome": "answered"},
    "outbound_abandoned": {"direction": "outbound", "outcome": "abandoned"},
    "amd_machines": {"direction": "outbound", "outcome": "machine"},
}
#: Report columns holding the value a call records filter takes.
_DIMENSION_FILTERS = {
    "agent_id": "agent",
    "team_id": "team",
    # The records page's ``number`` is a free search of either end; this one is exact.
    "number_id": "org_number",
    "queue_id": "queue",
    "campaign_id": "campaign",
    "disposition": "disposition",
}

#: Report filters the records page takes under another name.
_PARAMS = {"number": "org_number"}


def drill_links(result: ReportResult, ask: ReportAsk) -> list[dict[str, str]]:
    """Per row, ``{metric: href}`` for its non-zero drillable counts."""
    metrics = [c for c in result.columns if c in DRILLABLE]
    if not metrics:
        return [{} for _ in result.rows]
    base: dict[str, Any] = {"from": ask.start.isoformat(), "to": ask.end.isoformat()}
    template = TEMPLATES.get(ask.template)
    granularity = ask.granularity or (template.granularity if template else None)
    links: list[dict[str, str]] = []
    for row in result.rows:
        query = dict(base) | {_PARAMS.get(k, k): v for k, v in ask.filters.items()}
        if row.get("period") and granularity:
            query |= {"period": row["period"], "granularity": granularity}
        usable = True
        for column, name in _DIMENSION_FILTERS.items():
            if column in result.columns:
                if not row.get(column):
                    usable = False  # "no queue" is not a filter the page takes
                    break
                query[name] = row[column]
        links.append(
            {
                m: "/reports/calls?" + urlencode(query | dict(DRILLABLE[m]))
                for m in metrics
                if usable and row.get(m)
            }
        )
    return links

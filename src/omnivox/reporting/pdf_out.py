"""A report as a PDF (WeasyPrint): the title, the range and filters, a chart of the first
metric (SVG drawn here) and the table. WeasyPrint lays out the whole document in
memory, so a PDF is bounded by ``OMNIVOX_REPORT_PDF_MAX_ROWS``; larger results are CSV's
or XLSX's business."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jinja2

from omnivox.core.errors import InvalidInput
from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.query import ReportResult
from omnivox.reporting.svg_chart import bar_chart

MEDIA_TYPE = "application/pdf"
_CHART_BARS = 60

_PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4 landscape; margin: 14mm;
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #222; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
dl { margin: 0 0 8pt; } dt { display: inline; font-weight: bold; }
dd { display: inline; margin: 0 12pt 0 4pt; }
figure { margin: 0 0 10pt; } figcaption { font-size: 8pt; color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 0.5pt solid #bbb; padding: 2pt 4pt; text-align: left; }
td.n { text-align: right; } thead { display: table-header-group; } th { background: #eee; }
</style></head>
<body>
<h1>{{ title }}</h1>
<dl>{% for k, v in details %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}
<dt>Rows</dt><dd>{{ rows | length }}</dd><dt>Produced</dt><dd>{{ produced }}</dd></dl>
{% if chart %}<figure>{{ chart | safe }}<figcaption>{{ caption }}</figcaption></figure>{% endif %}
<table><thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for c in columns %}{% set v = row.get(c) %}
<td{% if v is number %} class="n"{% endif %}>{{ "" if v is none else v }}</td>{% endfor %}</tr>
{% else %}<tr><td colspan="{{ columns | length }}">No figures in this range.</td></tr>{% endfor %}
</tbody></table>
</body></html>"""
)


def _shown(columns: Sequence[str]) -> list[str]:
    """Ids are for machines; the PDF shows names."""
    return [c for c in columns if not c.endswith("_id")]


def _first_metric(result: ReportResult) -> str | None:
    found = next((c for c in result.columns if c in METRICS), None)
    if found is not None:
        return found
    return next(
        (
            c
            for c in _shown(result.columns)
            if any(isinstance(r.get(c), int | float) for r in result.rows)
        ),
        None,
    )


def _chart(result: ReportResult) -> tuple[str, str]:
    metric = _first_metric(result)
    if metric is None or not result.rows:
        return "", ""
    keys = [c for c in _shown(result.columns) if c not in METRICS and c != metric]
    rows = result.rows[:_CHART_BARS]
    labels = [" · ".join(str(r.get(k) or "—") for k in keys) or metric for r in rows]
    values: list[float | None] = []
    for r in rows:
        v = r.get(metric)
        values.append(float(v) if isinstance(v, int | float) else None)
    label = METRICS[metric].label if metric in METRICS else metric
    caption = (
        label
        if len(result.rows) <= _CHART_BARS
        else (f"{label}: the first {_CHART_BARS} of {len(result.rows)} rows")
    )
    return bar_chart(labels, values, label), caption


def html_of(result: ReportResult, title: str, details: Sequence[tuple[str, str]] = ()) -> str:
    chart, caption = _chart(result)
    return _PAGE.render(
        title=title,
        details=list(details),
        columns=_shown(result.columns),
        rows=result.rows,
        chart=chart,
        caption=caption,
        produced=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def to_pdf(
    result: ReportResult,
    title: str,
    details: Sequence[tuple[str, str]] = (),
    max_rows: int = 2000,
) -> bytes:
    if len(result.rows) > max_rows:
        raise InvalidInput.on(
            "format",
            f"a PDF holds at most {max_rows} rows (OMNIVOX_REPORT_PDF_MAX_ROWS); this report "
            f"has {len(result.rows)}: narrow it or export CSV or XLSX",
        )
    # Imported here: WeasyPrint loads Pango when imported, which only PDFs need.
    import weasyprint

    pdf: Any = weasyprint.HTML(string=html_of(result, title, details)).write_pdf()
    return bytes(pdf)

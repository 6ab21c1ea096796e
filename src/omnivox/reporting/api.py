"""JSON routes of reports under /api/v1/reports, and their downloads (CSV, XLSX, PDF).
Everyone with reports:own may ask; what they see is narrowed in the service (agents:
their own figures; supervisors: their teams'; admins and report viewers: everything)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State
from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.downloads import download_responses
from omnivox.reporting.exports import attachment, export_bytes, export_stream, media_type
from omnivox.reporting.report_files import describe
from omnivox.reporting.service import ReportAsk, parse_filters, parse_list, report_for
from omnivox.reporting.templates import COMPLIANCE, LOGIN_LOGOUT, TEMPLATES

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
_Text = Annotated[str, Query(max_length=500)]


@router.get("/run", response_model=None, responses=download_responses("csv", "xlsx", "pdf"))
async def run(
    db: DB,
    state: State,
    from_: Annotated[date, Query(alias="from")],
    to: date,
    actor: Principal = Allow(P.REPORTS_OWN),
    template: Annotated[str, Query(max_length=64)] = "",
    metrics: _Text = "",
    by: _Text = "",
    filter_: Annotated[list[str] | None, Query(alias="filter", max_length=20)] = None,
    granularity: Annotated[str, Query(max_length=8)] = "",
    format_: Annotated[Literal["json", "csv", "xlsx", "pdf"], Query(alias="format")] = "json",
) -> dict[str, Any] | Response:
    """A template or metrics x dimensions over local dates ``from``..``to`` (included),
    as JSON or as a file: CSV and XLSX stream, a PDF (title, range, filters, a chart of
    the first metric, the table) holds at most ``OMNIVOX_REPORT_PDF_MAX_ROWS`` rows."""
    ask = ReportAsk(
        start=from_,
        end=to,
        template=template,
        metrics=parse_list(metrics),
        by=parse_list(by),
        filters=parse_filters(filter_ or []),
        granularity=granularity or None,
    )
    result = await report_for(db, actor, ask, state.settings)
    if format_ == "json":
        return {"columns": result.columns, "rows": result.rows}
    about = describe(ask)
    headers = attachment(about.stem, format_)
    if format_ == "pdf":
        # WeasyPrint lays out on the CPU for a while: not on the event loop.
        pdf = await run_in_threadpool(
            export_bytes,
            result,
            "pdf",
            about.title,
            details=about.details,
            pdf_max_rows=state.settings.report_pdf_max_rows,
        )
        return Response(pdf, media_type=media_type("pdf"), headers=headers)
    chunks = export_stream(result, format_, about.title)
    return StreamingResponse(chunks, media_type=media_type(format_), headers=headers)


@router.get("/metrics")
async def metrics_catalogue(actor: Principal = Allow(P.REPORTS_OWN)) -> list[dict[str, str]]:
    """The metric catalogue: name, label, unit, formula, records, interval."""
    return [
        {
            "name": m.name,
            "label": m.label,
            "unit": m.unit.value,
            "source": m.source.value,
            "formula": m.formula,
            "reads": m.reads,
            "counts_in": m.counts_in,
        }
        for m in METRICS.values()
    ]


@router.get("/templates")
async def templates(actor: Principal = Allow(P.REPORTS_OWN)) -> list[dict[str, Any]]:
    """The saved report definitions."""
    listed: list[dict[str, Any]] = [
        {"name": t.name, "title": t.title, "metrics": list(t.metrics), "by": list(t.by)}
        | {"granularity": t.granularity}
        for t in TEMPLATES.values()
    ]
    listed.append(
        {
            "name": COMPLIANCE,
            "title": "Abandon-rate compliance per campaign per legal window",
            "metrics": ["live_answers", "outbound_abandoned", "legal_abandon_rate"],
            "by": ["campaign", "day"],
            "granularity": "day",
        }
    )
    listed.append(
        {
            "name": LOGIN_LOGOUT,
            "title": "Login/logout per agent per day",
            "metrics": ["first_login", "last_logout", "logged_in_time", "sessions"],
            "by": ["agent", "day"],
            "granularity": "day",
        }
    )
    return listed

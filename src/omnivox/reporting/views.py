"""The reports page: a form (a template, or metrics x dimensions, a range, filters) and
the result as a table, from the same service as the API and the command line."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from omnivox.accounts import get_organization
from omnivox.core.errors import DomainError, InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, render
from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.request import GRANULARITIES
from omnivox.reporting.service import ReportAsk, parse_filters, parse_list, report_for
from omnivox.reporting.templates import COMPLIANCE, TEMPLATES

router = APIRouter(include_in_schema=False)
_Text = Annotated[str, Query(max_length=500)]


@router.get("/reports")
async def reports_page(
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
    template: Annotated[str, Query(max_length=64)] = "",
    metrics: _Text = "",
    by: _Text = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    filter_: Annotated[list[str] | None, Query(alias="filter", max_length=20)] = None,
    granularity: Annotated[str, Query(max_length=8)] = "",
) -> HTMLResponse:
    org = await get_organization(db, actor.organization_id)
    today = state.clock.now().astimezone(ZoneInfo(org.timezone)).date().isoformat()
    filters = [f for f in filter_ or [] if f.strip()]
    form: dict[str, Any] = {
        "template": template,
        "metrics": metrics,
        "by": by,
        "from": from_ or today,
        "to": to or today,
        "filters": filters,
        "granularity": granularity,
    }
    context: dict[str, Any] = {"form": form, "result": None, "error": ""}
    status = 200
    if template or metrics:
        try:
            ask = ReportAsk(
                start=_date(from_ or today, "from"),
                end=_date(to or today, "to"),
                template=template,
                metrics=parse_list(metrics),
                by=parse_list(by),
                filters=parse_filters(filters),
                granularity=granularity or None,
            )
            context["result"] = await report_for(db, actor, ask, state.settings)
        except DomainError as exc:
            context["error"], status = exc.detail, exc.status
    return render(
        request,
        "reports/reports.html",
        actor,
        status=status,
        templates=[*TEMPLATES.values()],
        compliance=COMPLIANCE,
        metrics_catalogue=list(METRICS.values()),
        granularities=GRANULARITIES,
        **context,
    )


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.on(name, f"{value!r} is not a date (YYYY-MM-DD)") from None

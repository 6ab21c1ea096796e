"""The reports page: the builder (a template, or metrics x dimensions, a range, filters,
granularity), the result as a table and a chart with each count linked to the calls
behind it, and saving the definition under a name, shared with roles. Same service as
the API and the command line."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from omnivox.accounts import list_teams
from omnivox.core.errors import DomainError, InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, render
from omnivox.http.forms import form_dict, parse
from omnivox.reporting import saved
from omnivox.reporting.access import agent_scope
from omnivox.reporting.catalogue import METRICS, Source
from omnivox.reporting.drill import drill_links
from omnivox.reporting.names import org_numbers
from omnivox.reporting.query import ReportResult
from omnivox.reporting.ranges import RANGES
from omnivox.reporting.request import CALL_DIMENSIONS, GRANULARITIES, STATE_DIMENSIONS
from omnivox.reporting.service import ReportAsk, parse_filters, parse_list, report_for
from omnivox.reporting.templates import COMPLIANCE, LOGIN_LOGOUT, TEMPLATES

router = APIRouter(include_in_schema=False)
_Text = Annotated[str, Query(max_length=500)]
_Many = Annotated[list[str] | None, Query(max_length=60)]
#: Rows drawn in a chart (the table shows them all).
CHART_ROWS = 2000


def _split(values: list[str] | None) -> list[str]:
    """Repeated fields and comma lists alike: ``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [v for value in values or [] for v in parse_list(value)]


def _definition_form(definition: saved.Definition) -> dict[str, Any]:
    return {
        "template": definition.template,
        "metrics": list(definition.metrics),
        "by": list(definition.by),
        "filters": [f"{k}={v}" for k, v in definition.filters.items()],
        "granularity": definition.granularity or "",
        "range": definition.range,
        "from": definition.start.isoformat() if definition.start else "",
        "to": definition.end.isoformat() if definition.end else "",
    }


@router.get("/reports")
async def reports_page(
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
    saved_id: Annotated[str, Query(alias="saved", max_length=32)] = "",
    template: Annotated[str, Query(max_length=64)] = "",
    metrics: _Many = None,
    by: _Many = None,
    range_: Annotated[str, Query(alias="range", max_length=20)] = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    filter_: Annotated[list[str] | None, Query(alias="filter", max_length=20)] = None,
    granularity: Annotated[str, Query(max_length=8)] = "",
    run: Annotated[str, Query(max_length=1)] = "",
) -> HTMLResponse:
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    current = await saved.get_report(db, actor, saved_id) if saved_id else None
    asked = bool(run or template or metrics)
    if current is not None and not asked:
        form = _definition_form(saved.definition_of(current))
    else:
        form = {
            "template": template,
            "metrics": _split(metrics),
            "by": _split(by),
            "filters": [f for f in filter_ or [] if f.strip()],
            "granularity": granularity,
            "range": range_ or ("custom" if from_ or to else "today"),
            "from": from_,
            "to": to,
        }
    context: dict[str, Any] = {"form": form, "result": None, "error": "", "links": []}
    status = 200
    if current is not None or asked:
        try:
            definition = _definition(form)
            ask = definition.ask(today)
            form["from"], form["to"] = ask.start.isoformat(), ask.end.isoformat()
            result = await report_for(db, actor, ask, state.settings)
            context |= _shown(result, ask)
        except DomainError as exc:
            context["error"], status = exc.detail, exc.status
    return render(
        request,
        "reports/reports.html",
        actor,
        status=status,
        templates=[*TEMPLATES.values()],
        compliance=COMPLIANCE,
        login_logout=LOGIN_LOGOUT,
        metric_groups=_metric_groups(),
        dimensions=_dimensions(),
        granularities=GRANULARITIES,
        ranges=RANGES,
        roles=saved.SHARE_WITH,
        saved_reports=await saved.visible_reports(db, actor),
        current=current,
        can_manage=current is not None and saved.can_manage(actor, current),
        query=urlencode(_query_of(form), doseq=True),
        **await _filter_choices(db, actor, form["filters"]),
        **context,
    )


def _definition(form: dict[str, Any]) -> saved.Definition:
    """The form as a definition; bad dates and ranges in words."""
    rng = form["range"] or "today"
    fields: dict[str, Any] = {
        "template": form["template"],
        "metrics": form["metrics"],
        "by": form["by"],
        "filters": parse_filters(form["filters"]),
        "granularity": form["granularity"] or None,
        "range": rng,
    }
    if rng == "custom":
        fields["from"] = _date(form["from"], "from")
        fields["to"] = _date(form["to"], "to")
    return parse(saved.Definition, fields)


def _shown(result: ReportResult, ask: ReportAsk) -> dict[str, Any]:
    metric_columns = [c for c in result.columns if c in METRICS]
    chart = {
        "columns": result.columns,
        "rows": result.rows[:CHART_ROWS],
        "metrics": metric_columns,
        "labels": [c for c in result.columns if c not in METRICS and not c.endswith("_id")],
        "units": {c: METRICS[c].unit.value for c in metric_columns},
    }
    return {"result": result, "chart": chart, "links": drill_links(result, ask)}


def _query_of(form: dict[str, Any]) -> dict[str, Any]:
    """The form as the query string of the API's run route (for the export links)."""
    out: dict[str, Any] = {"from": form["from"], "to": form["to"]}
    if form["template"]:
        out["template"] = form["template"]
    else:
        out["metrics"] = ",".join(form["metrics"])
        out["by"] = ",".join(form["by"])
    if form["granularity"]:
        out["granularity"] = form["granularity"]
    out["filter"] = form["filters"]
    return out


def _metric_groups() -> list[tuple[str, list[Any]]]:
    titles = {
        Source.CALLS: "Calls",
        Source.AGENT_STATES: "Agent time",
        Source.BOTH: "Calls and agent time",
    }
    return [
        (title, [m for m in METRICS.values() if m.source is source])
        for source, title in titles.items()
    ]


async def _filter_choices(db: DB, actor: Principal, filters: list[str]) -> dict[str, Any]:
    """The team and number selects: the teams wholly within the person's reach and the
    organisation's numbers, each with the filter chosen among them; the other filters
    (and a team or number that is none of the choices) stay free text."""
    scope = await agent_scope(db, actor)
    teams = [
        (t.id, t.name)
        for t in sorted(await list_teams(db, actor.organization_id), key=lambda t: t.name)
        if scope is None or {m.user_id for m in t.members} <= scope
    ]
    numbers = list((await org_numbers(db, actor.organization_id)).items())
    out: dict[str, Any] = {"team_choices": teams, "number_choices": numbers}
    free = []
    for item in filters:
        key, _, value = (p.strip() for p in item.partition("="))
        choices = {"team": teams, "number": numbers}.get(key, [])
        picked = next((c[0] for c in choices if value in (c[0], c[1])), None)
        if picked is None:
            free.append(item)
        else:
            out[f"chosen_{key}"] = picked
    return out | {"free_filters": free}


def _dimensions() -> list[str]:
    return list(dict.fromkeys([*CALL_DIMENSIONS, *STATE_DIMENSIONS]))


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.on(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


async def _write_of(request: Request) -> saved.SavedReportWrite:
    data = await form_dict(request, lists=("metrics", "by", "filter", "shared_roles"))
    form = {
        "template": data.get("template", ""),
        "metrics": _split(data.get("metrics")),
        "by": _split(data.get("by")),
        "filters": [f for f in data.get("filter", []) if f.strip()],
        "granularity": data.get("granularity", ""),
        "range": data.get("range", "") or "today",
        "from": data.get("from", ""),
        "to": data.get("to", ""),
    }
    return parse(
        saved.SavedReportWrite,
        {
            "name": data.get("name", ""),
            "definition": _definition(form),
            "shared_roles": data.get("shared_roles", []),
        },
    )


@router.post("/reports/saved")
async def save_report(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.REPORTS_OWN)
) -> Response:
    """Save the builder's definition under a name; back to the page showing it."""
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    report = await saved.create_report(db, actor, await _write_of(request), today, state.settings)
    return RedirectResponse(f"/reports?saved={report.id}", status_code=303)


@router.post("/reports/saved/{report_id}")
async def update_report(
    request: Request,
    report_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> Response:
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    write = await _write_of(request)
    report = await saved.update_report(db, actor, report_id, write, today, state.settings)
    return RedirectResponse(f"/reports?saved={report.id}", status_code=303)


@router.post("/reports/saved/{report_id}/delete")
async def delete_report(
    report_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> Response:
    await saved.delete_report(db, actor, report_id)
    return RedirectResponse("/reports", status_code=303)

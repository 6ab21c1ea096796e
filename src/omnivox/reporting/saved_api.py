"""JSON routes for saved reports (/api/v1/reports/saved) and dashboards
(/api/v1/dashboards). Everyone with reports:own may keep their own and open what was
shared with their role; each runs as the person asking."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State
from omnivox.reporting import dashboards as boards
from omnivox.reporting import saved
from omnivox.reporting.csv_out import to_csv
from omnivox.reporting.saved_models import Dashboard, SavedReport

router = APIRouter(prefix="/api/v1", tags=["reports"])


class SavedReportOut(BaseModel):
    id: str
    name: str
    owner_id: str
    definition: dict[str, Any]
    shared_roles: list[str]
    updated_at: datetime


class DashboardOut(BaseModel):
    id: str
    name: str
    owner_id: str
    widgets: list[dict[str, Any]]
    shared_roles: list[str]
    updated_at: datetime


def _report_out(r: SavedReport) -> SavedReportOut:
    return SavedReportOut(
        id=r.id,
        name=r.name,
        owner_id=r.owner_id,
        definition=r.definition,
        shared_roles=list(r.shared_roles or []),
        updated_at=r.updated_at,
    )


def _board_out(b: Dashboard) -> DashboardOut:
    return DashboardOut(
        id=b.id,
        name=b.name,
        owner_id=b.owner_id,
        widgets=list(b.widgets or []),
        shared_roles=list(b.shared_roles or []),
        updated_at=b.updated_at,
    )


@router.get("/reports/saved")
async def list_saved(db: DB, actor: Principal = Allow(P.REPORTS_OWN)) -> list[SavedReportOut]:
    """Reports the caller saved, and those shared with their role."""
    return [_report_out(r) for r in await saved.visible_reports(db, actor)]


@router.post("/reports/saved", status_code=201)
async def create_saved(
    body: saved.SavedReportWrite, db: DB, state: State, actor: Principal = Allow(P.REPORTS_OWN)
) -> SavedReportOut:
    """Save a report definition (it must run: a bad metric, dimension, filter or range is
    refused now, not when someone opens it)."""
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    return _report_out(await saved.create_report(db, actor, body, today, state.settings))


@router.get("/reports/saved/{report_id}")
async def get_saved(
    report_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> SavedReportOut:
    return _report_out(await saved.get_report(db, actor, report_id))


@router.put("/reports/saved/{report_id}")
async def update_saved(
    report_id: str,
    body: saved.SavedReportWrite,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> SavedReportOut:
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    report = await saved.update_report(db, actor, report_id, body, today, state.settings)
    return _report_out(report)


@router.delete("/reports/saved/{report_id}", status_code=204)
async def delete_saved(report_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)) -> None:
    await saved.delete_report(db, actor, report_id)


@router.get("/reports/saved/{report_id}/run", response_model=None)
async def run_saved(
    report_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    format_: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> dict[str, Any] | Response:
    """Run a saved report over its own range (or ``from``..``to``), as the caller."""
    if (from_ is None) != (to is None):
        raise InvalidInput.on("to" if to is None else "from", "give both from and to, or neither")
    report = await saved.get_report(db, actor, report_id)
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    result = await saved.run_saved(db, actor, report, today, state.settings, from_, to)
    if format_ == "csv":
        return Response(to_csv(result), media_type="text/csv; charset=utf-8")
    return {"name": report.name, "columns": result.columns, "rows": result.rows}


@router.get("/dashboards")
async def list_dashboards(db: DB, actor: Principal = Allow(P.REPORTS_OWN)) -> list[DashboardOut]:
    return [_board_out(b) for b in await boards.visible_dashboards(db, actor)]


@router.post("/dashboards", status_code=201)
async def create_dashboard(
    body: boards.DashboardWrite, db: DB, state: State, actor: Principal = Allow(P.REPORTS_OWN)
) -> DashboardOut:
    """A dashboard of widgets over saved reports the caller can open."""
    return _board_out(await boards.create_dashboard(db, actor, body, state.settings))


@router.get("/dashboards/{dashboard_id}")
async def get_dashboard(
    dashboard_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> DashboardOut:
    return _board_out(await boards.get_dashboard(db, actor, dashboard_id))


@router.put("/dashboards/{dashboard_id}")
async def update_dashboard(
    dashboard_id: str,
    body: boards.DashboardWrite,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> DashboardOut:
    board = await boards.update_dashboard(db, actor, dashboard_id, body, state.settings)
    return _board_out(board)


@router.delete("/dashboards/{dashboard_id}", status_code=204)
async def delete_dashboard(
    dashboard_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> None:
    await boards.delete_dashboard(db, actor, dashboard_id)


@router.get("/dashboards/{dashboard_id}/figures")
async def dashboard_figures(
    dashboard_id: str, db: DB, state: State, actor: Principal = Allow(P.REPORTS_OWN)
) -> list[dict[str, Any]]:
    """Each widget as the caller sees it: its rows, its one figure, or why not."""
    board = await boards.get_dashboard(db, actor, dashboard_id)
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    views = await boards.open_widgets(db, actor, board, today, state.settings)
    return [
        {
            "widget": v.widget.model_dump(mode="json"),
            "title": v.title,
            "columns": v.result.columns if v.result else None,
            "rows": v.result.rows if v.result else None,
            "value": v.value,
            "problem": v.problem or None,
        }
        for v in views
    ]

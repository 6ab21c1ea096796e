"""Dashboard pages: the list (and a new one), a dashboard with its widgets, and the
arrangement page where the owner adds, moves, widens and removes widgets and shares it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from omnivox.core.errors import InvalidInput, PermissionDenied
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, render
from omnivox.http.forms import form_dict, parse
from omnivox.reporting import dashboards as boards
from omnivox.reporting import saved
from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.saved_models import Dashboard

router = APIRouter(include_in_schema=False)


@router.get("/dashboards")
async def dashboards_page(
    request: Request, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> HTMLResponse:
    return render(
        request,
        "reports/dashboards.html",
        actor,
        dashboards=await boards.visible_dashboards(db, actor),
        roles=saved.SHARE_WITH,
    )


@router.post("/dashboards")
async def create_dashboard(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.REPORTS_OWN)
) -> Response:
    data = await form_dict(request, lists=("shared_roles",))
    write = parse(
        boards.DashboardWrite,
        {"name": data.get("name", ""), "shared_roles": data.get("shared_roles", [])},
    )
    board = await boards.create_dashboard(db, actor, write, state.settings)
    return RedirectResponse(f"/dashboards/{board.id}/edit", status_code=303)


@router.get("/dashboards/{dashboard_id}")
async def dashboard_page(
    request: Request,
    dashboard_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> HTMLResponse:
    board = await boards.get_dashboard(db, actor, dashboard_id)
    today = await saved.org_today(db, actor.organization_id, state.clock.now())
    views = await boards.open_widgets(db, actor, board, today, state.settings)
    return render(
        request,
        "reports/dashboard.html",
        actor,
        board=board,
        views=[_shown(v) for v in views],
        can_manage=saved.can_manage(actor, board),
        units={name: m.unit.value for name, m in METRICS.items()},
    )


def _shown(view: boards.WidgetView) -> dict[str, Any]:
    out: dict[str, Any] = {"view": view, "chart": None}
    if view.result is not None and view.widget.kind == "chart":
        metric = view.widget.metric or ""
        out["chart"] = {
            "columns": view.result.columns,
            "rows": view.result.rows[:2000],
            "metrics": [metric],
            "labels": [
                c for c in view.result.columns if c not in METRICS and not c.endswith("_id")
            ],
            "units": {metric: METRICS[metric].unit.value} if metric in METRICS else {},
        }
    return out


@router.get("/dashboards/{dashboard_id}/edit")
async def edit_page(
    request: Request, dashboard_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> HTMLResponse:
    board = await _managed(db, actor, dashboard_id)
    reports = await saved.visible_reports(db, actor)
    names = {r.id: r.name for r in reports}
    return render(
        request,
        "reports/dashboard_edit.html",
        actor,
        board=board,
        widgets=[(w, names.get(w.report_id, "(not available)")) for w in boards.widgets_of(board)],
        reports=reports,
        metrics=list(METRICS.values()),
        roles=saved.SHARE_WITH,
    )


async def _managed(db: DB, actor: Principal, dashboard_id: str) -> Dashboard:
    board = await boards.get_dashboard(db, actor, dashboard_id)
    if not saved.can_manage(actor, board):
        raise PermissionDenied("only its owner or a report admin may arrange a dashboard")
    return board


async def _save(
    db: DB, state: State, actor: Principal, board: Dashboard, **changes: Any
) -> Response:
    write = boards.DashboardWrite.model_validate(
        {
            "name": board.name,
            "widgets": [w.model_dump() for w in boards.widgets_of(board)],
            "shared_roles": board.shared_roles,
        }
        | changes
    )
    await boards.update_dashboard(db, actor, board.id, write, state.settings)
    return RedirectResponse(f"/dashboards/{board.id}/edit", status_code=303)


@router.post("/dashboards/{dashboard_id}/settings")
async def save_settings(
    request: Request,
    dashboard_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> Response:
    """Rename and share."""
    board = await _managed(db, actor, dashboard_id)
    data = await form_dict(request, lists=("shared_roles",))
    write = parse(
        boards.DashboardWrite,
        {"name": data.get("name", ""), "shared_roles": data.get("shared_roles", [])},
    )
    return await _save(db, state, actor, board, name=write.name, shared_roles=write.shared_roles)


@router.post("/dashboards/{dashboard_id}/widgets")
async def add_widget(
    request: Request,
    dashboard_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> Response:
    board = await _managed(db, actor, dashboard_id)
    data = await form_dict(request)
    widget = parse(
        boards.Widget,
        {
            "kind": data.get("kind", ""),
            "report_id": data.get("report_id", ""),
            "metric": data.get("metric") or None,
            # A form sends text; the schema's widths are the numbers 1 and 2.
            "width": 2 if data.get("width") == "2" else 1,
        },
    )
    widgets = [*boards.widgets_of(board), widget]
    return await _save(db, state, actor, board, widgets=widgets)


@router.post("/dashboards/{dashboard_id}/arrange")
async def arrange(
    request: Request,
    dashboard_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
) -> Response:
    """Move a widget up or down, widen or narrow it, or remove it (by its position)."""
    board = await _managed(db, actor, dashboard_id)
    data = await form_dict(request)
    widgets = boards.widgets_of(board)
    try:
        at = int(data.get("position", "")) - 1
    except ValueError:
        raise InvalidInput.on("position", "give the widget's position (1, 2, ...)") from None
    if not 0 <= at < len(widgets):
        raise InvalidInput.on("position", f"there is no widget {at + 1} on this dashboard")
    action = data.get("action", "")
    if action == "up" and at > 0:
        widgets[at - 1], widgets[at] = widgets[at], widgets[at - 1]
    elif action == "down" and at < len(widgets) - 1:
        widgets[at + 1], widgets[at] = widgets[at], widgets[at + 1]
    elif action == "remove":
        del widgets[at]
    elif action in ("wide", "narrow"):
        widgets[at] = widgets[at].model_copy(update={"width": 2 if action == "wide" else 1})
    elif action not in ("up", "down"):
        raise InvalidInput.on(
            "action", f"unknown action {action!r}; up, down, wide, narrow or remove"
        )
    return await _save(db, state, actor, board, widgets=widgets)


@router.post("/dashboards/{dashboard_id}/delete")
async def delete_dashboard(
    dashboard_id: str, db: DB, actor: Principal = Allow(P.REPORTS_OWN)
) -> Response:
    await boards.delete_dashboard(db, actor, dashboard_id)
    return RedirectResponse("/dashboards", status_code=303)

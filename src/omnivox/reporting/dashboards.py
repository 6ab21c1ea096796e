"""Dashboards: widgets (a saved report's table or chart, or one figure as a KPI tile) in
the order their owner arranged them, shared with roles. Each widget runs its report as
the viewer when the dashboard opens; a report the viewer may not open shows as such."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.reporting.query import ReportResult
from omnivox.reporting.saved import (
    can_manage,
    can_see,
    check_name,
    commit_named,
    definition_of,
    get_report,
    run_saved,
)
from omnivox.reporting.saved_models import Dashboard, SavedReport
from omnivox.reporting.service import ReportAsk, report_for
from omnivox.reporting.templates import COMPLIANCE, TEMPLATES

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
WidgetKind = Literal["table", "chart", "kpi"]


class Widget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: WidgetKind
    report_id: str = Field(min_length=1, max_length=32)
    metric: str | None = Field(default=None, max_length=64)
    width: Literal[1, 2] = 1


class DashboardWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    widgets: list[Widget] = Field(default_factory=list)
    shared_roles: list[Role] = Field(default_factory=list, max_length=len(Role))


def _report_metrics(definition_metrics: list[str], template: str) -> list[str]:
    if template in TEMPLATES:
        return list(TEMPLATES[template].metrics)
    return definition_metrics


async def _check_widgets(
    session: AsyncSession,
    actor: Principal,
    widgets: list[Widget],
    settings: Settings,
    kept: Sequence[Widget] = (),
) -> None:
    """The count, and each widget added or changed (``kept`` were checked when added: a
    report unshared since must not lock its dashboard; it shows as unavailable)."""
    if len(widgets) > settings.dashboard_max_widgets:
        raise InvalidInput.on(
            "widgets",
            f"{len(widgets)} widgets; a dashboard holds at most {settings.dashboard_max_widgets} "
            "(OMNIVOX_DASHBOARD_MAX_WIDGETS)",
        )
    for n, widget in enumerate(widgets, start=1):
        if widget in kept:
            continue
        try:
            report = await get_report(session, actor, widget.report_id)
        except NotFound:
            raise InvalidInput.on(
                "widgets", f"widget {n}: no saved report {widget.report_id!r} you can open"
            ) from None
        definition = definition_of(report)
        if widget.kind == "table":
            continue
        metrics = _report_metrics(definition.metrics, definition.template)
        if definition.template == COMPLIANCE:
            metrics = ["legal_abandon_rate"] if widget.kind == "chart" else []
        if widget.metric is None or widget.metric not in metrics:
            known = ", ".join(metrics) or "none (show it as a table)"
            raise InvalidInput.on(
                "widgets",
                f"widget {n} ({widget.kind}) needs one of the report {report.name!r}'s "
                f"metrics: {known}",
            )


async def visible_dashboards(session: AsyncSession, actor: Principal) -> list[Dashboard]:
    rows = await session.scalars(
        select(Dashboard).where(Dashboard.organization_id == actor.organization_id)
    )
    return sorted((b for b in rows if can_see(actor, b)), key=lambda b: (b.name.lower(), b.id))


async def get_dashboard(session: AsyncSession, actor: Principal, board_id: str) -> Dashboard:
    board = await session.get(Dashboard, board_id)
    if board is None or not can_see(actor, board):
        raise NotFound("no such dashboard")
    return board


def _stored(widgets: list[Widget]) -> list[dict[str, object]]:
    return [w.model_dump(mode="json") for w in widgets]


async def create_dashboard(
    session: AsyncSession, actor: Principal, data: DashboardWrite, settings: Settings
) -> Dashboard:
    if not actor.user_id:
        raise PermissionDenied("a dashboard belongs to a person; sign in as one")
    await check_name(session, actor, Dashboard, actor.user_id, data.name, None)
    await _check_widgets(session, actor, data.widgets, settings)
    board = Dashboard(
        organization_id=actor.organization_id,
        owner_id=actor.user_id,
        name=data.name,
        widgets=_stored(data.widgets),
        shared_roles=sorted({r.value for r in data.shared_roles}),
    )
    session.add(board)
    await commit_named(session, "dashboard", data.name)
    return board


async def update_dashboard(
    session: AsyncSession,
    actor: Principal,
    board_id: str,
    data: DashboardWrite,
    settings: Settings,
) -> Dashboard:
    board = await get_dashboard(session, actor, board_id)
    if not can_manage(actor, board):
        raise PermissionDenied("only its owner or a report admin may change a dashboard")
    await check_name(session, actor, Dashboard, board.owner_id, data.name, board.id)
    await _check_widgets(session, actor, data.widgets, settings, widgets_of(board))
    board.name = data.name
    board.widgets = _stored(data.widgets)
    board.shared_roles = sorted({r.value for r in data.shared_roles})
    await commit_named(session, "dashboard", data.name)
    return board


async def delete_dashboard(session: AsyncSession, actor: Principal, board_id: str) -> None:
    board = await get_dashboard(session, actor, board_id)
    if not can_manage(actor, board):
        raise PermissionDenied("only its owner or a report admin may delete a dashboard")
    await session.delete(board)
    await session.commit()


def widgets_of(board: Dashboard) -> list[Widget]:
    return [Widget.model_validate(w) for w in board.widgets]


@dataclass(frozen=True)
class WidgetView:
    """A widget as the viewer sees it: its report's result, one figure, or why not."""

    widget: Widget
    title: str
    report_id: str
    result: ReportResult | None = None
    value: float | int | None = None
    problem: str = ""


async def open_widgets(
    session: AsyncSession, viewer: Principal, board: Dashboard, today: date, settings: Settings
) -> list[WidgetView]:
    views: list[WidgetView] = []
    for widget in widgets_of(board):
        try:
            report = await get_report(session, viewer, widget.report_id)
        except NotFound:
            views.append(
                WidgetView(
                    widget,
                    "Not available",
                    widget.report_id,
                    problem="this report was deleted or is not shared with you",
                )
            )
            continue
        try:
            views.append(await _open(session, viewer, widget, report, today, settings))
        except DomainError as exc:
            views.append(WidgetView(widget, report.name, report.id, problem=exc.detail))
    return views


async def _open(
    session: AsyncSession,
    viewer: Principal,
    widget: Widget,
    report: SavedReport,
    today: date,
    settings: Settings,
) -> WidgetView:
    if widget.kind != "kpi":
        result = await run_saved(session, viewer, report, today, settings)
        return WidgetView(widget, report.name, report.id, result=result)
    definition = definition_of(report)
    ask = definition.ask(today)
    # A KPI is the metric's total over the report's range and filters, undivided.
    metric = widget.metric or ""
    kpi = ReportAsk(start=ask.start, end=ask.end, metrics=(metric,), filters=ask.filters)
    total = await report_for(session, viewer, kpi, settings)
    value = total.rows[0].get(metric) if total.rows else None
    return WidgetView(widget, report.name, report.id, value=value)

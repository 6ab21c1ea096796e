"""The wallboard's page and JSON routes. The page loads the organisation's snapshot once,
then follows ``wallboard.updated`` on the WebSocket; nothing here queries per viewer
beyond that first read, which is served from the hub's cache when it has one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from omnivox.accounts import reach_of
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, render
from omnivox.reporting.events import narrow_snapshot
from omnivox.reporting.models import WallboardSettings
from omnivox.reporting.wallboard import WallboardHub, check_thresholds, thresholds_of

api = APIRouter(prefix="/api/v1/wallboard", tags=["reports"])
pages = APIRouter(include_in_schema=False)


def hub_of(request: Request) -> WallboardHub:
    hub: WallboardHub = request.app.state.wallboard
    return hub


class ThresholdsWrite(BaseModel):
    thresholds: dict[str, list[float]] = Field(
        description="figure -> [warn, alert]; service_level alerts below, the rest above"
    )


@api.get("")
async def wallboard_snapshot(
    request: Request, db: DB, actor: Principal = Allow(P.WALLBOARD_VIEW)
) -> dict[str, Any]:
    """The organisation's wallboard: queues, agents by state, campaigns, thresholds. A
    supervisor bounded to their teams sees their teams' agents only."""
    snapshot = await hub_of(request).current(actor.organization_id)
    reach = await reach_of(db, actor)
    return snapshot if reach is None else narrow_snapshot(snapshot, reach)


@api.get("/thresholds")
async def read_thresholds(
    db: DB, actor: Principal = Allow(P.WALLBOARD_VIEW)
) -> dict[str, list[float]]:
    return {k: list(v) for k, v in (await thresholds_of(db, actor.organization_id)).items()}


@api.put("/thresholds")
async def write_thresholds(
    data: ThresholdsWrite, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> dict[str, list[float]]:
    """Set the colours' thresholds (the others keep their defaults); screens update."""
    checked = check_thresholds(data.thresholds)
    row = await db.get(WallboardSettings, actor.organization_id)
    if row is None:
        row = WallboardSettings(organization_id=actor.organization_id)
        db.add(row)
    row.thresholds = {k: list(v) for k, v in checked.items() if k in data.thresholds}
    await db.commit()
    await hub_of(request).refresh(actor.organization_id)
    return {k: list(v) for k, v in checked.items()}


@pages.get("/wallboard")
async def wallboard_page(
    request: Request, actor: Principal = Allow(P.WALLBOARD_VIEW)
) -> HTMLResponse:
    return render(
        request, "reports/wallboard.html", actor, tv=request.query_params.get("tv") == "1"
    )

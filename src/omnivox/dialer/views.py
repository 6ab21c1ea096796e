"""The campaign page's live figures (an HTMX partial that refreshes itself): the same
numbers as ``/api/v1/campaigns/{id}/live``, from stored data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.campaigns import get_campaign
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.dialer.figures import campaign_figures
from omnivox.http import DB, Allow, State, render

router = APIRouter()


@router.get("/campaigns/{campaign_id}/figures")
async def figures_partial(
    campaign_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CAMPAIGNS_READ),
) -> HTMLResponse:
    campaign = await get_campaign(db, actor.organization_id, campaign_id)  # tenant check
    figures = await campaign_figures(
        db, campaign, state.clock.now(), state.settings.amd_delay_sample_calls
    )
    return render(request, "campaigns/figures.html", actor, c=campaign, f=figures)

"""The campaign page's live figures (an HTMX partial that refreshes itself): the same
numbers as ``/api/v1/campaigns/{id}/live``, from stored data; and the supervisors' review of
the campaign's machine-classified calls (how AMD's false-positive rate is measured)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.campaigns import get_campaign
from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.dialer import amd
from omnivox.dialer.figures import campaign_figures
from omnivox.dialer.models import MACHINE_CONFIRMED, PERSON_AFTER_MACHINE
from omnivox.http import DB, Allow, State, form_dict, render

router = APIRouter()
REVIEW_WORDS = {PERSON_AFTER_MACHINE: "a person", MACHINE_CONFIRMED: "a machine"}


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
    return render(
        request,
        "campaigns/figures.html",
        actor,
        c=campaign,
        f=figures,
        can_review=actor.can(P.CALLS_SUPERVISE),
    )


async def _review_page(
    request: Request, db: DB, state: State, actor: Principal, campaign_id: str, message: str = ""
) -> HTMLResponse:
    campaign = await get_campaign(db, actor.organization_id, campaign_id)  # tenant check
    calls = await amd.machine_classified_calls(
        db, actor.organization_id, campaign.id, state.settings.amd_review_list_calls
    )
    return render(
        request, "campaigns/amd_review.html", actor, c=campaign, calls=calls, message=message
    )


@router.get("/campaigns/{campaign_id}/amd-review")
async def amd_review_page(
    campaign_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_SUPERVISE),
) -> HTMLResponse:
    return await _review_page(request, db, state, actor, campaign_id)


@router.post("/campaigns/{campaign_id}/amd-review/{call_id}")
async def amd_review_mark(
    campaign_id: str,
    call_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_SUPERVISE),
) -> HTMLResponse:
    campaign = await get_campaign(db, actor.organization_id, campaign_id)  # tenant check
    verdict = str((await form_dict(request)).get("verdict", ""))
    if verdict not in REVIEW_WORDS:
        raise InvalidInput.on("verdict", f"mark {PERSON_AFTER_MACHINE} or {MACHINE_CONFIRMED}")
    await amd.review_call(db, actor, call_id, verdict, state.clock.now(), campaign.id)
    message = f"Marked: {REVIEW_WORDS[verdict]}."
    return await _review_page(request, db, state, actor, campaign_id, message)

"""Campaign pages: the list with a create form, and one campaign's edit page with its
lifecycle buttons and history."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnivox.accounts import list_dispositions, list_teams
from omnivox.campaigns import campaigns as service
from omnivox.campaigns import lists
from omnivox.campaigns.schemas import CampaignCreate, CampaignUpdate
from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, form_dict, parse, render

router = APIRouter()


def _rules_from_text(text: str) -> list[dict[str, Any]]:
    """``NO_ANSWER=120x5`` per line: retry after 120 minutes, at most 5 times."""
    rules = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, _, rest = line.partition("=")
        minutes, _, times = rest.partition("x")
        if not (minutes.strip().isdigit() and times.strip().isdigit()):
            raise InvalidInput.on("retry_rules", f"line {n}: write CODE=MINUTESxTIMES")
        rules.append(
            {"code": code.strip(), "retry_after_minutes": int(minutes), "max_retries": int(times)}
        )
    return rules


def _campaign_form(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if v != "" or k == "script"}
    for key in ("caller_ids",):
        if key in out:
            out[key] = [n.strip() for n in out[key].split(",") if n.strip()]
    if "retry_rules" in out:
        out["retry_rules"] = _rules_from_text(out["retry_rules"])
    if "calling_days" in data:
        out["calling_days"] = [int(d) for d in data["calling_days"]]
    if "abandon_rate_percent" in out:
        out["abandon_rate_cap"] = str(float(out.pop("abandon_rate_percent")) / 100)
    if "amd_false_positive_percent" in out:
        percent = out.pop("amd_false_positive_percent")
        out["amd_false_positive_estimate"] = _fraction(percent, "amd_false_positive_estimate")
    return out


def _fraction(percent: str, field: str) -> str:
    """A percentage typed in a form, as the fraction the API takes (4 decimal places)."""
    try:
        return str(round(Decimal(percent) / 100, 4))
    except (InvalidOperation, ValueError, OverflowError):
        raise InvalidInput.on(field, f"{percent!r} is not a percentage") from None


@router.get("/campaigns")
async def campaigns_page(
    request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> HTMLResponse:
    return render(
        request,
        "campaigns/campaigns.html",
        actor,
        campaigns=await service.list_campaigns(db, actor.organization_id),
        lists=await lists.list_lists(db, actor.organization_id),
        can_write=actor.can(P.CAMPAIGNS_WRITE),
    )


@router.post("/campaigns")
async def create_campaign(
    request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> Response:
    data = _campaign_form(await form_dict(request, lists=("list_ids", "agent_ids", "team_ids")))
    campaign = await service.create_campaign(db, actor, parse(CampaignCreate, data))
    return Response(status_code=204, headers={"HX-Redirect": f"/campaigns/{campaign.id}"})


async def _detail(
    request: Request, db: DB, actor: Principal, campaign_id: str, message: str = ""
) -> HTMLResponse:
    campaign = await service.get_campaign(db, actor.organization_id, campaign_id)
    return render(
        request,
        "campaigns/campaign.html",
        actor,
        c=campaign,
        list_ids=await service.list_ids_of(db, campaign.id),
        lists=await lists.list_lists(db, actor.organization_id),
        agents=await service.list_assignable_agents(db, actor.organization_id),
        teams=await list_teams(db, actor.organization_id),
        history=await service.status_history(db, actor.organization_id, campaign.id),
        dispositions=await list_dispositions(db, actor.organization_id),
        transitions=service.TRANSITIONS[campaign.status],
        can_write=actor.can(P.CAMPAIGNS_WRITE),
        message=message,
    )


@router.get("/campaigns/{campaign_id}")
async def campaign_page(
    campaign_id: str, request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> HTMLResponse:
    return await _detail(request, db, actor, campaign_id)


@router.post("/campaigns/{campaign_id}")
async def save_campaign(
    campaign_id: str, request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> HTMLResponse:
    await service.get_campaign(db, actor.organization_id, campaign_id)  # tenant first
    fields = ("list_ids", "calling_days", "agent_ids", "team_ids")
    data = _campaign_form(await form_dict(request, lists=fields))
    for many in ("list_ids", "agent_ids", "team_ids"):  # nothing selected: none
        data.setdefault(many, [])
    await service.update_campaign(db, actor, campaign_id, parse(CampaignUpdate, data))
    return await _detail(request, db, actor, campaign_id, "Campaign saved.")


async def _move(
    request: Request, db: DB, state: State, actor: Principal, campaign_id: str, to: str
) -> HTMLResponse:
    await service.change_status(db, state.bus, actor, campaign_id, to, state.clock.now())
    return await _detail(request, db, actor, campaign_id, f"Campaign is now {to}.")


@router.post("/campaigns/{campaign_id}/start")
async def start_campaign(
    campaign_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CAMPAIGNS_WRITE),
) -> HTMLResponse:
    return await _move(request, db, state, actor, campaign_id, "active")


@router.post("/campaigns/{campaign_id}/pause")
async def pause_campaign(
    campaign_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CAMPAIGNS_WRITE),
) -> HTMLResponse:
    return await _move(request, db, state, actor, campaign_id, "paused")


@router.post("/campaigns/{campaign_id}/complete")
async def complete_campaign(
    campaign_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CAMPAIGNS_WRITE),
) -> HTMLResponse:
    return await _move(request, db, state, actor, campaign_id, "completed")

"""Campaigns: CRUD, lifecycle transitions with their history."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns import campaigns as service
from omnivox.campaigns.models import Campaign
from omnivox.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    StatusChangeRead,
)
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, JsonCrud, State, add_json_crud, in_org

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


async def read_model(db: AsyncSession, campaign: Campaign) -> CampaignRead:
    out = CampaignRead.model_validate(campaign)
    out.list_ids = await service.list_ids_of(db, campaign.id)
    return out


add_json_crud(
    router,
    JsonCrud[Campaign](
        path="",
        noun="campaign",
        read_model=CampaignRead,
        read=P.CAMPAIGNS_READ,
        write=P.CAMPAIGNS_WRITE,
        list_rows=in_org(service.list_campaigns),
        create=service.create_campaign,
        create_model=CampaignCreate,
        get=in_org(service.get_campaign),
        update=service.update_campaign,
        update_model=CampaignUpdate,
        delete=service.delete_campaign,
        dump=read_model,
    ),
)


async def _move(db: DB, state: State, actor: Principal, campaign_id: str, to: str) -> CampaignRead:
    campaign = await service.change_status(db, state.bus, actor, campaign_id, to, state.clock.now())
    return await read_model(db, campaign)


@router.post("/{campaign_id}/start", response_model=CampaignRead)
async def start_campaign(
    campaign_id: str, db: DB, state: State, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> CampaignRead:
    return await _move(db, state, actor, campaign_id, "active")


@router.post("/{campaign_id}/pause", response_model=CampaignRead)
async def pause_campaign(
    campaign_id: str, db: DB, state: State, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> CampaignRead:
    return await _move(db, state, actor, campaign_id, "paused")


@router.post("/{campaign_id}/complete", response_model=CampaignRead)
async def complete_campaign(
    campaign_id: str, db: DB, state: State, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> CampaignRead:
    return await _move(db, state, actor, campaign_id, "completed")


@router.get("/{campaign_id}/history", response_model=list[StatusChangeRead])
async def campaign_history(
    campaign_id: str, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> list[StatusChangeRead]:
    rows = await service.status_history(db, actor.organization_id, campaign_id)
    return [StatusChangeRead.model_validate(r) for r in rows]

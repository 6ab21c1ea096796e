"""Campaigns: CRUD, lifecycle transitions with their history."""

from __future__ import annotations

from fastapi import APIRouter, Response
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
from omnivox.http import DB, Allow, State

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


async def read_model(db: AsyncSession, campaign: Campaign) -> CampaignRead:
    out = CampaignRead.model_validate(campaign)
    out.list_ids = await service.list_ids_of(db, campaign.id)
    return out


@router.get("", response_model=list[CampaignRead])
async def list_campaigns(db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)) -> list[CampaignRead]:
    return [
        await read_model(db, c) for c in await service.list_campaigns(db, actor.organization_id)
    ]


@router.post("", response_model=CampaignRead, status_code=201)
async def create_campaign(
    data: CampaignCreate, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> CampaignRead:
    return await read_model(db, await service.create_campaign(db, actor, data))


@router.get("/{campaign_id}", response_model=CampaignRead)
async def read_campaign(
    campaign_id: str, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> CampaignRead:
    return await read_model(db, await service.get_campaign(db, actor.organization_id, campaign_id))


@router.patch("/{campaign_id}", response_model=CampaignRead)
async def update_campaign(
    campaign_id: str, data: CampaignUpdate, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> CampaignRead:
    return await read_model(db, await service.update_campaign(db, actor, campaign_id, data))


@router.delete("/{campaign_id}", status_code=204)
async def delete_campaign(
    campaign_id: str, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> Response:
    await service.delete_campaign(db, actor, campaign_id)
    return Response(status_code=204)


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

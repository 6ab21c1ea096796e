"""Organisations: platform admins manage all of them; everyone reads their own."""

from __future__ import annotations

from fastapi import APIRouter, Response

from omnivox.accounts import organizations as orgs
from omnivox.accounts.schemas import OrganizationCreate, OrganizationRead, OrganizationUpdate
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow

router = APIRouter(tags=["organizations"])


@router.get("/organizations", response_model=list[OrganizationRead])
async def list_organizations(
    db: DB, actor: Principal = Allow(P.ORGANIZATIONS_MANAGE)
) -> list[OrganizationRead]:
    return [OrganizationRead.model_validate(o) for o in await orgs.list_organizations(db)]


@router.post("/organizations", response_model=OrganizationRead, status_code=201)
async def create_organization(
    data: OrganizationCreate, db: DB, actor: Principal = Allow(P.ORGANIZATIONS_MANAGE)
) -> OrganizationRead:
    return OrganizationRead.model_validate(await orgs.create_organization(db, actor, data))


@router.get("/organizations/{organization_id}", response_model=OrganizationRead)
async def read_organization(
    organization_id: str, db: DB, actor: Principal = Allow(P.ORGANIZATIONS_MANAGE)
) -> OrganizationRead:
    return OrganizationRead.model_validate(await orgs.get_organization(db, organization_id))


@router.patch("/organizations/{organization_id}", response_model=OrganizationRead)
async def update_organization(
    organization_id: str,
    data: OrganizationUpdate,
    db: DB,
    actor: Principal = Allow(P.ORGANIZATIONS_MANAGE),
) -> OrganizationRead:
    org = await orgs.update_organization(db, actor, organization_id, data)
    return OrganizationRead.model_validate(org)


@router.delete("/organizations/{organization_id}", status_code=204)
async def delete_organization(
    organization_id: str, db: DB, actor: Principal = Allow(P.ORGANIZATIONS_MANAGE)
) -> Response:
    await orgs.delete_organization(db, actor, organization_id)
    return Response(status_code=204)


@router.get("/organization", response_model=OrganizationRead)
async def read_own_organization(
    db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> OrganizationRead:
    return OrganizationRead.model_validate(await orgs.get_organization(db, actor.organization_id))


@router.patch("/organization", response_model=OrganizationRead)
async def update_own_organization(
    data: OrganizationUpdate, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> OrganizationRead:
    # Only platform admins may switch an organisation off.
    data = data.model_copy(update={"is_active": None}) if data.is_active is not None else data
    org = await orgs.update_organization(db, actor, actor.organization_id, data)
    return OrganizationRead.model_validate(org)

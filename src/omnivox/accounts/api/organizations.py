"""Organisations: platform admins manage all of them; everyone reads their own."""

from __future__ import annotations

from fastapi import APIRouter

from omnivox.accounts import organizations as orgs
from omnivox.accounts.api.deps import Guard
from omnivox.accounts.models import Organization
from omnivox.accounts.schemas import OrganizationCreate, OrganizationRead, OrganizationUpdate
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, JsonCrud, add_json_crud

router = APIRouter(tags=["organizations"])


add_json_crud(
    router,
    JsonCrud[Organization](
        path="/organizations",
        noun="organization",
        read_model=OrganizationRead,
        read=P.ORGANIZATIONS_MANAGE,
        write=P.ORGANIZATIONS_MANAGE,
        list_rows=lambda db, _actor: orgs.list_organizations(db),
        create=orgs.create_organization,
        create_model=OrganizationCreate,
        get=lambda db, _actor, organization_id: orgs.get_organization(db, organization_id),
        delete=orgs.delete_organization,
    ),
)


@router.patch("/organizations/{organization_id}", response_model=OrganizationRead)
async def update_organization(
    organization_id: str,
    data: OrganizationUpdate,
    db: DB,
    guard: Guard,
    actor: Principal = Allow(P.ORGANIZATIONS_MANAGE),
) -> OrganizationRead:
    """Written out rather than by ``JsonCrud``: the caller-ID check needs routing's guard."""
    org = await orgs.update_organization(db, actor, organization_id, data, guard=guard)
    return OrganizationRead.model_validate(org)


@router.get("/organization", response_model=OrganizationRead)
async def read_own_organization(
    db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> OrganizationRead:
    return OrganizationRead.model_validate(await orgs.get_organization(db, actor.organization_id))


@router.patch("/organization", response_model=OrganizationRead)
async def update_own_organization(
    data: OrganizationUpdate,
    db: DB,
    guard: Guard,
    actor: Principal = Allow(P.ORG_SETTINGS_WRITE),
) -> OrganizationRead:
    # Only platform admins may switch an organisation off.
    data = data.model_copy(update={"is_active": None}) if data.is_active is not None else data
    org = await orgs.update_organization(db, actor, actor.organization_id, data, guard=guard)
    return OrganizationRead.model_validate(org)

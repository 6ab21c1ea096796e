"""Contact lists and contacts: CRUD, search with filters and pages, each contact's history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from omnivox.campaigns import lists as service
from omnivox.campaigns.schemas import (
    AttemptRead,
    ContactCreate,
    ContactDetail,
    ContactPage,
    ContactRead,
    ListCreate,
    ListRead,
    ListUpdate,
)
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State

router = APIRouter(tags=["contacts"])


@router.get("/lists", response_model=list[ListRead])
async def list_lists(db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)) -> list[ListRead]:
    rows = await service.list_lists(db, actor.organization_id)
    return [ListRead.model_validate(row).model_copy(update={"contacts": n}) for row, n in rows]


@router.post("/lists", response_model=ListRead, status_code=201)
async def create_list(
    data: ListCreate, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> ListRead:
    return ListRead.model_validate(await service.create_list(db, actor, data))


@router.get("/lists/{list_id}", response_model=ListRead)
async def read_list(list_id: str, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)) -> ListRead:
    row = await service.get_list(db, actor.organization_id, list_id)
    out = ListRead.model_validate(row)
    out.contacts = await service.count_contacts(db, row.id)
    return out


@router.patch("/lists/{list_id}", response_model=ListRead)
async def update_list(
    list_id: str, data: ListUpdate, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> ListRead:
    return ListRead.model_validate(await service.update_list(db, actor, list_id, data))


@router.delete("/lists/{list_id}", status_code=204)
async def delete_list(
    list_id: str, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> Response:
    await service.delete_list(db, actor, list_id)
    return Response(status_code=204)


@router.post("/lists/{list_id}/contacts", response_model=ContactRead, status_code=201)
async def add_contact(
    list_id: str,
    data: ContactCreate,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CAMPAIGNS_WRITE),
) -> ContactRead:
    contact = await service.add_contact(db, actor, list_id, data, state.clock.now())
    return ContactRead.model_validate(contact)


@router.get("/contacts", response_model=ContactPage)
async def search_contacts(
    db: DB,
    actor: Principal = Allow(P.CAMPAIGNS_READ),
    list_id: Annotated[str | None, Query(max_length=32)] = None,
    search: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str | None, Query(max_length=16)] = None,
    disposition: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ContactPage:
    query = service.ContactQuery(list_id, search, status, disposition, page, per_page)
    rows, total = await service.search_contacts(db, actor.organization_id, query)
    return ContactPage(
        items=[ContactRead.model_validate(r) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/contacts/{contact_id}", response_model=ContactDetail)
async def read_contact(
    contact_id: str, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> ContactDetail:
    contact = await service.get_contact(db, actor.organization_id, contact_id)
    history = await service.contact_history(db, actor.organization_id, contact_id)
    out = ContactDetail.model_validate(contact)
    out.attempts_history = [AttemptRead.model_validate(a) for a in history]
    return out

"""Lists (with CSV upload and a live progress bar), contacts (search, filters, history) and
the do-not-call page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from omnivox.campaigns import dnc, import_recovery, imports, lists
from omnivox.campaigns.api.imports import begin_upload, mark_abandoned, resume_import
from omnivox.campaigns.schemas import DncCreate, ListCreate
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, form_dict, parse, render

router = APIRouter()
STATUSES = ("new", "retry", "callback", "dialing", "done", "exhausted", "dnc")


@router.get("/lists")
async def lists_page(
    request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> HTMLResponse:
    return render(
        request,
        "campaigns/lists.html",
        actor,
        lists=await lists.list_lists(db, actor.organization_id),
        can_write=actor.can(P.CAMPAIGNS_WRITE),
    )


@router.post("/lists")
async def create_list(
    request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_WRITE)
) -> Response:
    row = await lists.create_list(db, actor, parse(ListCreate, await form_dict(request)))
    return Response(status_code=204, headers={"HX-Redirect": f"/lists/{row.id}"})


@router.get("/lists/{list_id}")
async def list_page(
    list_id: str, request: Request, db: DB, state: State, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> HTMLResponse:
    row = await lists.get_list(db, actor.organization_id, list_id)
    await mark_abandoned(db, state)
    return render(
        request,
        "campaigns/list.html",
        actor,
        lst=row,
        contacts=await lists.count_contacts(db, row.id),
        imports=await imports.list_imports(db, actor.organization_id, row.id),
        can_import=actor.can(P.CONTACTS_IMPORT),
    )


@router.post("/lists/{list_id}/import")
async def upload_page(
    list_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CONTACTS_IMPORT),
) -> HTMLResponse:
    row = await begin_upload(request, db, state, actor, list_id)
    return render(request, "campaigns/import_progress.html", actor, imp=row, percent=0)


@router.get("/imports/{import_id}/progress")
async def import_progress(
    import_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CONTACTS_IMPORT),
) -> HTMLResponse:
    await mark_abandoned(db, state)
    row = await imports.get_import(db, actor.organization_id, import_id)
    return render(
        request, "campaigns/import_progress.html", actor, imp=row, percent=imports.percent(row)
    )


@router.post("/imports/{import_id}/resume")
async def resume_page(
    import_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CONTACTS_IMPORT),
) -> HTMLResponse:
    row = await resume_import(db, state, actor, import_id)
    return render(
        request, "campaigns/import_progress.html", actor, imp=row, percent=imports.percent(row)
    )


@router.post("/imports/{import_id}/discard")
async def discard_page(
    import_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CONTACTS_IMPORT),
) -> HTMLResponse:
    await mark_abandoned(db, state)
    row = await import_recovery.discard(db, actor, import_id, state.clock.now())
    return render(
        request, "campaigns/import_progress.html", actor, imp=row, percent=imports.percent(row)
    )


@router.get("/contacts")
async def contacts_page(
    request: Request,
    db: DB,
    actor: Principal = Allow(P.CAMPAIGNS_READ),
    list_id: Annotated[str, Query(max_length=32)] = "",
    search: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    query = lists.ContactQuery(list_id or None, search, status or None, None, page, 50)
    rows, total = await lists.search_contacts(db, actor.organization_id, query)
    return render(
        request,
        "campaigns/contacts.html",
        actor,
        contacts=rows,
        total=total,
        q=query,
        lists=await lists.list_lists(db, actor.organization_id),
        statuses=STATUSES,
    )


@router.get("/contacts/{contact_id}")
async def contact_page(
    contact_id: str, request: Request, db: DB, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> HTMLResponse:
    contact = await lists.get_contact(db, actor.organization_id, contact_id)
    return render(
        request,
        "campaigns/contact.html",
        actor,
        c=contact,
        history=await lists.contact_history(db, actor.organization_id, contact_id),
    )


async def _dnc_table(request: Request, db: DB, actor: Principal, message: str = "") -> HTMLResponse:
    rows = await dnc.list_entries(db, actor.organization_id, limit=200)
    return render(request, "campaigns/dnc_table.html", actor, entries=rows, message=message)


@router.get("/dnc")
async def dnc_page(request: Request, db: DB, actor: Principal = Allow(P.DNC_READ)) -> HTMLResponse:
    rows = await dnc.list_entries(db, actor.organization_id, limit=200)
    return render(
        request,
        "campaigns/dnc.html",
        actor,
        entries=rows,
        message="",
        can_write=actor.can(P.DNC_WRITE),
    )


@router.post("/dnc")
async def add_dnc(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.DNC_WRITE)
) -> HTMLResponse:
    data = await form_dict(request)
    entry = await dnc.add_number(db, actor, parse(DncCreate, data), state.clock.now())
    return await _dnc_table(request, db, actor, f"Added {entry.phone}.")


@router.post("/dnc/{dnc_id}/delete")
async def delete_dnc(
    dnc_id: str, request: Request, db: DB, actor: Principal = Allow(P.DNC_WRITE)
) -> HTMLResponse:
    await dnc.remove_entry(db, actor, dnc_id)
    return await _dnc_table(request, db, actor, "Number removed.")

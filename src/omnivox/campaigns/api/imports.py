"""CSV imports: upload (multipart), status, and the rejected-rows report."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import find_organization
from omnivox.campaigns import import_recovery, lists
from omnivox.campaigns import imports as service
from omnivox.campaigns.api.uploads import (
    check_free_space,
    multipart_body,
    start_in_background,
    store_upload,
    upload_form,
)
from omnivox.campaigns.import_limits import ImportLimits, byte_limit
from omnivox.campaigns.imports import parse_mapping, parse_region
from omnivox.campaigns.models import ContactImport
from omnivox.campaigns.schemas import ImportRead
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, AppState, State

router = APIRouter(tags=["imports"])


def stale_after(state: AppState) -> timedelta:
    return timedelta(seconds=state.settings.import_stale_seconds)


async def mark_abandoned(db: AsyncSession, state: AppState) -> None:
    """Any node reading imports notices one whose worker has gone silent."""
    await import_recovery.mark_abandoned(db, state.clock.now(), stale_after(state))


async def resume_import(
    db: AsyncSession, state: AppState, actor: Principal, import_id: str
) -> ContactImport:
    """Shared by the API and the page: put the import back in line and start its worker."""
    await mark_abandoned(db, state)
    row = await import_recovery.resume(db, actor, import_id, state.clock.now())
    org = await find_organization(db, actor.organization_id)
    start_in_background(state, row, ImportLimits.of(state.settings, org))
    return row


def import_read(row: ContactImport) -> ImportRead:
    return ImportRead.model_validate(row).model_copy(update={"percent": service.percent(row)})


async def begin_upload(
    request: Request, db: DB, state: State, actor: Principal, list_id: str
) -> ContactImport:
    """Shared by the API and the page: check the list, store the file, start the import."""
    await lists.get_list(db, actor.organization_id, list_id)  # other tenants' lists: 404 first
    settings = state.settings
    org = await find_organization(db, actor.organization_id)
    limit = byte_limit(settings, org)
    await asyncio.to_thread(check_free_space, settings, request, limit.value)
    upload, fields = await upload_form(request, limit.value, limit.name)
    options = service.ImportOptions(
        region=parse_region(fields.get("region", "")),
        mapping=parse_mapping(fields.get("mapping", "")),
        campaign_id=fields.get("campaign_id") or None,
        delete_file=True,
    )
    path = await store_upload(state, upload)
    try:
        row = await service.prepare_import(
            db,
            actor,
            list_id,
            path,
            upload.filename or "upload.csv",
            options,
            state.clock.now(),
            stale_after=stale_after(state),
        )
    except BaseException:
        await asyncio.to_thread(Path(path).unlink, missing_ok=True)
        raise
    start_in_background(state, row, ImportLimits.of(settings, org))
    return row


@router.post(
    "/lists/{list_id}/imports",
    response_model=ImportRead,
    status_code=202,
    openapi_extra=multipart_body(
        region="two-letter default region for national numbers, e.g. US",
        mapping="column mapping, e.g. phone=Mobile,first_name=Given",
        campaign_id="import for this campaign (attaches the list to it)",
    ),
)
async def upload_import(
    list_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CONTACTS_IMPORT),
) -> ImportRead:
    """Multipart: ``file`` (CSV), optional ``region`` (e.g. US), ``mapping``
    (``phone=Mobile,first_name=Given``) and ``campaign_id``. Answers at once; poll the
    import or listen for ``import.progress`` events."""
    return import_read(await begin_upload(request, db, state, actor, list_id))


@router.get("/lists/{list_id}/imports", response_model=list[ImportRead])
async def list_imports(
    list_id: str, db: DB, state: State, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> list[ImportRead]:
    await lists.get_list(db, actor.organization_id, list_id)
    await mark_abandoned(db, state)
    return [import_read(r) for r in await service.list_imports(db, actor.organization_id, list_id)]


@router.get("/imports/{import_id}", response_model=ImportRead)
async def read_import(
    import_id: str, db: DB, state: State, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> ImportRead:
    await mark_abandoned(db, state)
    return import_read(await service.get_import(db, actor.organization_id, import_id))


@router.post("/imports/{import_id}/resume", response_model=ImportRead, status_code=202)
async def resume(
    import_id: str, db: DB, state: State, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> ImportRead:
    """Continue an interrupted import from its last committed batch (the uploaded file is
    kept until the import ends). Answers at once; poll the import as after an upload."""
    return import_read(await resume_import(db, state, actor, import_id))


@router.post("/imports/{import_id}/discard", response_model=ImportRead)
async def discard(
    import_id: str, db: DB, state: State, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> ImportRead:
    """Throw an interrupted import away: its staged contacts, its report and its file."""
    await mark_abandoned(db, state)
    return import_read(await import_recovery.discard(db, actor, import_id, state.clock.now()))


@router.get("/imports/{import_id}/rejections.csv")
async def download_rejections(
    import_id: str, db: DB, state: State, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> StreamingResponse:
    row = await service.get_import(db, actor.organization_id, import_id)
    return StreamingResponse(
        service.rejections_csv(db, row, state.settings.max_import_rejections),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejected-{row.id}.csv"'},
    )

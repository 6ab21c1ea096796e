"""CSV imports: upload (multipart), status, and the rejected-rows report."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from omnivox.campaigns import imports as service
from omnivox.campaigns import lists
from omnivox.campaigns.api.uploads import (
    check_free_space,
    start_in_background,
    store_upload,
    upload_form,
)
from omnivox.campaigns.imports import parse_mapping, parse_region
from omnivox.campaigns.models import ContactImport
from omnivox.campaigns.schemas import ImportRead
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State

router = APIRouter(tags=["imports"])


def import_read(row: ContactImport) -> ImportRead:
    return ImportRead.model_validate(row).model_copy(update={"percent": service.percent(row)})


async def begin_upload(
    request: Request, db: DB, state: State, actor: Principal, list_id: str
) -> ContactImport:
    """Shared by the API and the page: check the list, store the file, start the import."""
    await lists.get_list(db, actor.organization_id, list_id)  # other tenants' lists: 404 first
    settings = state.settings
    await asyncio.to_thread(check_free_space, settings, request)
    upload, fields = await upload_form(
        request, settings.max_import_bytes, "OMNIVOX_MAX_IMPORT_BYTES"
    )
    options = service.ImportOptions(
        region=parse_region(fields.get("region", "")),
        mapping=parse_mapping(fields.get("mapping", "")),
        campaign_id=fields.get("campaign_id") or None,
        delete_file=True,
    )
    path = await store_upload(state, upload)
    try:
        row = await service.prepare_import(
            db, actor, list_id, path, upload.filename or "upload.csv", options, state.clock.now()
        )
    except BaseException:
        await asyncio.to_thread(Path(path).unlink, missing_ok=True)
        raise
    start_in_background(state, row)
    return row


@router.post("/lists/{list_id}/imports", response_model=ImportRead, status_code=202)
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
    list_id: str, db: DB, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> list[ImportRead]:
    await lists.get_list(db, actor.organization_id, list_id)
    return [import_read(r) for r in await service.list_imports(db, actor.organization_id, list_id)]


@router.get("/imports/{import_id}", response_model=ImportRead)
async def read_import(
    import_id: str, db: DB, actor: Principal = Allow(P.CONTACTS_IMPORT)
) -> ImportRead:
    return import_read(await service.get_import(db, actor.organization_id, import_id))


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

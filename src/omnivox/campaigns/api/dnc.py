"""Do-not-call lists (add, remove, import, export) and scheduled callbacks."""

from __future__ import annotations

import asyncio
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from omnivox.campaigns import callbacks
from omnivox.campaigns import dnc as service
from omnivox.campaigns.api.uploads import multipart_body, too_large, upload_form
from omnivox.campaigns.imports import ENCODING, parse_region
from omnivox.campaigns.schemas import (
    CallbackCreate,
    CallbackRead,
    DncCreate,
    DncImportResult,
    DncRead,
)
from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State

router = APIRouter(tags=["dnc"])


@router.get("/dnc", response_model=list[DncRead])
async def list_dnc(
    db: DB,
    actor: Principal = Allow(P.DNC_READ),
    campaign_id: Annotated[str | None, Query(max_length=32)] = None,
    search: Annotated[str, Query(max_length=30)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[DncRead]:
    rows = await service.list_entries(
        db,
        actor.organization_id,
        campaign_id=campaign_id,
        search=search,
        limit=limit,
        offset=offset,
    )
    return [DncRead.model_validate(r) for r in rows]


@router.post("/dnc", response_model=DncRead, status_code=201)
async def add_dnc(
    data: DncCreate, db: DB, state: State, actor: Principal = Allow(P.DNC_WRITE)
) -> DncRead:
    return DncRead.model_validate(await service.add_number(db, actor, data, state.clock.now()))


@router.delete("/dnc/{dnc_id}", status_code=204)
async def remove_dnc(dnc_id: str, db: DB, actor: Principal = Allow(P.DNC_WRITE)) -> Response:
    await service.remove_entry(db, actor, dnc_id)
    return Response(status_code=204)


@router.post(
    "/dnc/import",
    response_model=DncImportResult,
    openapi_extra=multipart_body(
        region="two-letter default region for national numbers, e.g. US",
        campaign_id="the campaign's list rather than the organisation's",
    ),
)
async def import_dnc(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.DNC_WRITE)
) -> DncImportResult:
    """Multipart: ``file`` (CSV with a phone column), optional ``region``, ``campaign_id``."""
    limit, setting = state.settings.max_dnc_import_bytes, "OMNIVOX_MAX_DNC_IMPORT_BYTES"
    upload, fields = await upload_form(request, limit, setting)
    data = await upload.read(limit + 1)  # read whole: it is parsed in memory
    if len(data) > limit:
        raise too_large(limit, setting)
    try:
        text = await asyncio.to_thread(data.decode, ENCODING)
    except UnicodeDecodeError:
        raise InvalidInput.on("file", "the file is not UTF-8 text; save it as CSV UTF-8") from None
    return await service.import_numbers(
        db,
        actor,
        io.StringIO(text, newline=""),
        state.clock.now(),
        campaign_id=fields.get("campaign_id") or None,
        region=parse_region(fields.get("region", "")),
    )


@router.get(
    "/dnc/export.csv",
    response_class=StreamingResponse,
    responses={200: {"description": "The list as CSV.", "content": {"text/csv": {}}}},
)
async def export_dnc(db: DB, actor: Principal = Allow(P.DNC_READ)) -> StreamingResponse:
    return StreamingResponse(
        service.export_csv(db, actor.organization_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="do-not-call.csv"'},
    )


@router.post("/callbacks", response_model=CallbackRead, status_code=201)
async def schedule_callback(
    data: CallbackCreate, db: DB, state: State, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallbackRead:
    row = await callbacks.schedule_callback(db, actor, data, state.clock.now())
    return CallbackRead.model_validate(row)


@router.get("/callbacks", response_model=list[CallbackRead])
async def list_callbacks(
    db: DB,
    actor: Principal = Allow(P.CAMPAIGNS_READ),
    campaign_id: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> list[CallbackRead]:
    rows = await callbacks.list_callbacks(
        db, actor.organization_id, campaign_id=campaign_id, status=status
    )
    return [CallbackRead.model_validate(r) for r in rows]


@router.post("/callbacks/{callback_id}/cancel", status_code=204)
async def cancel_callback(
    callback_id: str, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> Response:
    await callbacks.cancel_callback(db, actor, callback_id)
    return Response(status_code=204)

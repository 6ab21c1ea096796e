"""The audio library page: upload (HTMX), list with a preview player, rename, delete, and
the choice of file per purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, form_dict, parse, render
from omnivox.media import library
from omnivox.media.audio_check import LIMITS, MAX_BYTES
from omnivox.media.audio_types import AudioKind
from omnivox.media.schemas import AudioRename
from omnivox.media.uploads import parse_kind, receive

router = APIRouter(include_in_schema=False)


async def _context(db: DB, actor: Principal, message: str = "") -> dict[str, Any]:
    files = await library.list_audio(db, actor.organization_id)
    chosen = await library.audio_settings(db, actor.organization_id)
    used: dict[str, list[str]] = {}
    for kind, file in chosen.items():
        if file is not None:
            used.setdefault(file.id, []).append(library.KIND_LABELS[kind])
    return {
        "files": files,
        "chosen": chosen,
        "used": used,
        "kinds": list(AudioKind),
        "labels": library.KIND_LABELS,
        "limits": LIMITS,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "can_write": actor.can(P.ORG_SETTINGS_WRITE),
        "message": message,
    }


async def _library(request: Request, db: DB, actor: Principal, message: str) -> HTMLResponse:
    return render(request, "media/library.html", actor, **await _context(db, actor, message))


@router.get("/admin/audio")
async def audio_page(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> HTMLResponse:
    return render(request, "media/audio.html", actor, **await _context(db, actor))


@router.post("/admin/audio")
async def upload(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    row = await receive(request, db, state, actor)
    return await _library(
        request, db, actor, f"Uploaded {row.name} ({row.duration_seconds:.1f} s {row.format})."
    )


@router.post("/admin/audio/settings")
async def choose(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    data = await form_dict(request)
    kind = parse_kind(str(data.get("kind", "")))
    file_id = str(data.get("file_id", "")) or None
    await library.choose_audio(db, actor, kind, file_id, state.clock.now())
    return await _library(request, db, actor, f"Saved the {library.KIND_LABELS[kind]}.")


@router.post("/admin/audio/{file_id}/rename")
async def rename(
    file_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    data = parse(AudioRename, await form_dict(request))
    row = await library.rename_audio(db, actor, file_id, data.name)
    return await _library(request, db, actor, f"Renamed to {row.name}.")


@router.post("/admin/audio/{file_id}/delete")
async def delete(
    file_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.ORG_SETTINGS_WRITE),
) -> HTMLResponse:
    row = await library.get_audio(db, actor.organization_id, file_id)
    await library.delete_audio(db, actor, file_id, data_dir=Path(state.settings.data_dir))
    return await _library(request, db, actor, f"Deleted {row.name}.")

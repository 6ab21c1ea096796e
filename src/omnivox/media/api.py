"""JSON routes of the audio library, under /api/v1, and the signed link the provider uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, PUBLIC, Allow, AppState, State
from omnivox.media import library, signing, storage
from omnivox.media.errors import AudioFileMissing
from omnivox.media.models import AudioFile
from omnivox.media.schemas import AudioFileRead, AudioRename, AudioSettingRead, AudioSettingWrite
from omnivox.media.uploads import parse_kind, receive

router = APIRouter(prefix="/api/v1", tags=["audio"])
media_router = APIRouter(include_in_schema=False)


async def file_read(db: DB, row: AudioFile) -> AudioFileRead:
    used = await library.usages(db, row.organization_id, row.id)
    return AudioFileRead.model_validate(row).model_copy(update={"used_for": used})


async def serve(state: AppState, row: AudioFile) -> FileResponse:
    path = storage.absolute(Path(state.settings.data_dir), row.stored_path)
    if not path.is_file():
        raise AudioFileMissing(f"{row.name!r} is not in storage ({row.stored_path})")
    return FileResponse(path, media_type=row.content_type)


@router.get("/audio", response_model=list[AudioFileRead])
async def list_audio(
    db: DB,
    actor: Principal = Allow(P.ORG_SETTINGS_READ),
    kind: Annotated[str, Query(max_length=24)] = "",
) -> list[AudioFileRead]:
    rows = await library.list_audio(db, actor.organization_id, parse_kind(kind) if kind else None)
    return [await file_read(db, r) for r in rows]


@router.post("/audio", response_model=AudioFileRead, status_code=201)
async def upload_audio(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> AudioFileRead:
    """Multipart: ``file`` (.wav or .mp3), ``kind`` (greeting, hold_music,
    voicemail_greeting, closed_message, safe_harbour) and an optional ``name``. Refused
    uploads answer 413/415/422 with a code such as ``audio-corrupt`` and store nothing."""
    return await file_read(db, await receive(request, db, state, actor))


@router.get("/audio/{file_id}", response_model=AudioFileRead)
async def read_audio(
    file_id: str, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> AudioFileRead:
    return await file_read(db, await library.get_audio(db, actor.organization_id, file_id))


@router.patch("/audio/{file_id}", response_model=AudioFileRead)
async def rename_audio(
    file_id: str, data: AudioRename, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> AudioFileRead:
    return await file_read(db, await library.rename_audio(db, actor, file_id, data.name))


@router.delete("/audio/{file_id}", status_code=204)
async def delete_audio(
    file_id: str, db: DB, state: State, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> Response:
    await library.delete_audio(db, actor, file_id, data_dir=Path(state.settings.data_dir))
    return Response(status_code=204)


@router.get("/audio/{file_id}/content")
async def audio_content(
    file_id: str, db: DB, state: State, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> FileResponse:
    """The file itself, for previewing in the browser."""
    return await serve(state, await library.get_audio(db, actor.organization_id, file_id))


@router.get("/audio-settings", response_model=list[AudioSettingRead])
async def read_audio_settings(
    db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> list[AudioSettingRead]:
    chosen = await library.audio_settings(db, actor.organization_id)
    return [
        AudioSettingRead(kind=k, file_id=f.id if f else None, file_name=f.name if f else None)
        for k, f in chosen.items()
    ]


@router.put("/audio-settings", response_model=AudioSettingRead)
async def choose_audio(
    data: AudioSettingWrite, db: DB, state: State, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> AudioSettingRead:
    file = await library.choose_audio(db, actor, data.kind, data.file_id, state.clock.now())
    return AudioSettingRead(
        kind=data.kind, file_id=file.id if file else None, file_name=file.name if file else None
    )


@media_router.get("/media/audio/{file_id}", dependencies=[PUBLIC])
async def signed_audio(
    file_id: str,
    db: DB,
    state: State,
    exp: Annotated[int, Query()] = 0,
    sig: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """Public by necessity (the provider fetches it); the signature is the authentication:
    a forged, altered or expired link answers 403 and reveals nothing."""
    secret = state.settings.secret_key.get_secret_value()
    if not signing.check_signature(secret, file_id, exp, sig, state.clock.now()):
        return Response("invalid or expired link", status_code=403, media_type="text/plain")
    row = await db.get(AudioFile, file_id)
    if row is None:
        return Response("no such audio file", status_code=404, media_type="text/plain")
    return await serve(state, row)

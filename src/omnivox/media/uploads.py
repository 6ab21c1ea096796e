"""Reading an audio upload (multipart: ``file``, ``kind``, optional ``name``), shared by
the JSON API and the admin page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from omnivox.core.errors import InvalidInput
from omnivox.core.security.principal import Principal
from omnivox.http import AppState
from omnivox.media import library
from omnivox.media.audio_check import MAX_BYTES
from omnivox.media.audio_types import AudioKind
from omnivox.media.models import AudioFile


@dataclass(frozen=True)
class Upload:
    data: bytes  # at most one byte past the limit
    filename: str
    kind: AudioKind
    name: str
    size: int  # the whole file's, which may be more than ``data`` holds


def parse_kind(text: str) -> AudioKind:
    try:
        return AudioKind(text)
    except ValueError:
        allowed = ", ".join(k.value for k in AudioKind)
        raise InvalidInput.on("kind", f"{text!r} is not one of {allowed}") from None


async def read_upload(request: Request) -> Upload:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput.on("file", "choose a WAV or MP3 file to upload")
    kind = parse_kind(str(form.get("kind", "")))
    # One byte past the limit is enough for the validator to say "too large" without
    # holding an arbitrarily big body in memory.
    data = await upload.read(MAX_BYTES + 1)
    size = len(data)
    if size > MAX_BYTES:  # count the rest (already spooled by the server) to say its size
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
    return Upload(data, upload.filename or "", kind, str(form.get("name", "")), size)


async def receive(
    request: Request, session: AsyncSession, state: AppState, actor: Principal
) -> AudioFile:
    upload = await read_upload(request)
    return await library.upload_audio(
        session,
        actor,
        data=upload.data,
        filename=upload.filename,
        kind=upload.kind,
        name=upload.name,
        size=upload.size,
        data_dir=Path(state.settings.data_dir),
        now=state.clock.now(),
    )

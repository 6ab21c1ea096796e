"""Receiving an uploaded CSV: bounded while it streams, copied to the data directory in
chunks, never held in memory, and the import run in the background."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import Message

from omnivox.campaigns import imports
from omnivox.campaigns.errors import ImportNoSpace, ImportRefused, ImportTooLarge
from omnivox.campaigns.import_limits import ImportLimits
from omnivox.campaigns.models import ContactImport
from omnivox.core.config import Settings
from omnivox.core.db import new_id
from omnivox.http import AppState

_TASKS: set[asyncio.Task[Any]] = set()


def multipart_body(**fields: str) -> dict[str, Any]:
    """The OpenAPI request body of an upload route (parsed by hand, to bound it while it
    streams, so FastAPI cannot infer it): a CSV ``file`` and the named text fields."""
    properties: dict[str, Any] = {"file": {"type": "string", "format": "binary"}}
    properties |= {name: {"type": "string", "description": what} for name, what in fields.items()}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    }


# keep a reference so a running import is not collected
# Room in a multipart body for the boundaries and the small form fields beside the file.
FORM_OVERHEAD = 64 * 1024


def too_large(limit: int, setting: str) -> ImportTooLarge:
    return ImportTooLarge(
        f"the file is larger than {limit:,} bytes, the most one upload may be ({setting}); "
        "split it into smaller files"
    )


def bounded_request(request: Request, limit: int, setting: str) -> Request:
    """The request with a body that refuses to read past ``limit`` (plus the form's own
    overhead): a declared Content-Length is refused before a byte is read, an undeclared
    one as soon as the stream passes the limit, so a 90 MB body is never read to its end."""
    allowed = limit + FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > allowed:
        raise too_large(limit, setting)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > allowed:
                raise too_large(limit, setting)
        return message

    return Request(request.scope, receive)


async def upload_form(
    request: Request, limit: int, setting: str
) -> tuple[UploadFile, dict[str, str]]:
    form = await bounded_request(request, limit, setting).form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ImportRefused.on("file", "choose a CSV file to upload")
    if upload.size is not None and upload.size > limit:
        raise too_large(limit, setting)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return upload, fields


def check_free_space(settings: Settings, request: Request, limit: int) -> None:
    """Refuse before reading an upload that would leave the data directory short of
    ``OMNIVOX_IMPORT_MIN_FREE_DISK_BYTES`` (its size counted at the declared length, or at
    the byte ``limit`` when none is declared)."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    declared = request.headers.get("content-length", "")
    size = min(int(declared), limit) if declared.isdigit() else 0
    size = size or limit
    free = shutil.disk_usage(data_dir).free
    if free - size < settings.import_min_free_disk_bytes:
        raise ImportNoSpace(
            f"the data directory has {free:,} bytes free; an upload of up to {size:,} bytes "
            f"must leave {settings.import_min_free_disk_bytes:,} free "
            "(OMNIVOX_IMPORT_MIN_FREE_DISK_BYTES); free some space or ask an administrator"
        )


def _copy(upload: UploadFile, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    with dest.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1024 * 1024)


async def store_upload(state: AppState, upload: UploadFile) -> Path:
    dest = Path(state.settings.data_dir) / "imports" / f"{new_id()}.csv"
    await asyncio.to_thread(_copy, upload, dest)
    return dest


def start_in_background(state: AppState, row: ContactImport, limits: ImportLimits) -> None:
    task = asyncio.create_task(
        imports.run_import(state.sessions, state.bus, state.clock, row.id, limits=limits)
    )
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)

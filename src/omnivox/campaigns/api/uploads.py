"""Receiving an uploaded CSV: copied to the data directory in chunks, never held in memory,
and the import run in the background."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from omnivox.campaigns import imports
from omnivox.campaigns.errors import ImportRefused
from omnivox.campaigns.models import ContactImport
from omnivox.core.db import new_id
from omnivox.http import AppState

_TASKS: set[asyncio.Task[Any]] = set()  # keep a reference so a running import is not collected


async def upload_form(request: Request) -> tuple[UploadFile, dict[str, str]]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ImportRefused.on("file", "choose a CSV file to upload")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return upload, fields


def _copy(upload: UploadFile, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    with dest.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1024 * 1024)


async def store_upload(state: AppState, upload: UploadFile) -> Path:
    dest = Path(state.settings.data_dir) / "imports" / f"{new_id()}.csv"
    await asyncio.to_thread(_copy, upload, dest)
    return dest


def start_in_background(state: AppState, row: ContactImport) -> None:
    task = asyncio.create_task(imports.run_import(state.sessions, state.bus, state.clock, row.id))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)

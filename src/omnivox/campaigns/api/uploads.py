"""Receiving an uploaded CSV: copied to the data directory in chunks, never held in memory,
and the import run in the background."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from omnivox.campaigns import imports
from omnivox.campaigns.errors import ImportRefused
from omnivox.campaigns.models import ContactImport
from omnivox.core.db import new_id
from omnivox.core.errors import InvalidInput
from omnivox.http import AppState

_REGION = re.compile(r"^[A-Z]{2}$")
_TASKS: set[asyncio.Task[Any]] = set()  # keep a reference so a running import is not collected


async def upload_form(request: Request) -> tuple[UploadFile, dict[str, str]]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ImportRefused.on("file", "choose a CSV file to upload")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return upload, fields


def parse_region(text: str) -> str | None:
    region = text.strip().upper()
    if region and not _REGION.match(region):
        raise InvalidInput.on("region", "use a two-letter country code such as US or GB")
    return region or None


def parse_mapping(text: str) -> dict[str, str]:
    """``phone=Mobile,first_name=Given`` into a dict."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        target, sep, source = part.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise InvalidInput.on("mapping", f"{part.strip()!r} is not field=Column")
        mapping[target.strip()] = source.strip()
    return mapping


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

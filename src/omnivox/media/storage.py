"""Audio files on local disk, under ``<data dir>/audio/<organisation id>/``.

Blocking file work runs on a worker thread. A new file is written beside its final name
and only renamed into place once validated and its row inserted, so a failure leaves
neither a stray file nor a row without one.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

AUDIO_DIR = "audio"


def relative_path(org_id: str, file_id: str, extension: str) -> str:
    return f"{AUDIO_DIR}/{org_id}/{file_id}.{extension}"


def absolute(data_dir: Path, relative: str) -> Path:
    return Path(data_dir) / relative


def temp_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.part")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


async def write_temp(final: Path, data: bytes) -> Path:
    temp = temp_path(final)
    await asyncio.to_thread(_write, temp, data)
    return temp


async def move_into_place(temp: Path, final: Path) -> None:
    await asyncio.to_thread(os.replace, temp, final)  # atomic on one file system


async def remove(*paths: Path) -> None:
    for path in paths:
        await asyncio.to_thread(path.unlink, missing_ok=True)


async def read(path: Path) -> bytes | None:
    try:
        return await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        return None

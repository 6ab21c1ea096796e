"""Imports whose worker stopped (a crash, a node gone, a server stopping): found by a stale
heartbeat at start-up or by any node that reads them, marked ``interrupted``, then resumed
from the last committed batch or discarded.

Resuming is possible because every batch commits its staged contacts, its problem rows and
the counters together: ``rows_total`` is exactly the number of records already handled, so
the worker re-reads the file and skips that many (``imports._stream``); the numbers already
staged are in the list's known numbers, so nothing is imported twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns.errors import ImportBusy, ImportRefused
from omnivox.campaigns.models import Contact, ContactImport, ImportRejection
from omnivox.core.errors import NotFound
from omnivox.core.logging import get_logger
from omnivox.core.security.principal import Principal

log = get_logger(__name__)
INTERRUPTED = "interrupted"
ACTIVE = ("pending", "running")


def interrupted_message(row: ContactImport) -> str:
    return (
        f"the import stopped after {row.rows_total:,} rows (its process ended); "
        "resume it to continue from there, or discard it"
    )


class ImportTakenOver(Exception):
    """The worker's import was marked interrupted (it looked dead) and maybe resumed by
    another worker: this one stops, touching nothing."""


async def mark_abandoned(session: AsyncSession, now: datetime, stale_after: timedelta) -> int:
    """Mark interrupted every pending or running import silent for ``stale_after``."""
    beat = func.coalesce(ContactImport.heartbeat_at, ContactImport.created_at)
    silent = (ContactImport.status.in_(ACTIVE), beat < now - stale_after)
    rows = (await session.scalars(select(ContactImport).where(*silent))).all()
    marked = 0
    for row in rows:
        # Conditional: a worker that beat since the read keeps its import.
        result = await session.execute(
            update(ContactImport)
            .where(ContactImport.id == row.id, *silent)
            .values(status=INTERRUPTED, error=interrupted_message(row))
            .execution_options(synchronize_session=False)
        )
        if _count(result):
            marked += 1
            log.warning("import interrupted", import_id=row.id, rows=row.rows_total)
    await session.commit()
    return marked


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def claim(session: AsyncSession, row: ContactImport, start: str, to: str) -> None:
    """Move the import from ``start`` to ``to`` unless someone else moved it first (two
    clicks on Resume, two nodes): compare-and-set in the database."""
    result = await session.execute(
        update(ContactImport)
        .where(ContactImport.id == row.id, ContactImport.status == start)
        .values(status=to)
        .execution_options(synchronize_session=False)
    )
    if not _count(result):
        await session.rollback()
        await session.refresh(row)
        raise ImportBusy(f"the import is {row.status} now, not {start}")
    row.status = to


async def still_running(session: AsyncSession, row: ContactImport, now: datetime) -> None:
    """The worker's heartbeat, refused once its import was marked interrupted."""
    result = await session.execute(
        update(ContactImport)
        .where(ContactImport.id == row.id, ContactImport.status == "running")
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    if not _count(result):
        raise ImportTakenOver(row.id)


async def _interrupted(
    session: AsyncSession, org_id: str, import_id: str, action: str
) -> ContactImport:
    row = await session.scalar(
        select(ContactImport).where(
            ContactImport.id == import_id, ContactImport.organization_id == org_id
        )
    )
    if row is None:
        raise NotFound("import not found")
    if row.status != INTERRUPTED:
        raise ImportBusy(f"only an interrupted import can be {action}; this one is {row.status}")
    return row


async def resume(
    session: AsyncSession, actor: Principal, import_id: str, now: datetime
) -> ContactImport:
    """Put an interrupted import back in line; the caller starts its worker."""
    row = await _interrupted(session, actor.organization_id, import_id, "resumed")
    if not await asyncio.to_thread(Path(row.options["path"]).exists):
        raise ImportRefused.on(
            "file", "the uploaded file is no longer on this server; discard the import"
        )
    await claim(session, row, INTERRUPTED, "pending")
    row.error, row.heartbeat_at = "", now
    await session.commit()
    log.info("import resumed", import_id=row.id, by=actor.email, rows=row.rows_total)
    return row


async def discard(
    session: AsyncSession, actor: Principal, import_id: str, now: datetime
) -> ContactImport:
    """Throw an interrupted import away: its staged contacts, its report and its file."""
    row = await _interrupted(session, actor.organization_id, import_id, "discarded")
    await claim(session, row, INTERRUPTED, "discarded")
    await session.execute(
        delete(Contact).where(Contact.import_id == row.id, Contact.status == "staged")
    )
    await session.execute(delete(ImportRejection).where(ImportRejection.import_id == row.id))
    row.imported, row.finished_at = 0, now
    row.error = f"discarded by {actor.email} after {row.rows_total:,} rows; nothing was imported"
    await session.commit()
    if row.options.get("delete_file"):
        await asyncio.to_thread(Path(row.options["path"]).unlink, missing_ok=True)
    log.info("import discarded", import_id=row.id, by=actor.email)
    return row

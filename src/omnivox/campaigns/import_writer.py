"""Bulk writes of an import: COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns.dnc import ORG_SCOPE
from omnivox.campaigns.import_rows import CONTACT_COLUMNS, Batch, phone_key
from omnivox.campaigns.models import Contact, DncEntry, ImportRejection

# Built from our own constant column names, never from input.
_SQLITE_INSERT = (
    f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in CONTACT_COLUMNS)})"
)
_CREATED_AT = CONTACT_COLUMNS.index("created_at")


def _sqlite_time(value: datetime) -> str:
    # The text form SQLAlchemy's SQLite DateTime stores and reads back.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


async def write_batch(
    session: AsyncSession, batch: Batch, import_id: str, is_pg: bool, *, keep_problems: int
) -> None:
    """Write one batch's contacts and its first ``keep_problems`` problem rows inside the
    session's transaction (the rest are counted by the caller, not stored)."""
    conn = await session.connection()
    if batch.problems and keep_problems > 0:
        await conn.execute(
            insert(ImportRejection),
            [
                {"import_id": import_id, "line": line, "kind": kind, "reason": reason, "raw": raw}
                for line, kind, reason, raw in batch.problems[:keep_problems]
            ],
        )
    if not batch.contacts:
        return
    if is_pg:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(
            "contacts", records=batch.contacts, columns=list(CONTACT_COLUMNS)
        )
    else:
        rows = [
            (*r[:_CREATED_AT], _sqlite_time(r[_CREATED_AT]), *r[_CREATED_AT + 1 :])
            for r in batch.contacts
        ]
        await conn.exec_driver_sql(_SQLITE_INSERT, rows)


async def load_number_sets(
    session: AsyncSession, org_id: str, list_ids: list[str], campaign_id: str | None
) -> tuple[set[int], set[int], set[int]]:
    """Numbers already in the lists, on the organisation's DNC list, on the campaign's."""
    seen: set[int] = set()
    result = await session.stream_scalars(
        select(Contact.phone).where(Contact.list_id.in_(list_ids))
    )
    async for part in result.partitions(10_000):
        seen.update(phone_key(p) for p in part)
    dnc_org: set[int] = set()
    dnc_campaign: set[int] = set()
    scopes = [ORG_SCOPE] + ([campaign_id] if campaign_id else [])
    rows = await session.execute(
        select(DncEntry.scope, DncEntry.phone).where(
            DncEntry.organization_id == org_id, DncEntry.scope.in_(scopes)
        )
    )
    for scope, phone in rows:
        (dnc_org if scope == ORG_SCOPE else dnc_campaign).add(phone_key(phone))
    return seen, dnc_org, dnc_campaign

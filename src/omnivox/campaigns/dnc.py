"""Do-not-call entries: organisation-wide (scope "org") or per campaign; checks, import and
export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit_snapshot, record_audit
from omnivox.campaigns import campaigns as campaign_service
from omnivox.campaigns.csvio import CsvRefused, RecordReader, build_mapping, csv_text
from omnivox.campaigns.models import DncEntry
from omnivox.campaigns.phones import InvalidPhone, normalize
from omnivox.campaigns.schemas import DncCreate, DncImportResult
from omnivox.core.errors import Conflict, FieldProblem, NotFound
from omnivox.core.security.principal import Principal

ORG_SCOPE = "org"
MAX_IMPORT_REJECTS_SHOWN = 100


async def is_dnc(session: AsyncSession, org_id: str, campaign_id: str | None, phone: str) -> bool:
    """True when the number is on the organisation's list or the campaign's.

    The dialler calls this immediately before placing each call.
    """
    scopes = [ORG_SCOPE] if campaign_id is None else [ORG_SCOPE, campaign_id]
    found = await session.scalar(
        select(DncEntry.id)
        .where(
            DncEntry.organization_id == org_id,
            DncEntry.scope.in_(scopes),
            DncEntry.phone == phone,
        )
        .limit(1)
    )
    return found is not None


async def _scope_of(session: AsyncSession, org_id: str, campaign_id: str | None) -> str:
    if campaign_id is None:
        return ORG_SCOPE
    await campaign_service.get_campaign(session, org_id, campaign_id)
    return campaign_id


def new_entry(
    org_id: str, scope: str, phone: str, source: str, by: str, at: datetime, note: str = ""
) -> DncEntry:
    return DncEntry(
        organization_id=org_id,
        scope=scope,
        campaign_id=None if scope == ORG_SCOPE else scope,
        phone=phone,
        source=source,
        note=note,
        added_by=by,
        added_at=at,
    )


async def add_number(
    session: AsyncSession, actor: Principal, data: DncCreate, now: datetime, source: str = "manual"
) -> DncEntry:
    scope = await _scope_of(session, actor.organization_id, data.campaign_id)
    if await _existing(session, actor.organization_id, scope, data.phone) is not None:
        raise Conflict(
            f"{data.phone} is already on this do-not-call list",
            problems=[FieldProblem("phone", "already listed")],
        )
    entry = new_entry(actor.organization_id, scope, data.phone, source, actor.email, now, data.note)
    session.add(entry)
    await session.flush()
    record_audit(session, actor, "dnc.add", "dnc_entry", entry.id, after=audit_snapshot(entry))
    await session.commit()
    return entry


async def _existing(session: AsyncSession, org_id: str, scope: str, phone: str) -> DncEntry | None:
    return await session.scalar(
        select(DncEntry).where(
            DncEntry.organization_id == org_id, DncEntry.scope == scope, DncEntry.phone == phone
        )
    )


async def add_if_missing(
    session: AsyncSession, org_id: str, phone: str, source: str, by: str, now: datetime
) -> None:
    """Put a number on the organisation's list (no commit; the caller's transaction)."""
    if await _existing(session, org_id, ORG_SCOPE, phone) is None:
        session.add(new_entry(org_id, ORG_SCOPE, phone, source, by, now))


async def remove_entry(session: AsyncSession, actor: Principal, entry_id: str) -> None:
    entry = await session.scalar(
        select(DncEntry).where(
            DncEntry.id == entry_id, DncEntry.organization_id == actor.organization_id
        )
    )
    if entry is None:
        raise NotFound("do-not-call entry not found")
    # Removing a number lets the dialler call it again: who did it must be on record.
    record_audit(session, actor, "dnc.remove", "dnc_entry", entry.id, before=audit_snapshot(entry))
    await session.delete(entry)
    await session.commit()


async def list_entries(
    session: AsyncSession,
    org_id: str,
    *,
    campaign_id: str | None = None,
    search: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[DncEntry]:
    query = select(DncEntry).where(DncEntry.organization_id == org_id)
    if campaign_id:
        query = query.where(DncEntry.scope == campaign_id)
    if search:
        query = query.where(DncEntry.phone.like(f"%{search.strip()}%"))
    rows = await session.scalars(
        query.order_by(DncEntry.added_at.desc(), DncEntry.id).limit(limit).offset(offset)
    )
    return list(rows.all())


async def import_numbers(
    session: AsyncSession,
    actor: Principal,
    text: IO[str],
    now: datetime,
    *,
    campaign_id: str | None = None,
    region: str | None = None,
) -> DncImportResult:
    """Add every number of a CSV (a ``phone`` column) to a list; bad rows are reported."""
    scope = await _scope_of(session, actor.organization_id, campaign_id)
    try:
        reader = RecordReader(text)
        mapping = build_mapping(reader.headers, {})
    except CsvRefused as exc:
        raise Conflict(str(exc), problems=[FieldProblem("file", str(exc))]) from None
    listed = set(
        (
            await session.scalars(
                select(DncEntry.phone).where(
                    DncEntry.organization_id == actor.organization_id, DncEntry.scope == scope
                )
            )
        ).all()
    )
    added, already, rejected = 0, 0, []
    for record in reader:
        cell = (
            record.cells[mapping.index["phone"]]
            if record.cells and len(record.cells) > mapping.index["phone"]
            else ""
        )
        try:
            phone = normalize(cell.lstrip("'"), region)
        except InvalidPhone as exc:
            rejected.append({"line": record.line, "reason": record.error or str(exc)})
            continue
        if phone in listed:
            already += 1
            continue
        listed.add(phone)
        session.add(new_entry(actor.organization_id, scope, phone, "import", actor.email, now))
        added += 1
    record_audit(
        session,
        actor,
        "dnc.import",
        "dnc_list",
        scope,
        after={"added": added, "already_listed": already, "rejected": len(rejected)},
    )
    await session.commit()
    return DncImportResult(
        added=added, already_listed=already, rejected=rejected[:MAX_IMPORT_REJECTS_SHOWN]
    )


async def export_csv(session: AsyncSession, org_id: str) -> AsyncIterator[str]:
    """The organisation's do-not-call numbers as CSV, streamed, formulas neutralised."""
    yield csv_text([["phone", "scope", "source", "note", "added_by", "added_at"]])
    result = await session.stream_scalars(
        select(DncEntry).where(DncEntry.organization_id == org_id).order_by(DncEntry.phone)
    )
    async for partition in result.partitions(1000):
        yield csv_text(
            [e.phone, e.scope, e.source, e.note, e.added_by, e.added_at.isoformat()]
            for e in partition
        )

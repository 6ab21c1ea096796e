"""CSV imports into a list: prepare (checks that refuse a bad file at once), run (streams the
file in batches, parsing in a worker thread), and the rejected-rows report.

Nothing half-imported is ever visible: rows land as ``staged`` contacts, committed batch by
batch with the progress counters, and become ``new`` in one UPDATE at the end. A failure
deletes them; an import whose process died or stopped is found by its stale heartbeat and
marked interrupted, to be resumed or discarded (``import_recovery``).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.accounts import find_organization
from omnivox.campaigns import campaigns as campaign_service
from omnivox.campaigns import events, lists
from omnivox.campaigns.csvio import (
    CsvRefused,
    Record,
    RecordReader,
    build_mapping,
    csv_text,
    undecodable,
)
from omnivox.campaigns.errors import ImportBusy, ImportRefused
from omnivox.campaigns.import_limits import ImportLimits
from omnivox.campaigns.import_recovery import (
    INTERRUPTED,
    ImportTakenOver,
    claim,
    interrupted_message,
    mark_abandoned,
    still_running,
)
from omnivox.campaigns.import_rows import Batch, ImportContext, RowClassifier, next_batch
from omnivox.campaigns.import_writer import load_number_sets, write_batch
from omnivox.campaigns.models import CampaignList, Contact, ContactImport, ImportRejection
from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput
from omnivox.core.events import Audience, EventBus
from omnivox.core.logging import get_logger
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal

log = get_logger(__name__)
STALE_AFTER = timedelta(seconds=Settings.model_fields["import_stale_seconds"].default)
ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark
# A byte that is not UTF-8 is kept as a lone surrogate, so the row holding it is rejected
# on its own (``csvio.RecordReader``) rather than failing the whole import.
DECODE_ERRORS = "surrogateescape"
PEEK_BYTES = 64 * 1024

_REGION = re.compile(r"^[A-Z]{2}$")
Progress = Callable[[ContactImport], Awaitable[None] | None]


@dataclass(frozen=True)
class ImportOptions:
    region: str | None = None
    mapping: dict[str, str] | None = None
    campaign_id: str | None = None
    delete_file: bool = False  # an uploaded copy is ours to remove; a CLI user's file is not


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


def check_file(path: Path, mapping: dict[str, str]) -> None:
    """Refuse, before anything is stored, a file that is not UTF-8 CSV with a phone column.

    A row in another encoding further on (one Latin-1 name) is rejected on its own with its
    line number when the file is imported; refused here is a file whose header, or every
    row in its first 64 KB, is not UTF-8: a file saved in another encoding altogether."""
    with path.open("rb") as raw:
        head = raw.read(PEEK_BYTES)
    if not head.strip():
        raise ImportRefused.on("file", "the file is empty")
    text = head.decode(ENCODING, errors=DECODE_ERRORS)
    if "\x00" in text[:4096]:
        raise ImportRefused.on("file", "the file is binary, not CSV text")
    lines = text.splitlines()
    if len(head) == PEEK_BYTES and len(lines) > 1:
        lines.pop()  # the peek may have cut the last line (and a character) short
    _check_encoding(lines)
    try:
        reader = RecordReader(io.StringIO(lines[0] + "\n"))
        build_mapping(reader.headers, mapping)
    except CsvRefused as exc:
        raise ImportRefused.on("file", str(exc)) from None


def _check_encoding(lines: list[str]) -> None:
    """The header, or every data row seen, not UTF-8: the file is in another encoding."""
    rows = [(n, undecodable(line)) for n, line in enumerate(lines, start=1) if line.strip()]
    bad = [(n, byte) for n, byte in rows if byte is not None]
    data_rows = sum(1 for n, _byte in rows if n > 1)
    if bad and (bad[0][0] == 1 or len(bad) == data_rows):
        line, byte = bad[0]
        raise ImportRefused.on(
            "file",
            f"the file is not UTF-8 text (line {line}, byte 0x{byte:02X}); save it as CSV UTF-8",
        )


async def prepare_import(
    session: AsyncSession,
    actor: Principal,
    list_id: str,
    path: Path,
    filename: str,
    options: ImportOptions,
    now: datetime,
    *,
    stale_after: timedelta = STALE_AFTER,
) -> ContactImport:
    org_id = actor.organization_id
    await lists.get_list(session, org_id, list_id)
    if options.campaign_id is not None:
        await campaign_service.get_campaign(session, org_id, options.campaign_id)
    await mark_abandoned(session, now, stale_after)
    busy = await session.scalar(
        select(ContactImport.status).where(
            ContactImport.list_id == list_id,
            ContactImport.status.in_(["pending", "running", INTERRUPTED]),
        )
    )
    if busy == INTERRUPTED:
        # Its staged numbers would count as duplicates of the new file's.
        raise ImportBusy("an import into this list was interrupted; resume or discard it first")
    if busy is not None:
        raise ImportBusy("an import into this list is still running; wait for it to finish")
    await asyncio.to_thread(check_file, path, options.mapping or {})
    row = ContactImport(
        organization_id=org_id,
        list_id=list_id,
        campaign_id=options.campaign_id,
        filename=filename[:255],
        size_bytes=(await asyncio.to_thread(path.stat)).st_size,
        options={
            "region": options.region,
            "mapping": options.mapping or {},
            "path": str(path),
            "delete_file": options.delete_file,
        },
        created_by=actor.email,
        created_at=now,
        heartbeat_at=now,
    )
    session.add(row)
    await session.commit()
    return row


async def get_import(session: AsyncSession, org_id: str, import_id: str) -> ContactImport:
    from omnivox.core.errors import NotFound

    row = await session.scalar(
        select(ContactImport).where(
            ContactImport.id == import_id, ContactImport.organization_id == org_id
        )
    )
    if row is None:
        raise NotFound("import not found")
    return row


async def list_imports(session: AsyncSession, org_id: str, list_id: str) -> list[ContactImport]:
    rows = await session.scalars(
        select(ContactImport)
        .where(ContactImport.organization_id == org_id, ContactImport.list_id == list_id)
        .order_by(ContactImport.created_at.desc(), ContactImport.id)
        .limit(20)
    )
    return list(rows.all())


def percent(row: ContactImport) -> int:
    if row.status == "done":
        return 100
    if not row.size_bytes:
        return 0
    return min(99, int(row.bytes_read * 100 / row.size_bytes))


def progress_data(row: ContactImport) -> dict[str, Any]:
    return {
        "import_id": row.id,
        "list_id": row.list_id,
        "status": row.status,
        "rows": row.rows_total,
        "imported": row.imported,
        "duplicates": row.duplicates,
        "rejected": row.rejected,
        "dnc": row.dnc,
        "percent": percent(row),
        "error": row.error,
    }


async def _undo(session: AsyncSession, row: ContactImport, error: str, now: datetime) -> None:
    await session.execute(
        delete(Contact).where(Contact.import_id == row.id, Contact.status == "staged")
    )
    row.status, row.error, row.imported, row.finished_at = "failed", error[:2000], 0, now


async def _context(session: AsyncSession, row: ContactImport, now: datetime) -> ImportContext:
    org = await find_organization(session, row.organization_id)
    list_ids = [row.list_id]
    if row.campaign_id is not None:
        attached = await campaign_service.list_ids_of(session, row.campaign_id)
        if row.list_id not in attached:  # importing for a campaign attaches the list to it
            session.add(CampaignList(campaign_id=row.campaign_id, list_id=row.list_id))
        list_ids += [i for i in attached if i != row.list_id]
    seen, dnc_org, dnc_campaign = await load_number_sets(
        session, row.organization_id, list_ids, row.campaign_id
    )
    return ImportContext(
        organization_id=row.organization_id,
        list_id=row.list_id,
        import_id=row.id,
        region=row.options.get("region"),
        fallback_zone=org.timezone if org else "UTC",
        now=now,
        seen=seen,
        dnc_org=dnc_org,
        dnc_campaign=dnc_campaign,
    )


async def run_import(
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus | None,
    clock: Clock,
    import_id: str,
    *,
    batch_size: int = 5000,
    on_progress: Progress | None = None,
    limits: ImportLimits | None = None,
) -> ContactImport:
    """Run a prepared import to its end (done or failed), publishing progress per batch."""
    limits = limits or ImportLimits()
    async with sessions() as session:
        row = await session.get(ContactImport, import_id)
        if row is None or row.status != "pending":
            raise ImportBusy("the import is not waiting to run")
        await claim(session, row, "pending", "running")  # one worker per import
        path, delete_file = Path(row.options["path"]), bool(row.options.get("delete_file"))
        try:
            row.heartbeat_at = clock.now()
            ctx = await _context(session, row, clock.now())
            await session.commit()
            await _stream(session, bus, clock, row, ctx, path, batch_size, on_progress, limits)
        except ImportTakenOver:
            await session.rollback()  # its last batch: the next worker redoes it
            await session.refresh(row)
            log.warning("import taken over; this worker stops", import_id=import_id)
        except asyncio.CancelledError:
            # The server is stopping: keep the committed batches to resume from.
            await session.rollback()
            await session.refresh(row)
            row.status, row.error = INTERRUPTED, interrupted_message(row)
            await session.commit()
            log.warning("import interrupted", import_id=import_id, rows=row.rows_total)
            await _announce(bus, row, clock, on_progress)
            raise
        except Exception as exc:  # noqa: BLE001 - any failure undoes the import, in words
            await session.rollback()
            await session.refresh(row)  # the rollback expired it; reload without lazy IO
            await _undo(session, row, _describe(exc), clock.now())
            await session.commit()
            log.warning("import failed", import_id=import_id, error=row.error)
            await _announce(bus, row, clock, on_progress)
        finally:
            if delete_file and row.status in {"done", "failed"}:  # interrupted: kept to resume
                await asyncio.to_thread(path.unlink, missing_ok=True)
        return row


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"the file is not UTF-8 text (byte {exc.start} of a chunk); save it as CSV UTF-8 "
            "and import again; nothing was imported"
        )
    if isinstance(exc, CsvRefused | ImportRefused):
        return f"{exc}; nothing was imported"
    return f"the import failed ({type(exc).__name__}); nothing was imported"


async def _stream(
    session: AsyncSession,
    bus: EventBus | None,
    clock: Clock,
    row: ContactImport,
    ctx: ImportContext,
    path: Path,
    batch_size: int,
    on_progress: Progress | None,
    limits: ImportLimits,
) -> None:
    is_pg = (await session.connection()).dialect.name == "postgresql"
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=ENCODING, errors=DECODE_ERRORS, newline="")
        reader = await asyncio.to_thread(RecordReader, text)
        mapping = build_mapping(reader.headers, row.options.get("mapping") or {})
        classifier = RowClassifier(ctx, mapping)
        records = iter(reader)
        if row.rows_total:  # resumed: these records were handled by committed batches
            await asyncio.to_thread(_skip, records, row.rows_total)

        def parse() -> asyncio.Future[Batch]:
            return asyncio.ensure_future(
                asyncio.to_thread(next_batch, records, classifier, batch_size, raw.tell)
            )

        # Pipelined: the next batch is parsed (worker thread) while this one is written,
        # so parsing and the database work overlap on two cores.
        pending = parse()
        try:
            while True:
                batch = await pending
                if not batch.finished:
                    pending = parse()
                if row.rows_total + batch.rows > limits.rows.value:
                    raise ImportRefused(
                        f"the file has more than {limits.rows.value:,} rows, the most one "
                        f"import takes ({limits.rows.name}); split it into smaller files"
                    )
                # The batch's first statement: it stops a worker whose import was taken
                # over, and opens the transaction PostgreSQL's COPY then joins (a COPY
                # first on the connection would commit on its own, out of reach of a
                # rollback).
                await still_running(session, row, clock.now())
                kept = max(0, limits.max_rejections - _problems(row))
                await write_batch(session, batch, row.id, is_pg, keep_problems=kept)
                row.rejections_not_kept += max(0, len(batch.problems) - kept)
                _count(row, batch, clock.now())
                if batch.finished:
                    break
                await session.commit()
                await _announce(bus, row, clock, on_progress)
        finally:
            if not pending.done():  # a failed write: let the parser finish before closing
                await asyncio.wait([pending])
    await session.execute(
        update(Contact)
        .where(Contact.import_id == row.id, Contact.status == "staged")
        .values(status="new")
    )
    row.status, row.finished_at, row.bytes_read = "done", clock.now(), row.size_bytes
    await session.commit()
    await _announce(bus, row, clock, on_progress)


def _skip(records: Iterator[Record], count: int) -> None:
    for _ in itertools.islice(records, count):
        pass


def _problems(row: ContactImport) -> int:
    return row.rejected + row.duplicates + row.dnc


def _count(row: ContactImport, batch: Batch, now: datetime) -> None:
    row.rows_total += batch.rows
    row.imported += len(batch.contacts)
    row.duplicates += batch.duplicates
    row.rejected += batch.rejected
    row.dnc += batch.dnc
    row.bytes_read = batch.bytes_read
    row.heartbeat_at = now


async def _announce(
    bus: EventBus | None, row: ContactImport, clock: Clock, on_progress: Progress | None
) -> None:
    audience = Audience.organization(
        row.organization_id, permission=Permission.CONTACTS_IMPORT.value
    )
    progressed = events.ImportProgressed(audience=audience, at=clock.now(), **progress_data(row))
    await events.publish(bus, progressed)
    if on_progress is not None:
        result = on_progress(row)
        if result is not None:
            await result


async def rejections_csv(
    session: AsyncSession, row: ContactImport, kept: int
) -> AsyncIterator[str]:
    """Every row not imported (rejected, duplicate, DNC) with its line and reason, as CSV;
    past the first ``kept`` (OMNIVOX_MAX_IMPORT_REJECTIONS), a last line counts the rest."""
    yield csv_text([["line", "kind", "reason", "row"]])
    result = await session.stream_scalars(
        select(ImportRejection)
        .where(ImportRejection.import_id == row.id)
        .order_by(ImportRejection.line)
    )
    async for part in result.partitions(2000):
        yield csv_text([r.line, r.kind, r.reason, r.raw] for r in part)
    if row.rejections_not_kept:
        note = (
            f"{row.rejections_not_kept:,} more rows were not imported; only the first "
            f"{kept:,} are listed (OMNIVOX_MAX_IMPORT_REJECTIONS)"
        )
        yield csv_text([["", "not-listed", note, ""]])


def read_text(data: bytes) -> IO[str]:
    return io.TextIOWrapper(io.BytesIO(data), encoding=ENCODING, errors=DECODE_ERRORS, newline="")

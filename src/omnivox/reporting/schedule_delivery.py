"""Delivering report schedules: finding due slots, claiming them, running the report as
the schedule's owner and sending the file, with retries recorded in the delivery log.

Once per slot, across restarts and processes: the periodic pass (``reports.deliver_due``)
inserts each due slot's delivery row with ``ON CONFLICT DO NOTHING`` on
``(schedule_id, slot_at)``, and an attempt first moves its row from ``pending`` to
``sending`` with a compare-and-set that only one process can win. Slots that fell while no
server ran are inserted when one comes back, as far back as
``OMNIVOX_SCHEDULE_CATCH_UP_HOURS`` beyond the one tick (``OMNIVOX_JOBS_TICK_SECONDS``)
any slot may wait for its pass. A process that dies while sending leaves its row
``sending`` until its lease ends; another then takes it over, so a slot may be sent twice
only when a process dies between the recipient accepting the file and the row being
marked (each destination is marked as soon as it has accepted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.core.db import insert_on_conflict, new_id
from omnivox.core.errors import DomainError
from omnivox.core.logging import get_logger
from omnivox.jobs import JobContext, JobQueue, Jobs
from omnivox.reporting.exports import export_bytes
from omnivox.reporting.query import ReportResult
from omnivox.reporting.schedule_models import ReportDelivery, ReportSchedule
from omnivox.reporting.schedule_send import MIME_TYPES, SendFailed, send_email, send_webhook
from omnivox.reporting.schedule_times import RelativeRange, range_for, slots_between
from omnivox.reporting.schedules import ask_of, org_timezone, owner_principal, rule_of
from omnivox.reporting.service import report_for

log = get_logger(__name__)
DUE_JOB = "reports.deliver_due"
SEND_JOB = "reports.deliver"


class PermanentFailure(Exception):
    """Trying again would not help (the report is refused, the owner is gone): the
    delivery fails at once."""

    def __init__(self, message: str, size_bytes: int | None = None) -> None:
        super().__init__(message)
        self.size_bytes = size_bytes


def register_jobs(jobs: Jobs, settings: Settings) -> None:
    jobs.periodic(DUE_JOB, deliver_due, settings.jobs_tick_seconds)
    jobs.task(SEND_JOB, deliver_one)


async def deliver_due(ctx: JobContext, _args: Mapping[str, Any]) -> None:
    """Insert the slots that have come, then attempt every delivery that is due."""
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        await plan_due(session, now, ctx.settings)
        ids = await due_deliveries(session, now)
    for delivery_id in ids:
        try:
            await attempt(ctx, delivery_id)
        except Exception:  # one delivery's trouble must not cost the others theirs
            # Its row stays claimed until the lease ends; then a pass tries it again.
            log.exception("report delivery attempt failed", delivery=delivery_id)


async def deliver_one(ctx: JobContext, args: Mapping[str, Any]) -> None:
    await attempt(ctx, str(args["delivery_id"]))


async def _insert(session: AsyncSession) -> Any:
    dialect = (await session.connection()).dialect.name
    return insert_on_conflict(dialect)(ReportDelivery)


def _recipients(schedule: ReportSchedule) -> list[str]:
    return [*schedule.emails, *([schedule.webhook_url] if schedule.webhook_url else [])]


def _slot_row(
    schedule: ReportSchedule, slot: datetime, now: datetime, zone: str, *, manual: bool
) -> dict[str, Any]:
    """The delivery row of ``slot``; its dates are the slot's local dates in ``zone``, the
    organisation's time zone (the one the engine reads dates in)."""
    start, end = range_for(RelativeRange(schedule.range), slot, zone)
    return {
        "id": new_id(),
        "schedule_id": schedule.id,
        "organization_id": schedule.organization_id,
        "slot_at": slot,
        "manual": manual,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": slot,
        "last_error": "",
        "done": [],
        "recipients": _recipients(schedule),
        "range_start": start,
        "range_end": end,
        "created_at": now,
    }


async def plan_due(session: AsyncSession, now: datetime, settings: Settings) -> int:
    """Insert a delivery row for every slot up to ``now`` not yet planned (within the
    catch-up window); returns how many this call inserted."""
    # A slot normally waits up to one tick for its pass: that much lateness is not
    # catching up, so a window of 0 hours still delivers every slot while a server runs.
    horizon = now - timedelta(
        hours=settings.schedule_catch_up_hours, seconds=settings.jobs_tick_seconds
    )
    schedules = await session.scalars(
        select(ReportSchedule)
        .where(ReportSchedule.enabled.is_(True), ReportSchedule.planned_until < now)
        .order_by(ReportSchedule.id)  # every process locks rows in one order: no deadlock
    )
    inserted = 0
    for schedule in list(schedules):
        since = max(schedule.planned_until, horizon)
        if schedule.planned_until < horizon:
            log.warning(
                "report schedule slots older than the catch-up window skipped",
                schedule=schedule.id,
                since=schedule.planned_until.isoformat(),
                window_hours=settings.schedule_catch_up_hours,
            )
        zone = await org_timezone(session, schedule.organization_id)
        for slot in slots_between(rule_of(schedule), since, now):
            stmt = await _insert(session)
            claimed = await session.scalar(
                stmt.values(_slot_row(schedule, slot, now, zone, manual=False))
                .on_conflict_do_nothing(index_elements=["schedule_id", "slot_at"])
                .returning(ReportDelivery.id)
            )
            inserted += claimed is not None
        # Forward only: a slower process must not move it back.
        await session.execute(
            update(ReportSchedule)
            .where(ReportSchedule.id == schedule.id, ReportSchedule.planned_until < now)
            .values(planned_until=now)
        )
    await session.commit()
    return inserted


async def due_deliveries(session: AsyncSession, now: datetime) -> list[str]:
    rows = await session.scalars(
        select(ReportDelivery.id)
        .where(_claimable(now))
        .order_by(ReportDelivery.next_attempt_at)
        .limit(500)
    )
    return list(rows)


def _claimable(now: datetime) -> Any:
    return or_(
        and_(ReportDelivery.status == "pending", ReportDelivery.next_attempt_at <= now),
        and_(ReportDelivery.status == "sending", ReportDelivery.lease_until < now),
    )


async def run_now(
    session: AsyncSession, queue: JobQueue, schedule: ReportSchedule, now: datetime
) -> ReportDelivery:
    """A delivery of the schedule's report for a slot at ``now``, sent at once (as its
    own row in the log, marked manual)."""
    zone = await org_timezone(session, schedule.organization_id)
    row = _slot_row(schedule, now.astimezone(UTC), now, zone, manual=True)
    delivery = ReportDelivery(**row)
    session.add(delivery)
    await session.flush()
    await queue.defer(session, SEND_JOB, {"delivery_id": delivery.id})
    await session.commit()
    return delivery


async def attempt(ctx: JobContext, delivery_id: str) -> str | None:
    """Claim the delivery and try it once; its status afterwards, or None when it was
    not ours to try (sent, failed, not due, or held by another process)."""
    settings, now = ctx.settings, ctx.clock.now()
    async with ctx.sessions() as session:
        claimed = await session.execute(
            update(ReportDelivery)
            .where(ReportDelivery.id == delivery_id, _claimable(now))
            .values(
                status="sending",
                attempts=ReportDelivery.attempts + 1,
                lease_until=now + timedelta(seconds=settings.schedule_lease_seconds),
            )
        )
        await session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        delivery = await session.get(ReportDelivery, delivery_id)
        schedule = await session.get(ReportSchedule, delivery.schedule_id) if delivery else None
        if delivery is None or schedule is None:
            return None  # deleted meanwhile (the schedule's rows go with it)
        if not schedule.enabled and not delivery.manual:
            return await _finish(session, delivery, "failed", "the schedule was paused")
        try:
            await _send(session, schedule, delivery, settings)
        except PermanentFailure as exc:
            delivery = await _reloaded(session, delivery_id)
            if delivery is None:
                return None
            delivery.size_bytes = exc.size_bytes
            return await _finish(session, delivery, "failed", str(exc))
        except Exception as exc:  # any failure to send is retried, then logged
            # A database error (a statement timeout) leaves PostgreSQL's transaction
            # aborted: nothing more can be written in it until it is rolled back.
            delivery = await _reloaded(session, delivery_id)
            if delivery is None:
                return None
            if isinstance(exc, SendFailed):
                reason = str(exc)
            else:
                # The first line only (a database error goes on with its SQL); the whole
                # of it goes to the server's log.
                log.warning("report delivery attempt raised", delivery=delivery_id, exc_info=exc)
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                reason = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
            if delivery.attempts >= settings.schedule_max_attempts:
                return await _finish(
                    session,
                    delivery,
                    "failed",
                    f"{reason} (gave up after {delivery.attempts} attempts, "
                    "OMNIVOX_SCHEDULE_MAX_ATTEMPTS)",
                )
            wait = settings.schedule_retry_seconds * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = ctx.clock.now() + timedelta(seconds=wait)
            await ctx.queue.defer(
                session, SEND_JOB, {"delivery_id": delivery.id}, at=delivery.next_attempt_at
            )
            return await _finish(session, delivery, "pending", reason)
        delivery.sent_at = ctx.clock.now()
        return await _finish(session, delivery, "sent", "")


async def _reloaded(session: AsyncSession, delivery_id: str) -> ReportDelivery | None:
    """The delivery as committed (its claim, the destinations already served), after
    rolling back whatever the failed attempt left; None when it was deleted meanwhile."""
    await session.rollback()
    return await session.get(ReportDelivery, delivery_id, populate_existing=True)


async def _finish(session: AsyncSession, delivery: ReportDelivery, status: str, error: str) -> str:
    delivery.status = status
    delivery.lease_until = None
    if error:
        delivery.last_error = error[:2000]
        log.warning("report delivery not sent", delivery=delivery.id, status=status, error=error)
    await session.commit()
    return status


async def _send(
    session: AsyncSession, schedule: ReportSchedule, delivery: ReportDelivery, settings: Settings
) -> None:
    start, end = delivery.range_start, delivery.range_end
    result = await _run_as_owner(session, schedule, start, end, settings)
    title = f"{schedule.name} {start.isoformat()} to {end.isoformat()}"
    data = _attachment(result, schedule.format, title, settings.report_pdf_max_rows)
    limit = settings.schedule_max_attachment_bytes
    delivery.size_bytes = len(data)
    if len(data) > limit:
        raise PermanentFailure(
            f"the file is {len(data)} bytes, over the {limit}-byte limit "
            "(OMNIVOX_SCHEDULE_MAX_ATTACHMENT_BYTES)",
            size_bytes=len(data),
        )
    filename = f"{_slug(schedule.name)}_{start.isoformat()}_{end.isoformat()}.{schedule.format}"
    mime = MIME_TYPES[schedule.format]
    done = list(delivery.done)
    # "email:<address>" per recipient the server accepted: a retry mails only the others.
    waiting = [e for e in schedule.emails if "email" not in done and f"email:{e}" not in done]
    if waiting:
        accepted: list[str] = []
        try:
            await send_email(settings, waiting, title, data, filename, mime, accepted)
        finally:
            done += [f"email:{e}" for e in accepted]
            delivery.done = done
            await session.commit()  # accepted: a retry does not mail them again
    if schedule.webhook_url and "webhook" not in done:
        await send_webhook(
            settings,
            schedule.webhook_url,
            schedule.webhook_secret,
            data,
            filename,
            mime,
            {"X-Omnivox-Schedule": schedule.id, "X-Omnivox-Slot": delivery.slot_at.isoformat()},
        )
        done.append("webhook")
        delivery.done = done
        await session.commit()


async def _run_as_owner(
    session: AsyncSession, schedule: ReportSchedule, start: date, end: date, settings: Settings
) -> ReportResult:
    actor = await owner_principal(session, schedule.organization_id, schedule.owner_id)
    if actor is None:
        raise PermanentFailure("the schedule's owner is no longer an active user")
    ask = ask_of(schedule.definition, start, end)
    try:
        return await report_for(session, actor, ask, settings)
    except DomainError as exc:
        raise PermanentFailure(f"the report was refused: {exc.detail}") from None


def _attachment(result: ReportResult, fmt: str, title: str, pdf_max_rows: int) -> bytes:
    """The file in ``fmt``, from the same export module as downloads."""
    return export_bytes(result, fmt, title, pdf_max_rows=pdf_max_rows)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "report"

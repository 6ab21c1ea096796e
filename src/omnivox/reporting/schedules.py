"""Report schedules: what to run (a report definition, checked by the engine when saved,
so a bad one is refused then and not at 6 a.m.), when (``schedule_times``), in which
format and to whom (e-mail addresses, a signed webhook).

Who may: holders of ``reports:schedule``. A schedule runs as its owner, so it carries
only the figures the owner may see when it runs. People see and change their own
schedules; holders of ``reports:all`` see and change every schedule of their
organisation. Nobody sees another organisation's.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.core.errors import Conflict, InvalidInput, NotFound
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.reporting.request import ReportRequest, check_request
from omnivox.reporting.schedule_models import ReportSchedule
from omnivox.reporting.schedule_times import (
    Frequency,
    RelativeRange,
    Rule,
    next_slot,
    range_for,
)
from omnivox.reporting.templates import COMPLIANCE, get_template

FORMATS = ("csv", "xlsx", "pdf")


class ScheduleWrite(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    # The report: a template, or metrics x dimensions (as ``reporting.service.ReportAsk``).
    template: str = Field(default="", max_length=64)
    metrics: list[str] = Field(default_factory=list, max_length=50)
    by: list[str] = Field(default_factory=list, max_length=10)
    filters: dict[str, str] = Field(default_factory=dict, max_length=10)
    granularity: str | None = Field(default=None, max_length=8)
    range: RelativeRange
    frequency: Frequency
    weekday: int | None = Field(default=None, ge=0, le=6, description="Monday 0 .. Sunday 6")
    day_of_month: int | None = Field(
        default=None, ge=1, le=31, description="29-31: the month's last day when shorter"
    )
    at: time = Field(description="local time of day, HH:MM")
    timezone: str = Field(min_length=1, max_length=64, description="IANA, e.g. Europe/London")
    format: Literal["csv", "xlsx", "pdf"] = "csv"
    emails: list[EmailStr] = Field(default_factory=list, max_length=1000)
    webhook_url: str = Field(default="", max_length=2000)
    enabled: bool = True


def definition_of(data: ScheduleWrite) -> dict[str, Any]:
    return {
        "template": data.template,
        "metrics": list(data.metrics),
        "by": list(data.by),
        "filters": dict(data.filters),
        "granularity": data.granularity,
    }


def rule_of(schedule: ReportSchedule) -> Rule:
    return Rule(
        Frequency(schedule.frequency),
        time.fromisoformat(schedule.at_time),
        schedule.timezone,
        schedule.weekday,
        schedule.day_of_month,
    )


def check_schedule(data: ScheduleWrite, settings: Settings, now: datetime) -> Rule:
    """Every reason the schedule cannot be saved, as a 422 naming the field."""
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput.on(
            "timezone", f"unknown time zone {data.timezone!r} (an IANA name, e.g. Europe/London)"
        ) from None
    if data.frequency is Frequency.WEEKLY and data.weekday is None:
        raise InvalidInput.on("weekday", "a weekly schedule names its weekday (0 Monday .. 6)")
    if data.frequency is Frequency.MONTHLY and data.day_of_month is None:
        raise InvalidInput.on("day_of_month", "a monthly schedule names its day (1-31)")
    rule = Rule(
        data.frequency,
        data.at.replace(second=0, microsecond=0, tzinfo=None),
        data.timezone,
        data.weekday if data.frequency is Frequency.WEEKLY else None,
        data.day_of_month if data.frequency is Frequency.MONTHLY else None,
    )
    _check_destinations(data, settings)
    start, end = range_for(data.range, next_slot(rule, now), data.timezone)
    _check_report(data, start, end, settings)
    return rule


def _check_destinations(data: ScheduleWrite, settings: Settings) -> None:
    if not data.emails and not data.webhook_url:
        raise InvalidInput.on("emails", "give at least one e-mail address or a webhook URL")
    limit = settings.schedule_max_recipients
    if len(data.emails) > limit:
        raise InvalidInput.on(
            "emails",
            f"{len(data.emails)} recipients; a schedule sends to at most {limit} "
            "(OMNIVOX_SCHEDULE_MAX_RECIPIENTS)",
        )
    if data.webhook_url:
        url = urlsplit(data.webhook_url)
        allowed = ("https",) if settings.is_production else ("https", "http")
        if url.scheme not in allowed or not url.hostname:
            raise InvalidInput.on(
                "webhook_url",
                f"{data.webhook_url!r} is not an {' or '.join(allowed)} URL"
                + (" (production sends reports over https only)" if settings.is_production else ""),
            )


def _check_report(data: ScheduleWrite, start: Any, end: Any, settings: Settings) -> None:
    if bool(data.template) == bool(data.metrics):
        raise InvalidInput.on("metrics", "give either a template or metrics, not both or neither")
    if data.template and data.by:
        raise InvalidInput.on("by", "a template has its own dimensions")
    if data.template == COMPLIANCE:
        return
    if data.template:
        request = get_template(data.template).request(start, end, data.filters, data.granularity)
    else:
        request = ReportRequest(
            tuple(data.metrics), start, end, tuple(data.by), data.filters, data.granularity
        )
    check_request(request, settings.report_max_days)


def _visible(actor: Principal) -> Any:
    query = select(ReportSchedule).where(ReportSchedule.organization_id == actor.organization_id)
    if not actor.can(Permission.REPORTS_ALL):
        query = query.where(ReportSchedule.owner_id == actor.user_id)
    return query


async def list_schedules(session: AsyncSession, actor: Principal) -> list[ReportSchedule]:
    rows = await session.scalars(_visible(actor).order_by(ReportSchedule.name))
    return list(rows)


async def get_schedule(session: AsyncSession, actor: Principal, schedule_id: str) -> ReportSchedule:
    found = await session.scalar(_visible(actor).where(ReportSchedule.id == schedule_id))
    if found is None:
        raise NotFound("report schedule not found")
    return found  # type: ignore[no-any-return]


def _apply(schedule: ReportSchedule, data: ScheduleWrite, rule: Rule) -> None:
    schedule.name = data.name
    schedule.definition = definition_of(data)
    schedule.range = data.range.value
    schedule.frequency = rule.frequency.value
    schedule.weekday = rule.weekday
    schedule.day_of_month = rule.day_of_month
    schedule.at_time = rule.at.strftime("%H:%M")
    schedule.timezone = data.timezone
    schedule.format = data.format
    schedule.emails = [str(e) for e in dict.fromkeys(data.emails)]
    schedule.webhook_url = data.webhook_url
    schedule.enabled = data.enabled


async def create_schedule(
    session: AsyncSession, actor: Principal, data: ScheduleWrite, settings: Settings, now: datetime
) -> ReportSchedule:
    """A new schedule; its first slot is the next one after ``now`` (nothing is caught up
    from before it existed). ``webhook_secret`` is readable on the returned row only."""
    rule = check_schedule(data, settings, now)
    count = await session.scalar(
        select(func.count())
        .select_from(ReportSchedule)
        .where(ReportSchedule.organization_id == actor.organization_id)
    )
    limit = settings.schedule_max_per_org
    if (count or 0) >= limit:
        raise Conflict(
            f"the organisation has {count} report schedules, the most it may have "
            f"(OMNIVOX_SCHEDULE_MAX_PER_ORG is {limit}); delete one first"
        )
    schedule = ReportSchedule(
        organization_id=actor.organization_id,
        owner_id=actor.user_id,
        webhook_secret=secrets.token_hex(32),
        planned_until=now.astimezone(UTC),
    )
    _apply(schedule, data, rule)
    session.add(schedule)
    await session.commit()
    return schedule


async def update_schedule(
    session: AsyncSession,
    actor: Principal,
    schedule_id: str,
    data: ScheduleWrite,
    settings: Settings,
    now: datetime,
) -> ReportSchedule:
    """Change a schedule. Slots from now on follow the new rule; one already due is
    still delivered (its delivery row exists)."""
    schedule = await get_schedule(session, actor, schedule_id)
    rule = check_schedule(data, settings, now)
    # New times, or back from a pause: no catching up on slots of the old rule or the pause.
    restart = rule != rule_of(schedule) or not schedule.enabled
    _apply(schedule, data, rule)
    if restart:
        schedule.planned_until = max(schedule.planned_until, now.astimezone(UTC))
    await session.commit()
    return schedule


async def delete_schedule(session: AsyncSession, actor: Principal, schedule_id: str) -> None:
    schedule = await get_schedule(session, actor, schedule_id)
    await session.delete(schedule)
    await session.commit()


def describe(schedule: ReportSchedule) -> str:
    """``Weekly on Monday at 07:00 (Europe/London)``."""
    if schedule.frequency == Frequency.WEEKLY:
        days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        when = f"Weekly on {days[schedule.weekday or 0]}"
    elif schedule.frequency == Frequency.MONTHLY:
        when = f"Monthly on day {schedule.day_of_month}"
    else:
        when = "Daily"
    return f"{when} at {schedule.at_time} ({schedule.timezone})"

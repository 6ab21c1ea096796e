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
import unicodedata
from datetime import UTC, datetime, time
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import find_active_user, find_organization
from omnivox.core.config import Settings
from omnivox.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission, Role
from omnivox.core.security.principal import Principal
from omnivox.reporting.schedule_models import ReportSchedule
from omnivox.reporting.schedule_send import WebhookRefused, check_webhook_host
from omnivox.reporting.schedule_times import (
    Frequency,
    RelativeRange,
    Rule,
    next_slot,
    range_for,
)
from omnivox.reporting.service import ReportAsk, report_for

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


def ask_of(definition: dict[str, Any], start: Any, end: Any) -> ReportAsk:
    return ReportAsk(
        start=start,
        end=end,
        template=str(definition.get("template") or ""),
        metrics=tuple(definition.get("metrics") or ()),
        by=tuple(definition.get("by") or ()),
        filters=dict(definition.get("filters") or {}),
        granularity=definition.get("granularity"),
    )


async def owner_principal(session: AsyncSession, org_id: str, owner_id: str) -> Principal | None:
    """Who a schedule runs as: its owner with the role they hold now (not the token that
    saved it), so it never shows more than the owner may see today; None when the owner
    is no longer an active user."""
    owner = await find_active_user(session, org_id, owner_id)
    if owner is None:
        return None
    return Principal(
        owner.id, owner.organization_id, owner.email, owner.name, Role(owner.role), "system"
    )


async def org_timezone(session: AsyncSession, org_id: str) -> str:
    """The zone the engine reads dates in, so the one a slot's range is computed in."""
    org = await find_organization(session, org_id)
    return org.timezone if org is not None else "UTC"


async def check_schedule(
    session: AsyncSession,
    owner: Principal,
    data: ScheduleWrite,
    settings: Settings,
    now: datetime,
) -> Rule:
    """Every reason the schedule cannot be saved, as a 4xx naming the field. The report
    is run once as ``owner``, as the engine will run it at each slot, so what could never
    be delivered (an unknown queue, a template the owner may not run) is refused now."""
    bad = [c for c in data.name if unicodedata.category(c).startswith("C")]
    if bad:
        raise InvalidInput.on(
            "name", "a name may not hold line breaks, tabs or other control characters"
        )
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
    await _check_destinations(data, settings)
    zone = await org_timezone(session, owner.organization_id)
    start, end = range_for(data.range, next_slot(rule, now), zone)
    await report_for(session, owner, ask_of(definition_of(data), start, end), settings)
    return rule


async def _check_destinations(data: ScheduleWrite, settings: Settings) -> None:
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
        try:
            await check_webhook_host(data.webhook_url, settings)
        except WebhookRefused as exc:
            raise InvalidInput.on("webhook_url", str(exc)) from None


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
    owner = await owner_principal(session, actor.organization_id, actor.user_id)
    if owner is None:
        raise PermissionDenied("a report schedule belongs to a person (sign in as one)")
    rule = await check_schedule(session, owner, data, settings, now)
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
) -> tuple[ReportSchedule, str | None]:
    """Change a schedule. Slots from now on follow the new rule; one already due is
    still delivered (its delivery row exists). A webhook URL set or changed gets a new
    signing secret, returned (once) as the second item; otherwise that is None."""
    schedule = await get_schedule(session, actor, schedule_id)
    owner = await owner_principal(session, schedule.organization_id, schedule.owner_id)
    if owner is None:
        raise Conflict("the schedule's owner is no longer an active user; delete it instead")
    rule = await check_schedule(session, owner, data, settings, now)
    # New times, or back from a pause: no catching up on slots of the old rule or the pause.
    restart = rule != rule_of(schedule) or not schedule.enabled
    # A new receiver gets a new key: the old one was shown to whoever set up the old one.
    new_url = bool(data.webhook_url) and data.webhook_url != schedule.webhook_url
    _apply(schedule, data, rule)
    if restart:
        schedule.planned_until = max(schedule.planned_until, now.astimezone(UTC))
    secret = None
    if new_url:
        secret = schedule.webhook_secret = secrets.token_hex(32)
    await session.commit()
    return schedule, secret


async def rotate_webhook_secret(
    session: AsyncSession, actor: Principal, schedule_id: str
) -> ReportSchedule:
    """A new signing secret for the schedule's webhook (readable on the returned row);
    the old one stops being used at once."""
    schedule = await get_schedule(session, actor, schedule_id)
    if not schedule.webhook_url:
        raise Conflict("the schedule has no webhook; give it a webhook URL first")
    schedule.webhook_secret = secrets.token_hex(32)
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

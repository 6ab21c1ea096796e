"""Organisations: creation with defaults, profile, compliance, business hours, holidays."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit
from omnivox.accounts.allow_lists import check_ranges, guard_self
from omnivox.accounts.defaults import DEFAULT_DISPOSITIONS, DEFAULT_HOURS
from omnivox.accounts.models import BusinessHours, Disposition, Holiday, Organization
from omnivox.accounts.references import ReferenceGuard
from omnivox.accounts.schemas import (
    RIGHT_PARTY_CATEGORIES,
    BusinessHoursRead,
    BusinessHoursWrite,
    ComplianceSettings,
    HolidayCreate,
    HoursInterval,
    OrganizationCreate,
    OrganizationUpdate,
)
from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from omnivox.core.security.principal import Principal


async def create_organization(
    session: AsyncSession, actor: Principal, data: OrganizationCreate
) -> Organization:
    if await session.scalar(select(Organization.id).where(Organization.slug == data.slug)):
        raise Conflict(
            f"an organisation with slug {data.slug!r} already exists",
            problems=[FieldProblem("slug", "already taken")],
        )
    org = Organization(slug=data.slug, name=data.name, timezone=data.timezone, locale=data.locale)
    session.add(org)
    await session.flush()
    for order, (code, label, category, final) in enumerate(DEFAULT_DISPOSITIONS):
        session.add(
            Disposition(
                organization_id=org.id,
                code=code,
                label=label,
                category=category.value,
                is_final=final,
                sort_order=order * 10,
                right_party=category in RIGHT_PARTY_CATEGORIES,
            )
        )
    for weekday, opens, closes in DEFAULT_HOURS:
        session.add(
            BusinessHours(organization_id=org.id, weekday=weekday, opens=opens, closes=closes)
        )
    audit.record(
        session,
        actor,
        "organization.create",
        "organization",
        org.id,
        after=audit.snapshot(org),
        organization_id=org.id,
    )
    await _commit(session, f"an organisation with slug {data.slug!r} already exists")
    return org


async def _commit(session: AsyncSession, conflict_message: str) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(conflict_message) from None


async def list_organizations(session: AsyncSession) -> list[Organization]:
    return list((await session.scalars(select(Organization).order_by(Organization.name))).all())


async def get_organization(session: AsyncSession, organization_id: str) -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise NotFound("organisation not found")
    return org


async def find_organization_by_slug(session: AsyncSession, slug: str) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.slug == slug))


async def update_organization(
    session: AsyncSession,
    actor: Principal,
    organization_id: str,
    data: OrganizationUpdate,
    *,
    guard: ReferenceGuard,
    address: str | None = None,
) -> Organization:
    """``address``: where the actor is saving from, when they save an allow-list (they
    must stay inside it: ``allow_lists.guard_self``)."""
    org = await get_organization(session, organization_id)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    for field in ("ip_allow_web", "ip_allow_api"):
        if field in changes:
            changes[field] = check_ranges(changes[field], field)
    if ("ip_allow_web" in changes or "ip_allow_api" in changes) and org.id == actor.organization_id:
        guard_self(actor, address, changes.get("ip_allow_web"), changes.get("ip_allow_api"))
    if changes.get("default_caller_ids"):
        # Presenting another organisation's number is spoofing: refuse to list it at all.
        theirs = await guard.numbers_of_other_organizations(
            session, org.id, list(changes["default_caller_ids"])
        )
        if theirs:
            raise InvalidInput.on(
                "default_caller_ids",
                f"{', '.join(theirs)} belongs to another organisation; list only this "
                "organisation's numbers or numbers it has verified with the carrier",
            )
    return await audit.audited_update(
        session,
        actor,
        org,
        changes,
        action="organization.update",
        entity_type="organization",
        organization_id=org.id,
    )


async def delete_organization(
    session: AsyncSession, actor: Principal, organization_id: str
) -> None:
    org = await get_organization(session, organization_id)
    if org.id == actor.organization_id:
        raise Conflict("you cannot delete the organisation you are signed in to")
    audit.record(
        session,
        actor,
        "organization.delete",
        "organization",
        org.id,
        before=audit.snapshot(org),
        organization_id=actor.organization_id,
    )
    await session.delete(org)
    await session.commit()


def compliance_of(org: Organization) -> ComplianceSettings:
    return ComplianceSettings(
        abandon_rate_cap=org.abandon_rate_cap,
        abandon_window_hours=org.abandon_window_hours,
        calling_window_start=org.calling_window_start,
        calling_window_end=org.calling_window_end,
        recording_disclosure=org.recording_disclosure,
    )


async def update_compliance(
    session: AsyncSession, actor: Principal, data: ComplianceSettings
) -> ComplianceSettings:
    org = await get_organization(session, actor.organization_id)
    await audit.audited_update(
        session,
        actor,
        org,
        data.model_dump(),
        action="compliance.update",
        entity_type="organization",
    )
    return compliance_of(org)


async def get_business_hours(session: AsyncSession, organization_id: str) -> BusinessHoursRead:
    org = await get_organization(session, organization_id)
    rows = await session.scalars(
        select(BusinessHours)
        .where(BusinessHours.organization_id == organization_id)
        .order_by(BusinessHours.weekday, BusinessHours.opens)
    )
    return BusinessHoursRead(
        timezone=org.timezone,
        intervals=[HoursInterval(weekday=r.weekday, opens=r.opens, closes=r.closes) for r in rows],
    )


def check_no_overlap(intervals: list[HoursInterval]) -> None:
    ordered = sorted(intervals, key=lambda i: (i.weekday, i.opens))
    for prev, cur in pairwise(ordered):
        if prev.weekday == cur.weekday and cur.opens < prev.closes:
            raise Conflict(
                f"intervals overlap on weekday {cur.weekday}: "
                f"{prev.opens:%H:%M}-{prev.closes:%H:%M} and {cur.opens:%H:%M}-{cur.closes:%H:%M}",
                problems=[FieldProblem("intervals", "overlapping intervals")],
            )


async def replace_business_hours(
    session: AsyncSession, actor: Principal, data: BusinessHoursWrite
) -> BusinessHoursRead:
    check_no_overlap(data.intervals)
    before = await get_business_hours(session, actor.organization_id)
    await session.execute(
        delete(BusinessHours).where(BusinessHours.organization_id == actor.organization_id)
    )
    for i in data.intervals:
        session.add(
            BusinessHours(
                organization_id=actor.organization_id,
                weekday=i.weekday,
                opens=i.opens,
                closes=i.closes,
            )
        )
    audit.record(
        session,
        actor,
        "business_hours.replace",
        "business_hours",
        actor.organization_id,
        before=before.model_dump(mode="json"),
        after=data.model_dump(mode="json"),
    )
    await session.commit()
    return await get_business_hours(session, actor.organization_id)


async def list_holidays(session: AsyncSession, organization_id: str) -> list[Holiday]:
    query = select(Holiday).where(Holiday.organization_id == organization_id)
    return list((await session.scalars(query.order_by(Holiday.starts_on))).all())


async def add_holiday(session: AsyncSession, actor: Principal, data: HolidayCreate) -> Holiday:
    for h in await list_holidays(session, actor.organization_id):
        if data.starts_on <= h.ends_on and h.starts_on <= data.ends_on:
            raise Conflict(
                f"overlaps the holiday {h.name!r} ({h.starts_on} to {h.ends_on})",
                problems=[FieldProblem("starts_on", f"overlaps {h.name!r}")],
            )
    holiday = Holiday(organization_id=actor.organization_id, **data.model_dump())
    session.add(holiday)
    await session.flush()
    audit.record(
        session, actor, "holiday.create", "holiday", holiday.id, after=audit.snapshot(holiday)
    )
    await session.commit()
    return holiday


async def delete_holiday(session: AsyncSession, actor: Principal, holiday_id: str) -> None:
    holiday = await session.scalar(
        select(Holiday).where(
            Holiday.id == holiday_id, Holiday.organization_id == actor.organization_id
        )
    )
    if holiday is None:
        raise NotFound("holiday not found")
    audit.record(
        session, actor, "holiday.delete", "holiday", holiday.id, before=audit.snapshot(holiday)
    )
    await session.delete(holiday)
    await session.commit()

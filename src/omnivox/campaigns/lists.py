"""Contact lists and their contacts: CRUD, search with filters and pages, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit_snapshot, audited_update, find_organization, record_audit
from omnivox.campaigns.models import Contact, ContactAttempt, ContactList
from omnivox.campaigns.phones import infer_zones
from omnivox.campaigns.schemas import ContactCreate, ListCreate, ListUpdate
from omnivox.core.errors import Conflict, FieldProblem, NotFound
from omnivox.core.security.principal import Principal

VISIBLE = Contact.status != "staged"  # rows of a running import are not there yet


async def list_lists(session: AsyncSession, org_id: str) -> list[tuple[ContactList, int]]:
    """Every list with its contact count, in one query."""
    counts = (
        select(Contact.list_id, func.count().label("n"))
        .where(Contact.organization_id == org_id, VISIBLE)
        .group_by(Contact.list_id)
        .subquery()
    )
    rows = await session.execute(
        select(ContactList, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.list_id == ContactList.id)
        .where(ContactList.organization_id == org_id)
        .order_by(ContactList.name)
    )
    return [(row[0], int(row[1])) for row in rows.all()]


async def get_list(session: AsyncSession, org_id: str, list_id: str) -> ContactList:
    found = await session.scalar(
        select(ContactList).where(ContactList.id == list_id, ContactList.organization_id == org_id)
    )
    if found is None:
        raise NotFound("contact list not found")
    return found


async def find_list_by_name(session: AsyncSession, org_id: str, name: str) -> ContactList | None:
    return await session.scalar(
        select(ContactList).where(ContactList.organization_id == org_id, ContactList.name == name)
    )


async def count_contacts(session: AsyncSession, list_id: str) -> int:
    total = await session.scalar(
        select(func.count()).select_from(Contact).where(Contact.list_id == list_id, VISIBLE)
    )
    return int(total or 0)


async def _flush(session: AsyncSession, name: str) -> None:
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a list named {name!r} already exists",
            problems=[FieldProblem("name", "already used")],
        ) from None


async def create_list(session: AsyncSession, actor: Principal, data: ListCreate) -> ContactList:
    row = ContactList(
        organization_id=actor.organization_id, name=data.name, description=data.description
    )
    session.add(row)
    await _flush(session, data.name)
    record_audit(session, actor, "list.create", "contact_list", row.id, after=audit_snapshot(row))
    await session.commit()
    return row


async def update_list(
    session: AsyncSession, actor: Principal, list_id: str, data: ListUpdate
) -> ContactList:
    row = await get_list(session, actor.organization_id, list_id)
    return await audited_update(
        session,
        actor,
        row,
        data.model_dump(exclude_unset=True, exclude_none=True),
        action="list.update",
        entity_type="contact_list",
        then=lambda: _flush(session, row.name),
    )


async def delete_list(session: AsyncSession, actor: Principal, list_id: str) -> None:
    row = await get_list(session, actor.organization_id, list_id)
    record_audit(session, actor, "list.delete", "contact_list", row.id, before=audit_snapshot(row))
    await session.delete(row)
    await session.commit()


async def add_contact(
    session: AsyncSession, actor: Principal, list_id: str, data: ContactCreate, now: datetime
) -> Contact:
    await get_list(session, actor.organization_id, list_id)
    org = await find_organization(session, actor.organization_id)
    zones = infer_zones(data.phone, data.timezone, org.timezone if org else "UTC")
    contact = Contact(
        organization_id=actor.organization_id,
        list_id=list_id,
        phone=data.phone,
        first_name=data.first_name,
        last_name=data.last_name,
        email=data.email,
        custom_fields=data.custom_fields,
        timezone=zones.value,
        timezone_source=zones.source,
        priority=data.priority,
        created_at=now,
    )
    session.add(contact)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"{data.phone} is already in this list", problems=[FieldProblem("phone", "duplicate")]
        ) from None
    return contact


@dataclass(frozen=True)
class ContactQuery:
    list_id: str | None = None
    search: str = ""
    status: str | None = None
    disposition: str | None = None
    page: int = 1
    per_page: int = 50


async def search_contacts(
    session: AsyncSession, org_id: str, q: ContactQuery
) -> tuple[list[Contact], int]:
    """A page of contacts matching the filters, with the total that match."""
    where = [Contact.organization_id == org_id, VISIBLE]
    if q.list_id:
        where.append(Contact.list_id == q.list_id)
    if q.status:
        where.append(Contact.status == q.status)
    if q.disposition:
        where.append(Contact.last_disposition == q.disposition)
    if q.search:
        term = f"%{q.search.strip()}%"
        where.append(
            or_(
                Contact.phone.like(term),
                Contact.first_name.ilike(term),
                Contact.last_name.ilike(term),
                Contact.email.ilike(term),
            )
        )
    total = await session.scalar(select(func.count()).select_from(Contact).where(*where))
    rows = await session.scalars(
        select(Contact)
        .where(*where)
        .order_by(Contact.created_at.desc(), Contact.id)
        .limit(q.per_page)
        .offset((q.page - 1) * q.per_page)
    )
    return list(rows.all()), int(total or 0)


async def get_contact(session: AsyncSession, org_id: str, contact_id: str) -> Contact:
    found = await session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.organization_id == org_id, VISIBLE)
    )
    if found is None:
        raise NotFound("contact not found")
    return found


async def contact_history(
    session: AsyncSession, org_id: str, contact_id: str
) -> list[ContactAttempt]:
    """Every dial of the contact, newest first (the dialler writes these)."""
    await get_contact(session, org_id, contact_id)
    rows = await session.scalars(
        select(ContactAttempt)
        .where(ContactAttempt.contact_id == contact_id, ContactAttempt.organization_id == org_id)
        .order_by(ContactAttempt.at.desc(), ContactAttempt.id)
    )
    return list(rows.all())

"""Audit log: who changed what, when, with the before and after state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.inspection import inspect

from omnivox.accounts.models import AuditEntry
from omnivox.core.logging import request_id_var
from omnivox.core.security.principal import Principal

# Never copied into the audit log.
_SECRET_FIELDS = {"password_hash", "totp_secret", "token_hash", "totp_last_step"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: object) -> dict[str, Any]:
    """Column values of an ORM object, secrets left out."""
    mapper = inspect(type(obj))
    return {
        col.key: _jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in _SECRET_FIELDS
    }


def record(
    session: AsyncSession,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organization_id: str | None = None,
) -> None:
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            return
    session.add(
        AuditEntry(
            organization_id=organization_id
            if organization_id is not None
            else actor.organization_id,
            actor_id=actor.user_id or None,
            actor_email=actor.email,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
            request_id=request_id_var.get(),
        )
    )


class Identified(Protocol):
    @property
    def id(self) -> str: ...


Row = TypeVar("Row", bound=Identified)


async def audited_update(
    session: AsyncSession,
    actor: Principal,
    row: Row,
    changes: Mapping[str, Any],
    *,
    action: str,
    entity_type: str,
    organization_id: str | None = None,
    then: Callable[[], Awaitable[object]] | None = None,
) -> Row:
    """Set ``changes`` on ``row``, record ``action`` with the row's before and after, commit.

    ``then`` runs after the changes are set and before the entry is recorded: a flush that
    turns a duplicate name into a Conflict, or writing rows that belong to this one.
    """
    before = snapshot(row)
    for field, value in changes.items():
        setattr(row, field, value)
    if then is not None:
        await then()
    record(
        session,
        actor,
        action,
        entity_type,
        row.id,
        before=before,
        after=snapshot(row),
        organization_id=organization_id,
    )
    await session.commit()
    return row


async def list_audit(
    session: AsyncSession,
    organization_id: str,
    *,
    limit: int = 100,
    offset: int = 0,
    entity_type: str | None = None,
) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id).limit(limit).offset(offset)
    return list((await session.scalars(query)).all())

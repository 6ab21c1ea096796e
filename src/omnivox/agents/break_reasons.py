"""The organisation's break ("not ready") reasons.

Defaults are created lazily the first time an organisation's reasons are needed, and only
when it has none at all, so reasons an admin deleted do not come back. ``missed`` is a
system reason: the state machine sets it when an offer is not answered in time, so it
cannot be deleted, deactivated, or chosen by a person.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit_snapshot, audited_update, record_audit
from omnivox.agents.errors import BreakReasonNotFound, SystemBreakReason, UnknownBreakReason
from omnivox.agents.fsm import MISSED_REASON
from omnivox.agents.models import BreakReason
from omnivox.agents.schemas import BreakReasonCreate, BreakReasonUpdate
from omnivox.core.errors import Conflict, FieldProblem
from omnivox.core.security.principal import Principal

DEFAULT_BREAK_REASONS: tuple[tuple[str, str, bool], ...] = (
    ("break", "Break", False),
    ("lunch", "Lunch", False),
    ("training", "Training", False),
    ("meeting", "Meeting", False),
    (MISSED_REASON, "Missed an offered call", True),
)


async def ensure_default_break_reasons(session: AsyncSession, org_id: str) -> None:
    """Create the default reasons for an organisation that has none (flushes, no commit)."""
    exists = await session.scalar(
        select(BreakReason.id).where(BreakReason.organization_id == org_id).limit(1)
    )
    if exists is not None:
        return
    try:
        async with session.begin_nested():  # a concurrent request may do the same
            for order, (code, label, system) in enumerate(DEFAULT_BREAK_REASONS):
                session.add(
                    BreakReason(
                        organization_id=org_id,
                        code=code,
                        label=label,
                        is_system=system,
                        is_active=True,
                        sort_order=order * 10,
                    )
                )
    except IntegrityError:
        pass


async def list_break_reasons(
    session: AsyncSession, org_id: str, *, active_only: bool = False
) -> list[BreakReason]:
    await ensure_default_break_reasons(session, org_id)
    await session.commit()
    query = select(BreakReason).where(BreakReason.organization_id == org_id)
    if active_only:
        query = query.where(BreakReason.is_active.is_(True))
    query = query.order_by(BreakReason.sort_order, BreakReason.code)
    return list((await session.scalars(query)).all())


async def check_choosable(session: AsyncSession, org_id: str, code: str) -> None:
    """A person may choose an active, non-system reason of their organisation."""
    await ensure_default_break_reasons(session, org_id)
    found = await session.scalar(
        select(BreakReason).where(
            BreakReason.organization_id == org_id,
            BreakReason.code == code,
            BreakReason.is_active.is_(True),
            BreakReason.is_system.is_(False),
        )
    )
    if found is None:
        raise UnknownBreakReason(code)


async def get_break_reason(session: AsyncSession, org_id: str, reason_id: str) -> BreakReason:
    found = await session.scalar(
        select(BreakReason).where(
            BreakReason.id == reason_id, BreakReason.organization_id == org_id
        )
    )
    if found is None:
        raise BreakReasonNotFound("break reason not found")
    return found


async def create_break_reason(
    session: AsyncSession, actor: Principal, data: BreakReasonCreate
) -> BreakReason:
    await ensure_default_break_reasons(session, actor.organization_id)
    reason = BreakReason(
        organization_id=actor.organization_id,
        code=data.code,
        label=data.label,
        sort_order=data.sort_order,
        is_active=True,
        is_system=False,
    )
    session.add(reason)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a break reason with code {data.code!r} already exists",
            problems=[FieldProblem("code", "already used")],
        ) from None
    record_audit(
        session,
        actor,
        "break_reason.create",
        "break_reason",
        reason.id,
        after=audit_snapshot(reason),
    )
    await session.commit()
    return reason


async def update_break_reason(
    session: AsyncSession, actor: Principal, reason_id: str, data: BreakReasonUpdate
) -> BreakReason:
    reason = await get_break_reason(session, actor.organization_id, reason_id)
    if reason.is_system and data.is_active is False:
        raise SystemBreakReason("the 'missed' reason is set by the system and stays active")
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    return await audited_update(
        session, actor, reason, changes, action="break_reason.update", entity_type="break_reason"
    )


async def delete_break_reason(session: AsyncSession, actor: Principal, reason_id: str) -> None:
    reason = await get_break_reason(session, actor.organization_id, reason_id)
    if reason.is_system:
        raise SystemBreakReason("the 'missed' reason is set by the system and cannot be deleted")
    # History keeps the code as text, so past breaks still report under their code.
    record_audit(
        session,
        actor,
        "break_reason.delete",
        "break_reason",
        reason.id,
        before=audit_snapshot(reason),
    )
    await session.delete(reason)
    await session.commit()

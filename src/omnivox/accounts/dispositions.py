"""The organisation's disposition catalogue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit
from omnivox.accounts.models import Disposition
from omnivox.accounts.schemas import RIGHT_PARTY_CATEGORIES, DispositionCreate, DispositionUpdate
from omnivox.core.errors import Conflict, FieldProblem, NotFound
from omnivox.core.security.principal import Principal


async def list_dispositions(
    session: AsyncSession, org_id: str, *, active_only: bool = False
) -> list[Disposition]:
    query = select(Disposition).where(Disposition.organization_id == org_id)
    if active_only:
        query = query.where(Disposition.is_active.is_(True))
    return list(
        (await session.scalars(query.order_by(Disposition.sort_order, Disposition.code))).all()
    )


async def get_disposition(session: AsyncSession, org_id: str, disposition_id: str) -> Disposition:
    disp = await session.scalar(
        select(Disposition).where(
            Disposition.id == disposition_id, Disposition.organization_id == org_id
        )
    )
    if disp is None:
        raise NotFound("disposition not found")
    return disp


async def create_disposition(
    session: AsyncSession, actor: Principal, data: DispositionCreate
) -> Disposition:
    code = data.code.upper()
    disp = Disposition(
        organization_id=actor.organization_id,
        code=code,
        label=data.label,
        category=data.category.value,
        is_final=data.is_final,
        sort_order=data.sort_order,
        right_party=(
            data.category in RIGHT_PARTY_CATEGORIES
            if data.right_party is None
            else data.right_party
        ),
    )
    session.add(disp)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a disposition with code {code} already exists",
            problems=[FieldProblem("code", "already used")],
        ) from None
    audit.record(
        session, actor, "disposition.create", "disposition", disp.id, after=audit.snapshot(disp)
    )
    await session.commit()
    return disp


async def update_disposition(
    session: AsyncSession, actor: Principal, disposition_id: str, data: DispositionUpdate
) -> Disposition:
    disp = await get_disposition(session, actor.organization_id, disposition_id)
    changes = {
        field: value.value if field == "category" else value
        for field, value in data.model_dump(exclude_unset=True).items()
        if value is not None
    }
    return await audit.audited_update(
        session, actor, disp, changes, action="disposition.update", entity_type="disposition"
    )


async def delete_disposition(session: AsyncSession, actor: Principal, disposition_id: str) -> None:
    disp = await get_disposition(session, actor.organization_id, disposition_id)
    if disp.category == "system":
        raise Conflict(
            "system dispositions are used by the dialler and cannot be deleted; "
            "deactivate them instead"
        )
    audit.record(
        session, actor, "disposition.delete", "disposition", disp.id, before=audit.snapshot(disp)
    )
    await session.delete(disp)
    await session.commit()

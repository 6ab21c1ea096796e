"""Routing's references to accounts' rows, for accounts' deletes (``accounts.ReferenceGuard``).

Queues keep their required skills as JSON keyed by skill id, and numbers name the person
they route to by id, with no foreign key: deleting the skill or the person would leave a
queue nobody can serve or callers with nowhere to go.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.routing.models import InboundNumber, Queue


class RoutingReferences:
    """Implements ``omnivox.accounts.ReferenceGuard``."""

    async def queues_requiring_skill(
        self, session: AsyncSession, org_id: str, skill_id: str
    ) -> list[str]:
        queues = await session.execute(
            select(Queue.name, Queue.required_skills)
            .where(Queue.organization_id == org_id)
            .order_by(Queue.name)
        )
        return [name for name, required in queues if skill_id in (required or {})]

    async def numbers_routed_to_person(
        self, session: AsyncSession, org_id: str, user_id: str
    ) -> list[str]:
        return list(
            await session.scalars(
                select(InboundNumber.number)
                .where(
                    InboundNumber.organization_id == org_id,
                    InboundNumber.target_kind.in_(("agent", "voicemail")),
                    InboundNumber.target_id == user_id,
                )
                .order_by(InboundNumber.number)
            )
        )

    async def numbers_of_other_organizations(
        self, session: AsyncSession, org_id: str, numbers: list[str]
    ) -> list[str]:
        if not numbers:
            return []
        return list(
            await session.scalars(
                select(InboundNumber.number)
                .where(InboundNumber.number.in_(numbers), InboundNumber.organization_id != org_id)
                .order_by(InboundNumber.number)
            )
        )

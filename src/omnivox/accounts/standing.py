"""Whether a user may act at all: asked by every way in (sessions, API tokens)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts.models import Organization, User


async def may_act(session: AsyncSession, user: User | None) -> bool:
    """An active user of an active organisation: disabling either ends access at once."""
    if user is None or not user.is_active:
        return False
    org = await session.get(Organization, user.organization_id)
    return org is not None and org.is_active

"""Background work done organisation by organisation: each active organisation in its own
transaction, so one organisation's trouble (bad data, a lock timeout) costs only its own
pass, and the others' work is kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.accounts.organizations import list_organizations
from omnivox.core.logging import get_logger

T = TypeVar("T")
log = get_logger(__name__)


async def each_active_organization(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession, str], Awaitable[T]],
    failure: str,
) -> dict[str, T]:
    """``work(session, org_id)`` for every active organisation, committed one by one; what
    each returned, for those that did not fail (a failure is logged as ``failure``)."""
    async with sessions() as session:
        orgs = [o.id for o in await list_organizations(session) if o.is_active]
    done: dict[str, T] = {}
    for org_id in orgs:
        async with sessions() as session:
            try:
                done[org_id] = await work(session, org_id)
                await session.commit()
            except Exception:  # one organisation's trouble must not cost the others
                await session.rollback()
                done.pop(org_id, None)
                log.exception(failure, organization_id=org_id)
    return done

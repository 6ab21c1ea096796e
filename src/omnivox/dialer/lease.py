"""One node per campaign: a lease row taken with a conditional UPDATE (or a first INSERT).

Plain SQL that behaves the same on SQLite and PostgreSQL: the UPDATE only matches when the
lease is ours or has expired, so of two nodes racing for an expired lease exactly one
UPDATE changes the row; of two nodes racing to create it, the primary key refuses one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.dialer.models import DialerLease


@dataclass
class Leases:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    node_id: str
    ttl_seconds: float = 15.0

    async def take(self, campaign_id: str) -> bool:
        """Take or renew the campaign's lease; False while another live node holds it."""
        now = self.clock.now()
        expires = now + timedelta(seconds=self.ttl_seconds)
        async with self.sessions() as session:
            result = await session.execute(
                update(DialerLease)
                .where(
                    DialerLease.campaign_id == campaign_id,
                    or_(DialerLease.node_id == self.node_id, DialerLease.expires_at < now),
                )
                .values(node_id=self.node_id, expires_at=expires)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return True
            if await session.get(DialerLease, campaign_id) is not None:
                return False  # held by a live node
            session.add(
                DialerLease(campaign_id=campaign_id, node_id=self.node_id, expires_at=expires)
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False  # another node created it first
            return True

    async def hold(self, session: AsyncSession, campaign_id: str) -> bool:
        """Renew the lease inside the caller's transaction, only while this node holds it:
        the fence for a claim committed in the same transaction. Until that commit the row
        stays locked (PostgreSQL's row lock, SQLite's write lock), so a takeover waits and
        then finds the lease fresh; a takeover committed first makes this return False."""
        result = await session.execute(
            update(DialerLease)
            .where(DialerLease.campaign_id == campaign_id, DialerLease.node_id == self.node_id)
            .values(expires_at=self.clock.now() + timedelta(seconds=self.ttl_seconds))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release(self, campaign_id: str) -> None:
        """Give the campaign up at once (paused, completed, or this node stopping)."""
        async with self.sessions() as session:
            await session.execute(
                delete(DialerLease).where(
                    DialerLease.campaign_id == campaign_id, DialerLease.node_id == self.node_id
                )
            )
            await session.commit()

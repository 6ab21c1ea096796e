"""Background jobs pass over the organisations one by one: each active one in its own
transaction, an inactive one skipped, and one organisation's failure (its work raising,
half done) rolled back without costing the others their committed work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.support import Env

from omnivox.accounts import each_active_organization
from omnivox.accounts.models import Organization


async def test_each_active_organization_keeps_the_others_work_when_one_fails(env: Env) -> None:
    ok = await env.org("ok")
    broken = await env.org("broken")
    asleep = await env.org("asleep")
    async with env.sessions() as s:
        row = await s.get(Organization, asleep)
        assert row is not None
        row.is_active = False
        await s.commit()

    async def rename(session: AsyncSession, org_id: str) -> str:
        row = await session.get(Organization, org_id)
        assert row is not None
        row.name = "Renamed"
        await session.flush()  # written, then the work fails half way
        if org_id == broken:
            raise RuntimeError("lost the database")
        return org_id

    done = await each_active_organization(env.sessions, rename, "rename failed")
    assert done == {ok: ok}
    async with env.sessions() as s:
        names = dict((await s.execute(select(Organization.id, Organization.name))).all())
    assert names[ok] == "Renamed"
    assert names[broken] == "Broken" and names[asleep] == "Asleep"

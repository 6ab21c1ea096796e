"""The periodic job that moves the campaigns' window tallies forward: every
``OMNIVOX_DIALER_WINDOW_TALLY_EVERY_SECONDS`` the job layer tallies, for every active
organisation, the settled slots of its live campaigns' legal windows. Nothing depends on
it running: a window it has not reached is counted from the calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import each_active_organization
from omnivox.core.config import Settings
from omnivox.dialer.window_tally import tally_windows
from omnivox.jobs import JobContext, Jobs

TALLY_JOB = "dialer.tally_windows"


def register_tally(jobs: Jobs, settings: Settings) -> None:
    jobs.periodic(TALLY_JOB, tally_all, settings.dialer_window_tally_every_seconds)


async def tally_all(ctx: JobContext, _args: Mapping[str, Any]) -> None:
    now = ctx.clock.now()

    async def tally(session: AsyncSession, org_id: str) -> int:
        return await tally_windows(session, org_id, now)

    await each_active_organization(ctx.sessions, tally, "window tally failed")

"""The periodic job that moves the campaigns' window tallies forward: every
``OMNIVOX_DIALER_WINDOW_TALLY_EVERY_SECONDS`` the job layer tallies, for every active
organisation, the settled slots of its live campaigns' legal windows. Nothing depends on
it running: a window it has not reached is counted from the calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnivox.accounts import list_organizations
from omnivox.core.config import Settings
from omnivox.core.logging import get_logger
from omnivox.dialer.window_tally import tally_windows
from omnivox.jobs import JobContext, Jobs

TALLY_JOB = "dialer.tally_windows"
log = get_logger(__name__)


def register_tally(jobs: Jobs, settings: Settings) -> None:
    jobs.periodic(TALLY_JOB, tally_all, settings.dialer_window_tally_every_seconds)


async def tally_all(ctx: JobContext, _args: Mapping[str, Any]) -> None:
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        orgs = [o.id for o in await list_organizations(session) if o.is_active]
    for org_id in orgs:
        async with ctx.sessions() as session:
            try:
                await tally_windows(session, org_id, now)
                await session.commit()
            except Exception:  # one organisation's trouble must not cost the others
                await session.rollback()
                log.exception("window tally failed", organization_id=org_id)

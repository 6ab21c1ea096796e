"""The periodic lost-event sweep: every ``OMNIVOX_REPORT_SWEEP_EVERY_SECONDS`` the job
layer counts, for every active organisation, the calls that ended within
``OMNIVOX_REPORT_SWEEP_HOURS`` and were never counted (their ``CallEnded`` was lost in a
crash, or the upkeep's unflushed commit was). Claims keep it exact beside live upkeep
and on several nodes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import each_active_organization
from omnivox.core.config import Settings
from omnivox.core.logging import get_logger
from omnivox.jobs import JobContext, Jobs
from omnivox.reporting.upkeep import sweep_uncounted

SWEEP_JOB = "reports.sweep_uncounted"
log = get_logger(__name__)


def register_sweep(jobs: Jobs, settings: Settings) -> None:
    jobs.periodic(SWEEP_JOB, sweep_all, settings.report_sweep_every_seconds)


async def sweep_all(ctx: JobContext, _args: Mapping[str, Any]) -> None:
    since = ctx.clock.now() - timedelta(hours=ctx.settings.report_sweep_hours)

    async def sweep(session: AsyncSession, org_id: str) -> int:
        return await sweep_uncounted(session, org_id, since)

    swept = await each_active_organization(ctx.sessions, sweep, "lost-event sweep failed")
    for org_id, counted in swept.items():
        if counted:
            log.warning("lost call endings counted", organization_id=org_id, calls=counted)

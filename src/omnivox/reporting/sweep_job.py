"""The periodic lost-event sweep: every ``OMNIVOX_REPORT_SWEEP_EVERY_SECONDS`` the job
layer counts, for every active organisation, the calls that ended within
``OMNIVOX_REPORT_SWEEP_HOURS`` and were never counted (their ``CallEnded`` was lost in a
crash, or the upkeep's unflushed commit was). Claims keep it exact beside live upkeep
and on several nodes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from omnivox.accounts import list_organizations
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
    async with ctx.sessions() as session:
        orgs = [o.id for o in await list_organizations(session) if o.is_active]
    for org_id in orgs:
        async with ctx.sessions() as session:
            try:
                counted = await sweep_uncounted(session, org_id, since)
                await session.commit()
            except Exception:  # one organisation's trouble must not cost the others
                await session.rollback()
                log.exception("lost-event sweep failed", organization_id=org_id)
                continue
        if counted:
            log.warning("lost call endings counted", organization_id=org_id, calls=counted)

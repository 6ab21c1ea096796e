"""The PostgreSQL mode: procrastinate. Jobs are rows in procrastinate's tables, deferred
in the caller's own transaction (``procrastinate_defer_jobs_v1`` called through the
caller's session), fetched by workers on any node (``omnivox worker``), periodic tasks
deferred once per period across every worker (procrastinate's periodic lock), failed
runs retried with exponential back-off.

Procrastinate's schema is created by our Alembic migration 0021 (``procrastinate_schema``
is the SQL it runs), so ``omnivox db upgrade`` is the one step that prepares a database;
the package is pinned to the minor version whose schema that migration applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.schema import SchemaManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.jobs.registry import JobContext, Jobs, JobTask

QUEUE = "omnivox"
# Procrastinate's own retries cover a run that raised (a lost connection, a bug fixed by a
# redeploy); a domain that needs a visible retry record keeps it in its own tables.
_RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=5)
_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
    "CAST(:args AS jsonb), CAST(:at AS timestamptz))::procrastinate_job_to_defer_v1])"
)


def procrastinate_schema() -> str:
    """The SQL that creates procrastinate's tables, types and functions."""
    return SchemaManager.get_schema()


def conninfo(database_url: str) -> str:
    """psycopg's form of our SQLAlchemy URL (``postgresql+asyncpg://`` -> ``postgresql://``)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _cron(seconds: int) -> str:
    if seconds < 60:
        return f"*/{seconds} * * * * *"  # croniter's sixth field: seconds
    return f"*/{max(1, seconds // 60)} * * * *"


class ProcrastinateQueue:
    def __init__(
        self,
        jobs: Jobs,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.jobs = jobs
        self.context = JobContext(sessions, settings, clock, self)
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(settings.database_url), min_size=1, max_size=4
        )
        self.app = procrastinate.App(connector=connector)
        for task in jobs.tasks.values():
            self._register(task)

    def _register(self, task: JobTask) -> None:
        context, fn = self.context, task.fn
        if task.every_seconds is None:

            async def run(**kwargs: Any) -> None:
                await fn(context, kwargs)

            self.app.task(name=task.name, queue=QUEUE, retry=_RETRY)(run)
            return

        async def tick(timestamp: int | None = None) -> None:
            await fn(context, {})

        registered = self.app.task(name=task.name, queue=QUEUE)(tick)
        self.app.periodic(cron=_cron(task.every_seconds), periodic_id=task.name)(registered)

    async def defer(
        self,
        session: AsyncSession,
        name: str,
        args: Mapping[str, Any],
        at: datetime | None = None,
    ) -> None:
        self.jobs.get(name)
        await session.execute(
            _DEFER, {"queue": QUEUE, "task": name, "args": json.dumps(dict(args)), "at": at}
        )

    async def work(self, *, wait: bool = True, concurrency: int = 1, signals: bool = False) -> None:
        """Run a worker: until cancelled or signalled (``wait``), or until no job is left
        (tests). ``signals``: stop gracefully on SIGINT/SIGTERM (the command line)."""
        async with self.app.open_async():
            await self.app.run_worker_async(
                queues=[QUEUE],
                wait=wait,
                concurrency=concurrency,
                install_signal_handlers=signals,
            )

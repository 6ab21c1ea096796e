"""The embedded (SQLite) mode: jobs run in the server's own event loop, under its
``TaskSupervisor``. Nothing is queued durably here: a deferred job that a stopped server
never ran is found again by its domain's periodic pass, which reads the domain's tables
(for report schedules, the delivery log)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.core.logging import get_logger
from omnivox.core.tasks import TaskSupervisor
from omnivox.jobs.registry import JobContext, Jobs, JobTask

log = get_logger(__name__)
_PENDING = "omnivox.jobs.pending"


class InProcessQueue:
    def __init__(
        self,
        jobs: Jobs,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        supervisor: TaskSupervisor,
    ) -> None:
        self.jobs = jobs
        self.context = JobContext(sessions, settings, clock, self)
        self._supervisor = supervisor

    def start(self) -> None:
        """Run every periodic task at its interval, from one interval after the start,
        until the supervisor stops. Not at once: a server that starts and stops within
        the interval (a test, a failed deploy) would cancel a pass while it opens its
        database connection, and aiosqlite leaks a connection cancelled while opening."""
        for task in self.jobs.tasks.values():
            if task.every_seconds is not None:
                self._supervisor.run(self._every(task, task.every_seconds), f"job:{task.name}")

    async def _every(self, task: JobTask, seconds: int) -> None:
        while True:
            await self.context.clock.sleep(seconds)
            try:
                await task.fn(self.context, {})
            except Exception:
                log.exception("periodic job failed", job=task.name)

    async def drain(self) -> None:
        """Wait for every deferred job started so far (and those they defer)."""
        await self._supervisor.drain()

    async def run(self, name: str, args: Mapping[str, Any]) -> None:
        await self.jobs.get(name).fn(self.context, args)

    async def defer(
        self,
        session: AsyncSession,
        name: str,
        args: Mapping[str, Any],
        at: datetime | None = None,
    ) -> None:
        self.jobs.get(name)  # an unknown name fails here, in the caller's request
        pending: list[tuple[str, dict[str, Any], datetime | None]] | None
        pending = session.info.get(_PENDING)
        if pending is None:
            pending = session.info[_PENDING] = []
            # Only once the caller's transaction commits, as a row in a job table would.
            event.listen(session.sync_session, "after_commit", self._after_commit)
            event.listen(session.sync_session, "after_rollback", _forget)
        pending.append((name, dict(args), at))

    def _after_commit(self, session: Session) -> None:
        now = self.context.clock.now()
        for name, args, at in session.info.pop(_PENDING, []):
            if at is None or at <= now:
                self._supervisor.spawn(self.run(name, args), f"job:{name}")
            else:  # a service: stopping the server cancels the wait, it does not sit it out
                self._supervisor.run(self._later(name, args, at), f"job:{name}")
        session.info[_PENDING] = []

    async def _later(self, name: str, args: Mapping[str, Any], at: datetime) -> None:
        await self.context.clock.sleep((at - self.context.clock.now()).total_seconds())
        # Awake: a job again, which shutdown lets finish and ``drain`` waits for.
        self._supervisor.spawn(self.run(name, args), f"job:{name}")


def _forget(session: Session) -> None:
    session.info[_PENDING] = []

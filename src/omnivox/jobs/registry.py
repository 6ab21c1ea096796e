"""What the domains register: task functions by name, some of them periodic, and the
context every run receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.core.config import Settings


class JobQueue(Protocol):
    async def defer(
        self,
        session: AsyncSession,
        name: str,
        args: Mapping[str, Any],
        at: datetime | None = None,
    ) -> None:
        """Enqueue ``name(args)`` with the session's transaction: it runs only if that
        transaction commits (and not before ``at``)."""


@dataclass(frozen=True)
class JobContext:
    """What a task function is given: its own sessions, the settings, the clock, and the
    queue (to defer follow-up work)."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock
    queue: JobQueue


JobFn = Callable[[JobContext, Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class JobTask:
    name: str
    fn: JobFn
    every_seconds: int | None = None  # periodic: run this often


@dataclass
class Jobs:
    """The registry; names are global (``reports.deliver``), so keep the domain prefix."""

    tasks: dict[str, JobTask] = field(default_factory=dict)

    def task(self, name: str, fn: JobFn) -> None:
        self._add(JobTask(name, fn))

    def periodic(self, name: str, fn: JobFn, every_seconds: int) -> None:
        self._add(JobTask(name, fn, every_seconds))

    def _add(self, task: JobTask) -> None:
        if task.name in self.tasks:
            raise ValueError(f"job {task.name!r} is registered twice")
        self.tasks[task.name] = task

    def get(self, name: str) -> JobTask:
        try:
            return self.tasks[name]
        except KeyError:
            raise KeyError(f"no job named {name!r}") from None

"""One supervisor for the app's background work.

Two kinds: *jobs* (``spawn``: provider requests made after a webhook has been answered, a
routing pass) run once and are awaited at shutdown (``drain``); *services* (``run``: the
telephony sweep, a dialler loop) run until cancelled. Every task is named, and a failure is
logged with its name, never lost and never fatal to the app.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from omnivox.core.logging import get_logger

log = get_logger(__name__)


class TaskSupervisor:
    def __init__(self) -> None:
        self._jobs: set[asyncio.Task[None]] = set()
        self._services: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, object], name: str) -> asyncio.Task[None]:
        """Run ``coro`` now, in the background; awaited by ``drain``."""
        return self._start(coro, name, self._jobs)

    def run(self, coro: Coroutine[Any, Any, object], name: str) -> asyncio.Task[None]:
        """Run a long-lived ``coro`` until it returns or ``stop`` cancels it."""
        return self._start(coro, name, self._services)

    def _start(
        self, coro: Coroutine[Any, Any, object], name: str, into: set[asyncio.Task[None]]
    ) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(_logged(coro, name), name=name)
        into.add(task)
        task.add_done_callback(into.discard)
        return task

    @property
    def pending(self) -> int:
        return len(self._jobs)

    async def drain(self) -> None:
        """Wait for every job, including jobs spawned while waiting."""
        while self._jobs:
            await asyncio.gather(*list(self._jobs), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the services, then let the jobs finish (they hold provider requests
        whose outcome should be recorded)."""
        for task in list(self._services):
            task.cancel()
        for task in list(self._services):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.drain()


async def _logged(coro: Coroutine[Any, Any, object], name: str) -> None:
    try:
        await coro
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background work failed", task=name)

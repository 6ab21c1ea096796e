"""Task and time bookkeeping for the sandbox carrier.

SIMULATION SUPPORT. Every wait in the sandbox goes through :class:`Runtime`, on the
injected clock, so the carrier runs in real time, accelerated time, or - in tests - on a
``ManualClock`` that only moves when told to. The runtime knows which of its tasks are
*parked* (waiting for clock time or for an outside action such as a key press) and which are
*busy* (running, or waiting for network I/O such as a webhook), which lets tests step virtual
time deterministically with :meth:`Runtime.advance`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from omnivox.core.clock import Clock, ManualClock


class Runtime:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._tasks: set[asyncio.Task[Any]] = set()
        self._parked: set[asyncio.Task[Any]] = set()
        self._deadlines: dict[int, datetime] = {}
        self._ids = itertools.count()
        self._closing = False

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if self._closing:
            # Work started by a task being cancelled at shutdown (a participant leaving its
            # conference sends a webhook): it never runs, so nothing reaches for the HTTP
            # clients the app closes next.
            task.cancel()
        return task

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of clock time (parked meanwhile)."""
        with self._parked_until(seconds):
            await self.clock.sleep(seconds)

    async def wait(self, event: asyncio.Event, within: float | None = None) -> bool:
        """Wait for ``event`` (parked), at most ``within`` clock seconds. True if it fired."""
        if event.is_set():
            return True
        with self._parked_until(within):
            waiter = asyncio.ensure_future(event.wait())
            futures: list[asyncio.Future[Any]] = [waiter]
            if within is not None:
                futures.append(asyncio.ensure_future(self.clock.sleep(within)))
            try:
                await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for fut in futures:
                    fut.cancel()
                await asyncio.gather(*futures, return_exceptions=True)
        return event.is_set()

    @contextmanager
    def _parked_until(self, seconds: float | None) -> Iterator[None]:
        task = asyncio.current_task()
        key = next(self._ids)
        if seconds is not None:
            self._deadlines[key] = self.clock.now() + timedelta(seconds=max(0.0, seconds))
        if task is not None:
            self._parked.add(task)
        try:
            yield
        finally:
            self._deadlines.pop(key, None)
            if task is not None:
                self._parked.discard(task)

    @property
    def busy(self) -> int:
        """Tasks doing something other than waiting for time or an outside action."""
        return sum(1 for t in self._tasks if not t.done() and t not in self._parked)

    async def settle(self, real_seconds: float = 30.0) -> None:
        """Yield until no sandbox task is busy (all are parked or finished).

        Real network I/O (webhooks to a real port) still needs real time, so this gives up
        after ``real_seconds`` rather than hanging a test. Generous: on a starved machine
        (two cores, a database scan alongside) one webhook's database work took 7 to 17 s,
        and a 5-second limit failed tests that were only slow.
        """
        async with asyncio.timeout(real_seconds):
            quiet = spins = 0
            while quiet < 3:  # a few quiet passes: woken tasks may spawn others
                # A task busy for a while waits on I/O (a webhook's database work): wait on
                # the event loop's selector instead of spinning, which starved the database
                # driver's thread and cost most of a long simulation's time.
                await asyncio.sleep(0 if spins < 3 else 0.0005)
                busy = self.busy > 0
                quiet = 0 if busy else quiet + 1
                spins = spins + 1 if busy else 0

    async def advance(self, seconds: float) -> None:
        """Move a ``ManualClock`` forward, waking each sleeper in order and letting what it
        triggers (webhooks, new timers) finish before time moves on."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("advance() needs the sandbox to run on a ManualClock")
        target = clock.now() + timedelta(seconds=seconds)
        await self.settle()
        while True:
            due = [d for d in self._deadlines.values() if d <= target]
            if not due:
                break
            step = (min(due) - clock.now()).total_seconds()
            await clock.advance(max(step, 0.0))
            await self.settle()
        await clock.advance((target - clock.now()).total_seconds())
        await self.settle()

    async def close(self) -> None:
        """Cancel every task, and every task their cancellation starts, until none is left
        (the app closes the carrier's HTTP clients only after this)."""
        self._closing = True
        while self._tasks:
            pending = list(self._tasks)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

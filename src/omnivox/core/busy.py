"""Work in progress that is not waiting on the clock.

A manual clock (tests, simulations) wakes a sleeper and moves on; it cannot tell when the
woken task, now busy with database work, is done. Background work that sleeps on the clock
counts itself here, so a caller can wait for it (``quiesce``) before moving time again, as
real time would have waited for it.
"""

from __future__ import annotations

import asyncio

from omnivox.core.clock import Clock


class Busy:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def add(self, delta: int) -> None:
        self._count += delta
        if self._count:
            self._idle.clear()
        else:
            self._idle.set()

    async def sleep(self, clock: Clock, seconds: float) -> None:
        """Sleep on ``clock`` without counting as busy meanwhile."""
        self.add(-1)
        try:
            await clock.sleep(seconds)
        finally:
            self.add(+1)

    async def quiesce(self) -> None:
        """Return once nothing counted is busy (all done, or asleep on the clock)."""
        while self._count:
            await self._idle.wait()

"""Live rollup upkeep in batches: this process's ended calls are collected and counted
together, one transaction per batch, once the batch holds ``OMNIVOX_REPORT_UPKEEP_BATCH_SIZE``
calls or ``OMNIVOX_REPORT_UPKEEP_BATCH_MS`` after its first call, whichever comes first.
A transaction per call cost more in session, BEGIN and COMMIT than the counting itself.

The call rows are the record, not this queue: a process that dies before a batch is
counted loses only the counting, which the periodic sweep (``sweep_job``) does later, once
(claims in ``report_counted_calls`` keep every count single, here and on other nodes).
Stopping counts what is waiting. After each batch, ``CallsCounted`` is published for each
organisation in it, so what reads today's rollups (the wallboard) rebuilds after them.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.core.events import Audience, EventBus
from omnivox.core.logging import get_logger
from omnivox.core.tasks import TaskSupervisor
from omnivox.reporting.events import CallsCounted
from omnivox.reporting.upkeep import count_calls, relax_commit

log = get_logger(__name__)
Batch = dict[str, str]  # call id -> organisation, in the order the calls ended


async def count_batch(
    sessions: async_sessionmaker[AsyncSession], batch: Batch
) -> dict[str, list[str]]:
    """Count the calls of ``batch`` in one transaction; the ids counted now, by
    organisation (a call counted before, or concurrently elsewhere, is not among them)."""
    if not batch:
        return {}
    by_org: dict[str, list[str]] = {}
    for call_id, org_id in batch.items():
        by_org.setdefault(org_id, []).append(call_id)
    async with sessions() as session:
        await relax_commit(session)
        # Organisations in one order on every node: each locks its organisations' rollup
        # rows as the others do, so two nodes' batches never wait on each other in a cycle.
        counted = {org: await count_calls(session, org, by_org[org]) for org in sorted(by_org)}
        await session.commit()
    return counted


class CallBatcher:
    """Collects this process's ended calls and counts them a batch at a time (one batch
    being counted at once; the calls that end meanwhile wait for the next)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        clock: Clock,
        *,
        size: int,
        delay_seconds: float,
        tasks: TaskSupervisor | None = None,
    ) -> None:
        self.sessions, self.bus, self.clock = sessions, bus, clock
        self.size, self.delay_seconds = size, delay_seconds
        self.tasks = tasks or TaskSupervisor()
        self._waiting: Batch = {}
        self._full = asyncio.Event()
        self._counting = asyncio.Lock()
        self._timer: asyncio.Task[None] | None = None
        self._stopped = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def add(self, org_id: str, call_id: str) -> None:
        """Count this ended call with the next batch (a repeated id is counted once).
        After ``stop`` nothing is counted here: the sweep counts it after the restart."""
        if self._stopped:
            return
        self._waiting[call_id] = org_id
        if len(self._waiting) >= self.size:
            self._full.set()
        if self._timer is None:
            self._timer = self.tasks.run(self._count_soon(), "report upkeep batch")

    async def _count_soon(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._full.wait(), self.delay_seconds)
        async with self._counting:
            # The clock stays taken while a slow batch is counted, so calls ending then
            # start no second timer; those ending from here on start the next batch's.
            self._timer = None
            await self._count_waiting()

    async def flush(self) -> int:
        """Count every call waiting now, after the batch being counted if there is one;
        returns how many were counted. What a test awaits before it reads the rollups."""
        async with self._counting:
            return await self._count_waiting()

    async def _count_waiting(self) -> int:
        taken, self._waiting = self._waiting, {}
        self._full.clear()
        ids = list(taken)
        counted = 0
        for i in range(0, len(ids), self.size):
            counted += await self._count({c: taken[c] for c in ids[i : i + self.size]})
        return counted

    async def _count(self, batch: Batch) -> int:
        counted: dict[str, list[str]] = {}
        for attempt in (1, 2):  # a deadlock with another node's batch: once more
            try:
                counted = await count_batch(self.sessions, batch)
                break
            except Exception:  # any failure, not only a deadlock: the sweep counts them later
                if attempt == 2:
                    log.exception("ended calls left to the sweep", calls=len(batch))
                    return 0
        for org_id, call_ids in counted.items():
            if call_ids:
                await self.bus.publish(
                    CallsCounted(
                        audience=Audience.internal(),
                        at=self.clock.now(),
                        organization_id=org_id,
                        call_ids=tuple(call_ids),
                    )
                )
        return sum(map(len, counted.values()))

    async def stop(self) -> None:
        """Count what is waiting now (a shutdown), after the batch being counted."""
        self._stopped = True
        self._full.set()  # a batch's timer, woken, finds nothing left to count
        await self.flush()
        await self.tasks.stop()

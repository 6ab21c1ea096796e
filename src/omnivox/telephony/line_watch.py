"""A call whose agent's line dropped mid-call: kept for the customer for a grace period,
then handled, never left "connected" with nobody on the agent's side.

The customer's leg lives in the call's own conference and does not notice the line going.
A browser that reloads, or a network that blips, asks for its line again within seconds,
and the new line goes straight back into the call (``LineService.answered``). If the agent
is not back within :data:`LINE_GRACE_SECONDS`:

* an inbound queue call is put back in its queue, the customer on hold with the hold
  music, as a transfer to that queue would (the agent's part goes to wrap-up);
* any other call (a campaign's, the agent's own) ends as the agent's hang-up: the
  customer hears why and is hung up, the call goes to wrap-up, where the agent's
  disposition — or the wrap-up timeout's flagged system one — records its outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from omnivox.core.busy import Busy
from omnivox.core.logging import get_logger
from omnivox.telephony.calls import history_note
from omnivox.telephony.control import CallControl
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.fsm_types import (
    TALKING_STATES,
    AgentHungUp,
    CallState,
    HoldEnded,
    OwnerKind,
    TransferStarted,
    TransferTargetKind,
)
from omnivox.telephony.instructions import Hangup, Say
from omnivox.telephony.models import Call, CallLeg
from omnivox.telephony.plugins import CallPlugins
from omnivox.telephony.service import TelephonyService
from omnivox.telephony.transfers import _transfer_to_queue

log = get_logger(__name__)
LINE_GRACE_SECONDS = 15.0
LOST_AGENT_MESSAGE = "We are sorry, we have lost the connection to your agent. Goodbye."


@dataclass
class LineWatch:
    svc: TelephonyService
    plugins: CallPlugins
    grace_seconds: float = LINE_GRACE_SECONDS
    # Timers at work, not asleep on the clock: tests on a manual clock wait for them.
    busy: Busy = field(default_factory=Busy)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def watch(self, call_id: str, user_id: str) -> None:
        """The agent's line dropped while it was in ``call_id``: decide after the grace."""
        self._spawn(self._expire(call_id, user_id), f"line grace {call_id}")

    async def _expire(self, call_id: str, user_id: str) -> None:
        await self.busy.sleep(self.svc.clock, self.grace_seconds)
        await self.handle(call_id, user_id)

    async def handle(self, call_id: str, user_id: str) -> None:
        svc = self.svc
        async with svc.sessions() as session:
            call = await session.get(Call, call_id)
            if call is None or call.agent_id != user_id:
                return  # gone, or someone else has it now (a transfer)
            if CallState(call.state) not in TALKING_STATES:
                return  # ended, or already in wrap-up
            back = await session.scalar(
                select(CallLeg.id).where(
                    CallLeg.call_id == call_id,
                    CallLeg.user_id == user_id,
                    CallLeg.role == "agent",
                    CallLeg.status.in_(["joining", "joined"]),
                    CallLeg.provider_sid.is_not(None),
                )
            )
        if back is not None:
            return  # their line came back into the call
        log.warning(
            "agent's line lost mid-call: the call is handled without them",
            callId=call_id,
            agentId=user_id,
            state=call.state,
        )
        state = CallState(call.state)
        if (
            call.owner_kind == OwnerKind.QUEUE.value
            and self.plugins.inbound is not None
            and state in {CallState.CONNECTED, CallState.ON_HOLD}
        ):
            await self._requeue(call, state)
        else:
            await self._end(call, user_id)

    async def _requeue(self, call: Call, state: CallState) -> None:
        svc, now = self.svc, self.svc.clock.now()
        async with svc.sessions() as session:
            row = await session.get(Call, call.id)
            assert row is not None
            if state is CallState.ON_HOLD:  # the customer stays on hold, now in the queue
                await svc.apply_and_announce(session, row, HoldEnded(at=now))
        started = TransferStarted(
            at=now, target_kind=TransferTargetKind.QUEUE, target_id=call.owner_id, warm=False
        )
        await _transfer_to_queue(CallControl(svc, self.plugins), row, started, call.owner_id)

    async def _end(self, call: Call, user_id: str) -> None:
        svc, now = self.svc, self.svc.clock.now()
        async with svc.sessions() as session:
            row = await session.get(Call, call.id)
            assert row is not None
            session.add(  # why the agent "hung up", in the call's history
                history_note(
                    row,
                    now,
                    "AgentLineLost",
                    "line-lost",
                    f"the agent's line was lost, not back within {self.grace_seconds:g} s",
                    {"agent_id": user_id},
                )
            )
            await session.commit()
            await svc.apply_and_announce(session, row, AgentHungUp(at=now, agent_id=user_id))
        if row.provider_sid:
            try:
                await svc.provider.instruct_call(
                    row.provider_sid, (Say(text=LOST_AGENT_MESSAGE), Hangup())
                )
            except ProviderError as exc:  # the customer hung up meanwhile
                log.info("could not tell the customer", callId=row.id, error=str(exc))
        await svc.legs.end_all(row)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self.busy.add(+1)
        task = self.svc.tasks.run(coro, name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.busy.add(-1)

    async def quiesce(self) -> None:
        await self.busy.quiesce()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

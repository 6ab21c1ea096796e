"""What happens when a campaign call is answered: an agent within 2 seconds, or the
safe-harbour message; a machine gets the voicemail drop or a hang-up.

The customer joins the call's conference at once, with no wait music; the longest-idle
ready agent of the campaign (available, with a connected line) is reserved
(compare-and-set: one reservation wins) and their line moved into the conference: no
ringing, no click (``telephony/lines.py``). A line the carrier no longer has releases that
agent and the next ready one is tried. A timer on the injected clock fires 2 seconds after
the answer: if the call is not ``connected`` by then it is dropped (``SystemHangup`` first,
so a late agent can no longer connect), the customer hears the safe-harbour message and
the line hangs up. The call records it as abandoned with the system disposition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox import agents
from omnivox.agents import AgentGate, AgentState, AgentStatus
from omnivox.core.busy import Busy
from omnivox.core.events import Audience
from omnivox.core.logging import get_logger
from omnivox.core.security.permissions import Permission
from omnivox.dialer.dial_settings import DialSettings, get_dial_settings
from omnivox.dialer.events import CallTakenBack
from omnivox.dialer.floor import agents_now
from omnivox.dialer.preview import answer_agent_call
from omnivox.telephony import (
    SYSTEM_DISPOSITION_MACHINE,
    AnsweredBy,
    Call,
    CallState,
    Hangup,
    Instruction,
    MachineDetectionMode,
    Play,
    ProviderError,
    Say,
    SystemHangup,
    TelephonyService,
    VoiceRequest,
    summary_of,
)

log = get_logger(__name__)
SAFE_HARBOUR_SECONDS = 2.0
DEFAULT_SAFE_HARBOUR = "Sorry, all our agents are busy. We will try you again later. Goodbye."
TAKEN_BACK_MESSAGE = "Answering machine — handled by the dialler"


@dataclass
class CampaignAnswering:
    """The telephony service's answer handler for calls owned by a campaign."""

    svc: TelephonyService
    gate: AgentGate
    audio_url: Callable[[str], str]  # audio reference -> URL the carrier can fetch
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # Tasks at work, not asleep on the clock: tests on a manual clock wait for them.
    busy: Busy = field(default_factory=Busy)

    # --- answer ------------------------------------------------------------------------

    async def on_answer(self, call: Call, request: VoiceRequest) -> Sequence[Instruction]:
        if call.agent_id:  # preview/manual: the agent who placed it, no timer (preview.py)
            return await answer_agent_call(self.svc, call)
        # The 2 seconds run from the answer itself (the carrier's timestamp when known).
        answered_at = call.answered_at or self.svc.clock.now()
        async with self.svc.sessions() as session:
            settings = await get_dial_settings(session, call.owner_id)
            ready = await agents_now(
                session, call.organization_id, settings.agent_user_ids, self.svc.clock.now()
            )
        for user_id, _since in ready.ready:  # longest idle first
            if await self.gate.reserve(call.organization_id, user_id, call.id):
                self._spawn(self._bridge_agent(call, user_id), f"campaign agent {call.id}")
                break
        # Not the telephony service's leg tasks: its drain() must never wait on a timer.
        self._spawn(self._deadline(call.id, answered_at), f"safe harbour {call.id}")
        # Silence, not music: the customer starts the conference and an agent joins it.
        return (self.svc.customer_conference(call, waits_for_agent=False, wait_url=""),)

    async def _bridge_agent(self, call: Call, user_id: str) -> None:
        """Move the reserved agent's line into the call; a line that is gone releases them
        and the next ready agent is reserved and tried, while the 2 seconds last."""
        tried = {user_id}
        while True:
            if await self.svc.lines.bridge(call, user_id) is not None:
                return
            await release_reserved(self.gate, call.organization_id, call.id)
            answered_at = call.answered_at or self.svc.clock.now()
            if (self.svc.clock.now() - answered_at).total_seconds() >= SAFE_HARBOUR_SECONDS:
                return
            async with self.svc.sessions() as session:
                settings = await get_dial_settings(session, call.owner_id)
                ready = await agents_now(
                    session, call.organization_id, settings.agent_user_ids, self.svc.clock.now()
                )
            for candidate, _since in ready.ready:
                if candidate in tried:
                    continue
                tried.add(candidate)
                if await self.gate.reserve(call.organization_id, candidate, call.id):
                    user_id = candidate
                    break
            else:
                return  # nobody else: the safe-harbour timer ends the call

    async def _deadline(self, call_id: str, answered_at: datetime) -> None:
        elapsed = (self.svc.clock.now() - answered_at).total_seconds()
        await self.busy.sleep(self.svc.clock, max(0.0, SAFE_HARBOUR_SECONDS - elapsed))
        async with self.svc.sessions() as session:
            call = await session.get(Call, call_id)
            if call is None or CallState(call.state) is not CallState.ANSWERED_HUMAN:
                return  # connected, a machine, or already ended
            settings = await get_dial_settings(session, call.owner_id)
            result = await self.svc.apply_and_announce(
                session,
                call,
                SystemHangup(at=self.svc.clock.now(), reason="no agent within 2 seconds"),
            )
            if CallState(call.state) is not CallState.ABANDONED:
                log.info("safe-harbour drop refused", call_id=call_id, result=str(result))
                return
        await self._instruct(call, (*self._safe_harbour(settings), Hangup()))
        await self._release(call)

    def _safe_harbour(self, settings: DialSettings) -> tuple[Instruction, ...]:
        if settings.safe_harbour_audio:
            return (Play(url=self.audio_url(settings.safe_harbour_audio)),)
        return (Say(text=settings.safe_harbour_text or DEFAULT_SAFE_HARBOUR),)

    # --- machines ----------------------------------------------------------------------

    async def on_machine_detection(self, call: Call, answered_by: AnsweredBy) -> None:
        """The call service has applied AMD's verdict. A machine is now the dialler's to end
        (``answered_machine``), whether an agent was ringing or already connected (the
        2-second rule gave it to one before detection could tell): the agent's leg is ended,
        the agent is available again without wrap-up (the agents domain follows the call)
        and told why, and the line gets the campaign's AMD action. The voicemail drop starts
        as the verdict arrives: placed with ``DetectMessageEnd``, a machine's verdict comes
        when its greeting has ended, so the message lands after the beep."""
        if not answered_by.is_machine:
            return
        async with self.svc.sessions() as session:
            row = await session.get(Call, call.id)
            if row is None or CallState(row.state) is not CallState.ANSWERED_MACHINE:
                return
            settings = await get_dial_settings(session, row.owner_id)
            # Who had it: the connected agent (the call keeps them) and anyone still ringing.
            had_it = [row.agent_id] if row.agent_id else []
            had_it += [u for u in await _reserved_for(session, row) if u not in had_it]
            if (
                settings.amd_action == "voicemail_drop"
                and settings.voicemail_audio
                and answered_by.greeting_ended
            ):
                # Ends with Hangup: the carrier's completion ends the call as a machine
                # (system disposition) once the message has played.
                drop: tuple[Instruction, ...] = (
                    Play(url=self.audio_url(settings.voicemail_audio)),
                    Hangup(),
                )
            else:
                # Hang-up campaigns; and a machine (or fax) reported before its greeting
                # ended, where a message would be cut off by the beep.
                await self.svc.apply_and_announce(
                    session, row, SystemHangup(at=self.svc.clock.now(), reason="machine")
                )
                drop = (Hangup(),)
        await self._instruct(row, drop)
        await self._release(row)
        for user_id in had_it:
            await self._tell_taken_back(row, user_id)

    async def _tell_taken_back(self, call: Call, user_id: str) -> None:
        """The agent's desktop says why the call left them."""
        event = CallTakenBack(
            audience=Audience.user(call.organization_id, user_id, Permission.CALLS_READ.value),
            at=self.svc.clock.now(),
            call=summary_of(call),
            user_id=user_id,
            reason=SYSTEM_DISPOSITION_MACHINE,
            message=TAKEN_BACK_MESSAGE,
        )
        await self.svc.announce(event)

    # --- shared ------------------------------------------------------------------------

    async def _instruct(self, call: Call, instructions: tuple[Instruction, ...]) -> None:
        if not call.provider_sid:
            return
        try:
            await self.svc.provider.instruct_call(call.provider_sid, instructions)
        except ProviderError as exc:  # the customer hung up meanwhile
            log.info("could not instruct the campaign call", call_id=call.id, error=str(exc))

    async def _release(self, call: Call) -> None:
        """An agent reserved for a call that will never be theirs goes back to available,
        and their ringing leg is withdrawn."""
        await self.svc.legs.end_all(call)
        await release_reserved(self.gate, call.organization_id, call.id)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # A timer, cancelled at shutdown (never drained: it sleeps on the clock).
        self.busy.add(+1)
        task = self.svc.tasks.run(coro, name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.busy.add(-1)

    async def quiesce(self) -> None:
        """Wait until every task is done or asleep on the clock (tests on a manual clock:
        a safe-harbour drop must reach the carrier before time moves on)."""
        await self.busy.quiesce()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def amd_mode(settings: DialSettings) -> MachineDetectionMode | None:
    """How the dialler asks for (always asynchronous) AMD: a live person never waits for
    it. A voicemail drop needs a machine's verdict at the end of its greeting, after the
    beep (``DetectMessageEnd``); a hang-up is best decided at once (``Enable``). None: the
    campaign switched AMD off, so no verdict comes and every answer is a person."""
    if not settings.amd_enabled:
        return None
    if settings.amd_action == "voicemail_drop" and settings.voicemail_audio:
        return MachineDetectionMode.DETECT_MESSAGE_END
    return MachineDetectionMode.ENABLE


async def _reserved_for(session: AsyncSession, call: Call) -> list[str]:
    """Agents reserved for the call (their softphone is being offered it)."""
    rows = await session.scalars(
        select(AgentStatus.user_id).where(
            AgentStatus.organization_id == call.organization_id,
            AgentStatus.current_call_id == call.id,
            AgentStatus.state == AgentState.RESERVED,
        )
    )
    return list(rows)


async def release_reserved(gate: AgentGate, org_id: str, call_id: str) -> None:
    async with gate.sessions() as session:
        rows = list(
            await session.scalars(
                select(AgentStatus).where(
                    AgentStatus.organization_id == org_id,
                    AgentStatus.current_call_id == call_id,
                    AgentStatus.state == AgentState.RESERVED,
                )
            )
        )
        for row in rows:
            await agents.release_offer(
                session, org_id, row.user_id, call_id, gate.clock.now(), bus=gate.bus
            )

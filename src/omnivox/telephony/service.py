"""The call service: places calls, applies every provider event, publishes what changed.

It owns the transaction: load the call, apply one event through the state machine, record
history, commit, then announce. Provider requests happen outside any open transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from omnivox.core.clock import Clock
from omnivox.core.errors import Conflict
from omnivox.core.events import Audience, DomainEvent, EventBus
from omnivox.core.logging import get_logger
from omnivox.core.metrics import Metrics
from omnivox.core.tasks import TaskSupervisor
from omnivox.telephony import calls, fsm
from omnivox.telephony.errors import ConcurrentUpdateError, ProviderError
from omnivox.telephony.events import (
    CallCreated,
    CallEnded,
    CallStateChanged,
    CallSummary,
    call_audience,
)
from omnivox.telephony.fsm_types import (
    TERMINAL_STATES,
    CallEvent,
    CallState,
    CancelRequested,
    DialPlaced,
    Direction,
    Owner,
    ProviderCallStatus,
    ProviderRequestFailed,
    ProviderStatus,
    SystemServed,
    WrapUpTimedOut,
)
from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.instructions import Dial, DialConference
from omnivox.telephony.legs import (
    CallActionFailed,
    LegDeps,
    LegService,
    agent_identity,
    hang_up_quietly,
    monitor_identity,
)
from omnivox.telephony.lines import LineDeps, LineService
from omnivox.telephony.models import Call
from omnivox.telephony.ports import (
    MachineDetection,
    MachineDetectionMode,
    OutboundCall,
    TelephonyProvider,
    VoiceRequest,
)

log = get_logger(__name__)


class AgentReservations(Protocol):
    """How the call side reserves an agent for a call (implemented by the agents domain)."""

    async def reserve(self, org_id: str, user_id: str, call_id: str) -> bool: ...

    async def finish_wrap_up(self, org_id: str, user_id: str, call_id: str) -> bool: ...


class AgentUnavailable(Conflict):
    code = "agent-unavailable"


@dataclass(frozen=True)
class CallPolicy:
    wrap_up_seconds: int = 120  # after this, a system disposition flagged for a supervisor
    ring_timeout_seconds: int = 22
    max_call_hours: int = 4  # an open call older than this is reconciled with the provider


@dataclass(frozen=True)
class TelephonyDeps:
    """Everything the call core needs, given at construction."""

    provider: TelephonyProvider
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    bus: EventBus
    urls: HookUrls
    policy: CallPolicy
    tasks: TaskSupervisor
    agents: AgentReservations | None = None  # None: calls never wait on an agent's state
    metrics: Metrics | None = None


class TelephonyService:
    """The call core: records calls, places them, applies provider events, announces."""

    def __init__(self, deps: TelephonyDeps) -> None:
        self.provider = deps.provider
        self.sessions = deps.sessions
        self.clock = deps.clock
        self.bus = deps.bus
        self.urls = deps.urls
        self.policy = deps.policy
        self.tasks = deps.tasks
        self.agents = deps.agents
        self.metrics = deps.metrics
        self.lines = LineService(
            LineDeps(deps.provider, deps.sessions, deps.clock, deps.urls, deps.bus)
        )
        self.legs = LegService(
            LegDeps(
                deps.provider,
                deps.sessions,
                deps.clock,
                deps.urls,
                deps.tasks,
                release_line=self.lines.release,
            )
        )

    # --- announcing ----------------------------------------------------------------------

    async def announce(self, event: DomainEvent) -> None:
        """Publish after commit."""
        await self.bus.publish(event)

    def about(self, call: Call) -> tuple[CallSummary, Audience, datetime]:
        """The summary, audience and time of an event about ``call`` as committed."""
        summary = calls.summary_of(call)
        return summary, call_audience(summary), self.clock.now()

    async def announce_created(self, call: Call) -> None:
        summary, audience, at = self.about(call)
        await self.announce(CallCreated(audience=audience, at=at, call=summary))

    async def apply_and_announce(
        self,
        session: AsyncSession,
        call: Call,
        event: CallEvent,
        raw: dict[str, str] | None = None,
        *,
        only_from: frozenset[CallState] | None = None,
        end_estimated: bool = False,
    ) -> fsm.Transition | fsm.Rejection:
        """Apply one event, commit, and announce a state change (the common path).

        ``only_from``: an internal event two webhooks may both decide on (the agent
        connecting when the customer's and the agent's joins cross) is applied only while
        the call is in one of these states; the loser of the race records nothing, rather
        than a refused duplicate in the call's history. ``end_estimated``: the event's time
        is a guess (reconciliation's last known event); a call it ends is marked so."""
        now = self.clock.now()
        for _attempt in range(calls.MAX_STALE_RETRIES):
            if only_from is not None and CallState(call.state) not in only_from:
                return fsm.Rejection(
                    state=CallState(call.state),
                    event=event,
                    reason=fsm.RejectionReason.DUPLICATE,
                    detail="already applied by a concurrent webhook",
                )
            result = calls.apply_event(session, call, event, now=now, raw=raw)
            if isinstance(result, fsm.Transition) and result.entered_wrap_up:
                call.wrap_up_deadline = now + timedelta(seconds=self.policy.wrap_up_seconds)
            if end_estimated and isinstance(result, fsm.Transition) and result.changed:
                call.end_estimated = call.ended_at is not None  # the line is down (wrap-up or over)
            try:
                await session.commit()
                break
            except StaleDataError:
                # Another webhook about this call committed first: apply to its result.
                await session.rollback()
                await session.refresh(call)
        else:
            raise ConcurrentUpdateError(f"call {call.id} kept changing under event {event}")
        if isinstance(result, fsm.Transition) and result.ended and self.metrics is not None:
            reason = call.end_reason or "unknown"
            self.metrics.calls_ended.labels(reason).inc()
        if isinstance(result, fsm.Transition) and result.changed:
            summary, audience, at = self.about(call)
            await self.announce(
                CallStateChanged(
                    audience=audience,
                    at=at,
                    call=summary,
                    previous=result.from_state,
                    trigger=result.trigger,
                )
            )
            if result.ended:
                await self.announce(
                    CallEnded(
                        audience=audience,
                        at=at,
                        call=summary,
                        outcome=summary.state,
                        end_reason=summary.end_reason,
                    )
                )
        return result

    # --- placing calls -------------------------------------------------------------------

    async def place_outbound_call(
        self,
        organization_id: str,
        owner: Owner,
        *,
        to: str,
        from_: str,
        agent_id: str | None = None,
        machine_detection: MachineDetectionMode | None = None,
    ) -> Call:
        """Record the call, then ask the provider to place it; a refusal fails the call.
        ``machine_detection``: asynchronous AMD in that mode (None: no detection)."""
        now = self.clock.now()
        async with self.sessions() as session:
            call = calls.new_call(
                self.provider.name,
                organization_id,
                owner,
                Direction.OUTBOUND,
                now,
                to=to,
                from_=from_,
                agent_id=agent_id,
            )
            session.add(call)
            await session.commit()
            await self.announce_created(call)
            if agent_id is not None and not await self.reserve_agent(call, agent_id):
                await self.apply_and_announce(session, call, CancelRequested(at=self.clock.now()))
                raise AgentUnavailable("set yourself available before placing a call")
            return await self._dial(session, call, machine_detection)

    async def accept_inbound_call(
        self, organization_id: str, owner: Owner, request: VoiceRequest
    ) -> Call:
        """Record a call arriving on one of our numbers; answering it is the voice reply."""
        now = self.clock.now()
        async with self.sessions() as session:
            existing = await calls.find_call_by_sid(session, request.call_sid)
            if existing is not None:  # the carrier retried the voice request
                return existing
            call = calls.new_call(
                self.provider.name,
                organization_id,
                owner,
                Direction.INBOUND,
                now,
                to=request.to,
                from_=request.from_,
                provider_sid=request.call_sid,
            )
            session.add(call)
            await session.commit()
            await self.announce_created(call)
            answered = ProviderCallStatus(at=now, status=ProviderStatus.IN_PROGRESS)
            await self.apply_and_announce(session, call, answered, dict(request.raw))
            return call

    async def record_outbound_call(
        self, organization_id: str, owner: Owner, *, to: str, from_: str
    ) -> Call:
        """Record a call to place later (a callback rings its agent before the customer)."""
        async with self.sessions() as session:
            call = calls.new_call(
                self.provider.name,
                organization_id,
                owner,
                Direction.OUTBOUND,
                self.clock.now(),
                to=to,
                from_=from_,
            )
            session.add(call)
            await session.commit()
        await self.announce_created(call)
        return call

    async def dial_recorded_call(self, call_id: str) -> Call | None:
        """Place a call recorded earlier (once: a call already placed is left alone)."""
        async with self.sessions() as session:
            call = await session.get(Call, call_id)
            if call is None or call.provider_sid is not None:
                return call
            if CallState(call.state) in TERMINAL_STATES:  # hung up before it was placed
                return call
            return await self._dial(session, call, None)

    async def _dial(
        self, session: AsyncSession, call: Call, machine_detection: MachineDetectionMode | None
    ) -> Call:
        """Ask the provider to place a recorded call; a refusal fails the call."""
        request = OutboundCall(
            to=call.to_number,
            from_=call.from_number,
            url=self.urls.voice(call.id),
            status_callback_url=self.urls.status(call.id),
            machine_detection=MachineDetection(
                mode=machine_detection, callback_url=self.urls.amd(call.id)
            )
            if machine_detection is not None
            else None,
            timeout_seconds=self.policy.ring_timeout_seconds,
        )
        try:
            placed = await self.provider.place_call(request)
        except ProviderError as exc:
            log.warning("provider refused the call", call_id=call.id, error=str(exc))
            await self.apply_and_announce(
                session, call, ProviderRequestFailed(at=self.clock.now(), error=str(exc))
            )
            return call

        call.provider_sid = call.provider_sid or placed.sid  # committed with DialPlaced
        await self.apply_and_announce(
            session, call, DialPlaced(at=self.clock.now(), provider_call_sid=placed.sid)
        )
        return call

    def customer_conference(
        self, call: Call, *, waits_for_agent: bool, wait_url: str | None
    ) -> Dial:
        """The customer's side of the call's conference; the conference ends when they
        leave. Waiting for an agent, they hear ``wait_url`` (None: the carrier's music)."""
        return Dial(
            targets=(
                DialConference(
                    name=call.conference_name,
                    start_conference_on_enter=not waits_for_agent,
                    end_conference_on_exit=True,
                    wait_url=wait_url,
                    status_callback_url=self.urls.conference(call.id),
                    status_callback_events=("start", "end", "join", "leave"),
                    participant_label="customer",
                ),
            )
        )

    async def patch_call(
        self, session: AsyncSession, call: Call, mutate: Callable[[Call], None]
    ) -> None:
        await calls.patch_call(session, call, mutate)

    async def served_without_agent(self, call_id: str, outcome: str) -> None:
        """The caller is being served by the system (a voicemail, a booked callback), so
        their hang-up completes the call instead of abandoning it."""
        async with self.sessions() as session:
            call = await session.get(Call, call_id)
            if call is not None:
                event = SystemServed(at=self.clock.now(), outcome=outcome)
                await self.apply_and_announce(session, call, event)

    async def reserve_agent(self, call: Call, user_id: str) -> bool:
        """Reserve the agent for this call (always granted when no agent domain is wired)."""
        if self.agents is None:
            return True
        return await self.agents.reserve(call.organization_id, user_id, call.id)

    # --- legs ---------------------------------------------------------------------------

    async def add_agent_leg(self, call: Call, user_id: str) -> None:
        self.tasks.spawn(self._add_agent_leg(call, user_id), f"agent leg {call.id}")

    async def _add_agent_leg(self, call: Call, user_id: str) -> None:
        """The agent's own call (click-to-call, preview, manual): their connected line is
        moved into it, no click; an agent without a line has their softphone rung."""
        if await self.lines.bridge(call, user_id) is not None:
            return
        await self.legs.add(
            call, role="agent", target=f"client:{agent_identity(user_id)}", user_id=user_id
        )

    async def end_conference_legs(self, call: Call) -> None:
        # Legs only ever join the call's conference: no conference, nothing to end.
        if call.conference_sid is not None:
            self.tasks.spawn(self.legs.end_all(call), f"end legs {call.id}")

    async def drop_previous_agent(self, call: Call, keep_leg: str) -> None:
        self.tasks.spawn(self.legs.drop_previous_agents(call, keep_leg), f"drop agent {call.id}")

    async def hang_up_customer(self, call: Call) -> None:
        if call.provider_sid:
            sid = call.provider_sid
            self.tasks.spawn(self._hang_up(sid), f"hang up {call.id}")

    async def _hang_up(self, sid: str) -> None:
        await hang_up_quietly(self.provider, sid)

    async def customer_still_live(self, call: Call) -> bool:
        if not call.provider_sid:
            return False
        record = await self.provider.fetch_call(call.provider_sid)
        return record is not None and not record.is_final

    # --- time-driven endings ------------------------------------------------------------------

    async def expire_wrap_ups(self) -> int:
        """Calls whose wrap-up outlived its deadline get the flagged system disposition."""
        now = self.clock.now()
        async with self.sessions() as session:
            due = (
                await session.scalars(
                    select(Call).where(
                        Call.state == CallState.WRAP_UP, Call.wrap_up_deadline <= now
                    )
                )
            ).all()
            for call in due:
                await self.apply_and_announce(session, call, WrapUpTimedOut(at=now))
        return len(due)

    async def open_calls(self, older_than: timedelta | None = None) -> Sequence[Call]:
        async with self.sessions() as session:
            query = select(Call).where(
                Call.state.not_in([s.value for s in TERMINAL_STATES]),
                Call.state != CallState.WRAP_UP,
            )
            if older_than is not None:
                query = query.where(Call.created_at <= self.clock.now() - older_than)
            return (await session.scalars(query)).all()


__all__ = [
    "CallActionFailed",
    "TelephonyService",
    "agent_identity",
    "hang_up_quietly",
    "monitor_identity",
]

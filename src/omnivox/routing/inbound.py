"""Inbound calls: a call to one of our numbers is answered, queued and offered to agents.

Each routing pass rebuilds the ACD router from the database (the truth, shared by every
node), asks it for offers, and claims each one twice over: the queue entry moves
waiting -> offered with a versioned update, and the agent is reserved with the agents'
compare-and-set. Only when both hold is the agent's phone rung, for the queue's offer time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import find_organization
from omnivox.agents import AgentGate
from omnivox.core.errors import InvalidInput
from omnivox.core.logging import get_logger
from omnivox.media import AudioKind, MediaLinks, hold_music_url, prompt
from omnivox.routing import direct
from omnivox.routing.floor import open_now
from omnivox.routing.models import InboundNumber, Queue, QueueEntry
from omnivox.routing.offering import load_pass, mark_offered
from omnivox.routing.ports import HeldAgents, VoicemailPort
from omnivox.routing.waiting import QueueWaiting, offerable
from omnivox.telephony import (
    Call,
    Dial,
    DialNumber,
    Hangup,
    Instruction,
    Owner,
    OwnerKind,
    Play,
    RecordingStatusChanged,
    Say,
    TelephonyService,
    VoiceRequest,
    WebhookKind,
    agent_identity,
)

log = get_logger(__name__)
VOICEMAIL_GREETING = "Please leave a message after the tone, and we will call you back."
CLOSED_MESSAGE = (
    "Thank you for calling. We are closed right now. Please call again during our opening hours."
)
MAX_DECLINE_PASSES = 50


@dataclass
class InboundRouting:
    svc: TelephonyService
    gate: AgentGate
    links: MediaLinks
    held_agents: HeldAgents  # supplied by the dialler
    voicemail: VoicemailPort  # supplied by voicemail
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    waiting: QueueWaiting = field(init=False)

    def __post_init__(self) -> None:
        self.waiting = QueueWaiting(self.svc, self.links)

    async def follow_numbers(self, follow: Callable[[set[str]], None]) -> None:
        """Hand the carrier every number in the database: at start-up (the sandbox forgets
        them on restart) and on each sweep (another node or process may add or remove
        one)."""
        async with self.svc.sessions() as session:
            follow(set(await session.scalars(select(InboundNumber.number))))

    # --- answering ---------------------------------------------------------------------

    async def answer(self, request: VoiceRequest) -> Sequence[Instruction] | None:
        now = self.svc.clock.now()
        async with self.svc.sessions() as session:
            number = await session.scalar(
                select(InboundNumber).where(InboundNumber.number == request.to)
            )
            if number is None:
                return None
            org = await find_organization(session, number.organization_id)
            if org is None or not org.is_active:
                return None  # a switched-off organisation's numbers are not in service
            is_open = await open_now(session, org, now)
            if number.target_kind != "queue":
                return await direct.answer(self, session, org, number, request, is_open=is_open)
            queue = await session.get(Queue, number.target_id)
            if queue is None:
                log.warning(
                    "number has no usable target",
                    number=number.number,
                    target=f"{number.target_kind}:{number.target_id}",
                )
                return (Say(text="Sorry, this line is not available. Goodbye."), Hangup())
            owner = Owner(OwnerKind.QUEUE, queue.id)
            if not is_open:
                log.info(
                    "call while closed: closed message and voicemail",
                    to=request.to,
                    sid=request.call_sid,
                )
                call = await self.svc.accept_inbound_call(org.id, owner, request)
                closed = await self.prompt_for(
                    session, org.id, AudioKind.CLOSED_MESSAGE, CLOSED_MESSAGE
                )
                return (closed, *await self.voicemail_steps(session, call))
            greeting = await self.prompt_for(session, org.id, AudioKind.GREETING, queue.greeting)
        call = await self.svc.accept_inbound_call(org.id, owner, request)
        await self._enqueue(call, queue)
        self.svc.tasks.spawn(self._route_quietly(org.id), f"route {org.id}")
        return await self.waiting.arrival(call, queue, greeting)

    async def prompt_for(
        self, session: AsyncSession, org_id: str, kind: AudioKind, fallback: str
    ) -> Play | Say:
        """The organisation's recording for ``kind``, else the text spoken."""
        return await prompt(
            session, org_id, kind, self.svc.clock.now(), fallback_text=fallback, links=self.links
        )

    async def voicemail_steps(self, session: AsyncSession, call: Call) -> tuple[Instruction, ...]:
        greeting = await self.prompt_for(
            session, call.organization_id, AudioKind.VOICEMAIL_GREETING, VOICEMAIL_GREETING
        )
        await self.svc.served_without_agent(call.id, "voicemail")
        return self.voicemail.instructions(self.svc.urls, call.id, greeting)

    # --- later steps of a call: waiting, callback, voicemail, overflow -----------------

    async def step(self, call: Call, query: Mapping[str, str]) -> Sequence[Instruction] | None:
        if self.voicemail.is_after_message(query):
            return self.voicemail.after_message()
        step = query.get("step")
        if step == "wait":
            return await self.waiting.wait(call)
        if step == "join":
            return (self.waiting.join(call),)
        if step == "callback":
            return await self.waiting.choose(call, query.get("digits", ""))
        if step == "voicemail":
            async with self.svc.sessions() as session:
                return await self.voicemail_steps(session, call)
        if step == "external" and query.get("to"):
            return (Dial(targets=(DialNumber(number=query["to"]),), caller_id=call.to_number),)
        return None

    async def on_recording(self, call: Call, event: RecordingStatusChanged) -> bool:
        """A recording of an inbound call that is not a call recording is a voicemail."""
        if call.direction != "inbound":
            return False
        if event.status.value in {"completed", "absent", "failed"}:
            async with self.svc.sessions() as session:
                await self.voicemail.store(
                    session,
                    org_id=call.organization_id,
                    call_id=call.id,
                    queue_id=call.owner_id if call.owner_kind == "queue" else None,
                    box_owner=call.owner_id if call.owner_kind == "agent" else None,
                    caller=call.from_number,
                    called=call.to_number,
                    recording=event,
                    now=self.svc.clock.now(),
                    bus=self.svc.bus,
                )
        return True

    async def hold_music_url(self, org_id: str) -> str | None:
        async with self.svc.sessions() as session:
            return await hold_music_url(session, org_id, self.svc.clock.now(), links=self.links)

    async def overflow(self) -> int:
        """Callers who waited longer than their queue allows go to its overflow target."""
        now, moved = self.svc.clock.now(), 0
        async with self.svc.sessions() as session:
            rows = await session.execute(
                select(QueueEntry, Queue)
                .join(Queue, Queue.id == QueueEntry.queue_id)
                .where(
                    QueueEntry.status == "waiting",
                    Queue.max_wait_seconds.is_not(None),
                    Queue.overflow_kind.is_not(None),
                    # A callback keeps its place; there is no caller on the line to move.
                    QueueEntry.callback_number.is_(None),
                )
            )
            due = [
                (e, q)
                for e, q in rows
                if q.max_wait_seconds is not None
                and (now - e.enqueued_at).total_seconds() >= q.max_wait_seconds
            ]
        for entry, queue in due:
            moved += await self._overflow_one(entry, queue)
        return moved

    async def _overflow_one(self, entry: QueueEntry, queue: Queue) -> int:
        async with self.svc.sessions() as session:
            claimed = await session.execute(
                update(QueueEntry)
                .where(
                    QueueEntry.id == entry.id,
                    QueueEntry.status == "waiting",
                    QueueEntry.version == entry.version,
                )
                .values(
                    status="overflowed",
                    ended_at=self.svc.clock.now(),
                    version=entry.version + 1,
                    detail={**entry.detail, "overflow": queue.overflow_kind},
                )
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return 0
            call = await session.get(Call, entry.call_id)
        if call is None or call.provider_sid is None:
            return 0
        log.info("queue overflow", call_id=call.id, queue_id=queue.id, to=queue.overflow_kind)
        if queue.overflow_kind == "queue" and queue.overflow_target:
            target = await self._queue(queue.overflow_target)
            if target is not None:
                await self._enqueue(call, target, since=entry.enqueued_at, again=True)
                await self.route(call.organization_id)
            return 1
        urls = self.svc.urls
        query = (
            {"step": "voicemail"}
            if queue.overflow_kind == "voicemail"
            else {"step": "external", "to": queue.overflow_target or ""}
        )
        await self.svc.provider.redirect_call(
            call.provider_sid, urls.url(WebhookKind.VOICE, call=call.id, **query)
        )
        return 1

    async def retry_due_callbacks(self) -> int:
        """Callbacks whose retry delay has passed are offered again: each is released (its
        wait cleared, a versioned change so one node does it) and its organisation routed.
        Released, it is a waiting callback like any other: if no agent is free now, the next
        agent to become available takes it in turn."""
        now, released = self.svc.clock.now(), 0
        async with self.svc.sessions() as session:
            due = (
                await session.execute(
                    select(QueueEntry.id, QueueEntry.organization_id, QueueEntry.version).where(
                        QueueEntry.not_before.is_not(None),
                        QueueEntry.not_before <= now,
                        QueueEntry.status == "waiting",
                    )
                )
            ).all()
            orgs: set[str] = set()
            for entry_id, org_id, version in due:
                done = await session.execute(
                    update(QueueEntry)
                    .where(QueueEntry.id == entry_id, QueueEntry.version == version)
                    .values(not_before=None, version=version + 1)
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    released += 1
                    orgs.add(org_id)
            await session.commit()
        for org_id in sorted(orgs):
            log.info("callback retry due", organization_id=org_id)
            await self.route(org_id)
        return released

    async def _queue(self, queue_id: str) -> Queue | None:
        async with self.svc.sessions() as session:
            return await session.get(Queue, queue_id)

    async def check_queue(self, org_id: str, queue_id: str) -> None:
        async with self.svc.sessions() as session:
            exists = await session.scalar(
                select(Queue.id).where(Queue.id == queue_id, Queue.organization_id == org_id)
            )
        if exists is None:
            raise InvalidInput.on("target", "no such queue in your organisation")

    async def enqueue_transfer(self, call: Call, queue_id: str) -> None:
        async with self.svc.sessions() as session:
            queue = await session.get(Queue, queue_id)
        assert queue is not None
        await self._enqueue(call, queue, held=True, again=True)  # a new stay in a queue
        self.svc.tasks.spawn(self._route_quietly(call.organization_id), f"route {call.id}")

    async def _enqueue(
        self,
        call: Call,
        queue: Queue,
        *,
        held: bool = False,
        since: datetime | None = None,
        again: bool = False,
    ) -> None:
        """Add the call to ``queue`` (once, unless ``again``: an overflow moves it on,
        keeping its original arrival time so the wait it already did still counts)."""
        async with self.svc.sessions() as session:
            if not again and await session.scalar(
                select(QueueEntry.id).where(QueueEntry.call_id == call.id)
            ):
                return
            arrived = since or self.svc.clock.now()
            ahead = await session.scalar(
                select(func.count())
                .select_from(QueueEntry)
                .where(
                    QueueEntry.queue_id == queue.id,
                    QueueEntry.status == "waiting",
                    QueueEntry.enqueued_at <= arrived,
                    offerable(self.svc.clock.now()),
                )
            )
            session.add(
                QueueEntry(
                    organization_id=call.organization_id,
                    queue_id=queue.id,
                    call_id=call.id,
                    enqueued_at=arrived,
                    # A transferred customer is on hold, to be taken off it when answered.
                    # The place at arrival teaches the wait estimate (routing/announcements).
                    detail={"held": held, "position": int(ahead or 0) + 1},
                )
            )
            await session.commit()

    # --- offering ----------------------------------------------------------------------

    async def _route_quietly(self, org_id: str) -> None:
        await self.route(org_id)

    async def route(self, org_id: str) -> int:
        """One routing pass for an organisation; returns how many offers were made."""
        lock = self._locks.setdefault(org_id, asyncio.Lock())
        async with lock, self.svc.sessions() as session:
            now = self.svc.clock.now()
            router, entries, queues = await load_pass(session, org_id, now, self.held_agents)
            made = 0
            for _ in range(MAX_DECLINE_PASSES):
                offers = router.next_assignments(now)
                if not offers:
                    break
                for offer in offers:
                    entry = entries[offer.call.id]
                    if offer.agent_id in entry.declined_by:
                        router.decline(offer.call.id, agent_stays_ready=True)
                        continue
                    call_id = await self._claim(session, entry, offer.agent_id, now)
                    if call_id is not None:
                        made += 1
                        self.svc.tasks.spawn(
                            self._ring(call_id, offer.agent_id, queues[entry.queue_id]),
                            f"offer {call_id}",
                        )
                    router.remove_call(offer.call.id)
            return made

    async def _claim(
        self, session: AsyncSession, entry: QueueEntry, agent_id: str, now: datetime
    ) -> str | None:
        """Offer the entry to the agent; the id of the call to ring them for, or None."""
        call_id = await self.waiting.callback_call(entry)  # a callback rings on its own call
        if not await mark_offered(session, entry, agent_id, now, call_id):
            if call_id != entry.call_id:
                await self.waiting.drop_unused(call_id)
            return None  # another node offered it first
        if await self.gate.reserve(entry.organization_id, agent_id, call_id):
            return call_id
        await self.back_to_waiting(entry.id, declined=None)
        return None

    async def _ring(self, call_id: str, agent_id: str, queue: Queue) -> None:
        async with self.svc.sessions() as session:
            call = await session.get(Call, call_id)
        if call is None:
            return
        # Auto-answer: the agent's connected line is moved into the call (no ringing, no
        # click); an agent without one has their softphone rung, as an accept queue does.
        if queue.answer_mode == "auto" and await self.svc.lines.bridge(call, agent_id):
            return
        await self.svc.legs.add(
            call,
            role="agent",
            target=f"client:{agent_identity(agent_id)}",
            user_id=agent_id,
            timeout_seconds=queue.offer_timeout_seconds,
        )

    async def back_to_waiting(self, entry_id: str, declined: str | None) -> None:
        async with self.svc.sessions() as session:
            entry = await session.get(QueueEntry, entry_id)
            if entry is None or entry.status != "offered":
                return
            entry.status, entry.offered_to, entry.offered_at = "waiting", None, None
            if declined:
                entry.declined_by = [*entry.declined_by, declined]
            await session.commit()

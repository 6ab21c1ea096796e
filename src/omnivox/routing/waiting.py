"""Waiting in a queue: what the caller hears, and callback-in-queue.

While a caller waits, the carrier fetches the conference's wait URL again and again; each
answer is a position and estimated-wait announcement (when the queue asks for them), hold
music for the queue's interval, and a redirect back (Twilio allows only Say, Play, Pause and
Redirect there, so key presses cannot be taken while waiting in the conference).

Callback-in-queue is therefore offered on arrival, before the caller joins the conference:
pressing 1 keeps the queue entry waiting, in its place, with the caller's number, and the
caller hangs up. When the entry's turn comes the router offers it like any call; the
callback gets its own call, the agent's phone rings first, and only once the agent has
answered is the customer dialled into the agent's conference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.logging import get_logger
from omnivox.media import MediaLinks, hold_music
from omnivox.routing import announcements as say
from omnivox.routing.models import Queue, QueueEntry
from omnivox.routing.queues import available_members
from omnivox.telephony import (
    Call,
    CallState,
    CancelRequested,
    Dial,
    Gather,
    Hangup,
    Instruction,
    Owner,
    OwnerKind,
    Play,
    Redirect,
    Say,
    TelephonyService,
    WebhookKind,
)

log = get_logger(__name__)
# Twilio's own hold-music collection: what callers hear when the organisation chose none.
DEFAULT_HOLD_MUSIC = "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3"
CALLBACK_OFFER_SECONDS = 5  # how long the arrival menu waits for the key
ABOUT_TO_ANSWER = "An agent is about to take your call. Please hold."


@dataclass
class QueueWaiting:
    svc: TelephonyService
    links: MediaLinks

    # --- arrival -------------------------------------------------------------------------

    async def arrival(
        self, call: Call, queue: Queue, greeting: Play | Say
    ) -> tuple[Instruction, ...]:
        """The greeting, the callback offer when it is worth making, then the wait."""
        if queue.callback_enabled and callback_number(call.from_number):
            async with self.svc.sessions() as session:
                entry = await live_entry(session, call.id)
                place = await self.place_in_line(session, entry) if entry is not None else None
                busy = place is not None and (
                    place.position > 1 or not await available_members(session, queue.id)
                )
            if place is not None and busy:
                offer = f"{say.position_announcement(place)} {say.callback_offer()}"
                return (
                    greeting,
                    Gather(
                        action_url=self._url(WebhookKind.GATHER, call.id, "callback"),
                        num_digits=1,
                        timeout_seconds=CALLBACK_OFFER_SECONDS,
                        prompt=(Say(text=offer),),
                    ),
                    Redirect(url=self._url(WebhookKind.VOICE, call.id, "join")),
                )
        return (greeting, self.join(call))

    def join(self, call: Call) -> Dial:
        return self.svc.customer_conference(
            call, waits_for_agent=True, wait_url=self._url(WebhookKind.VOICE, call.id, "wait")
        )

    # --- while waiting -------------------------------------------------------------------

    async def wait(self, call: Call) -> tuple[Instruction, ...]:
        """One round of the wait URL: announcement (if due), music, and back again."""
        now = self.svc.clock.now()
        async with self.svc.sessions() as session:
            music = await hold_music(session, call.organization_id, now, links=self.links)
            entry = await live_entry(session, call.id)
            queue = await session.get(Queue, entry.queue_id) if entry is not None else None
            every = queue.announce_every_seconds if queue is not None else None
            place = (
                await self.place_in_line(session, entry)
                if entry is not None and entry.status == "waiting" and every
                else None
            )
        url, track = music if music is not None else (DEFAULT_HOLD_MUSIC, None)
        again = Redirect(url=self._url(WebhookKind.VOICE, call.id, "wait"))
        if place is None or every is None:
            return (Play(url=url), again)
        return (
            Say(text=say.position_announcement(place)),
            Play(url=url, loop=say.music_loops(every, track)),
            again,
        )

    async def place_in_line(self, session: AsyncSession, entry: QueueEntry) -> say.PlaceInLine:
        ahead = await session.scalar(
            select(func.count())
            .select_from(QueueEntry)
            .where(
                QueueEntry.queue_id == entry.queue_id,
                QueueEntry.status == "waiting",
                QueueEntry.enqueued_at < entry.enqueued_at,
                offerable(self.svc.clock.now()),
            )
        )
        recent = (
            await session.execute(
                select(QueueEntry.enqueued_at, QueueEntry.answered_at, QueueEntry.detail)
                .where(
                    QueueEntry.queue_id == entry.queue_id,
                    QueueEntry.status == "connected",
                    QueueEntry.answered_at.is_not(None),
                    # A callback tried again waited its retry delays too, off the line:
                    # not a wait a caller on the line can expect.
                    QueueEntry.callback_tries <= 1,
                )
                .order_by(QueueEntry.answered_at.desc())
                .limit(say.RECENT_WAITS)
            )
        ).all()
        waits = [
            ((answered - enqueued).total_seconds(), int(detail.get("position", 1)))
            for enqueued, answered, detail in reversed(recent)
            if answered is not None
        ]
        return say.estimate(int(ahead or 0) + 1, waits)

    # --- callback-in-queue ---------------------------------------------------------------

    async def choose(self, call: Call, digits: str) -> tuple[Instruction, ...]:
        """The caller's answer to the arrival offer."""
        number = callback_number(call.from_number)
        if digits != say.CALLBACK_KEY or number is None:
            return (self.join(call),)
        now = self.svc.clock.now()
        async with self.svc.sessions() as session:
            entry = await live_entry(session, call.id)
            kept = False
            if entry is not None and entry.status == "waiting":
                done = await session.execute(
                    update(QueueEntry)
                    .where(
                        QueueEntry.id == entry.id,
                        QueueEntry.status == "waiting",
                        QueueEntry.version == entry.version,
                    )
                    .values(
                        callback_number=number,
                        original_call_id=call.id,
                        version=entry.version + 1,
                        detail={**entry.detail, "callback_requested_at": now.isoformat()},
                    )
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
                kept = done.rowcount == 1  # type: ignore[attr-defined]
        if not kept:  # already offered to an agent: better to stay on the line
            return (Say(text=ABOUT_TO_ANSWER), self.join(call))
        log.info("callback requested", call_id=call.id, queue_id=entry.queue_id if entry else None)
        await self.svc.served_without_agent(call.id, "callback")
        return (Say(text=say.callback_confirmation(number)), Hangup())

    async def callback_call(self, entry: QueueEntry) -> str:
        """The call that will carry ``entry``'s callback: its own, created on first offer."""
        if entry.callback_number is None or entry.call_id != entry.original_call_id:
            return entry.call_id
        async with self.svc.sessions() as session:
            original = await session.get(Call, entry.call_id)
        assert original is not None
        call = await self.svc.record_outbound_call(
            entry.organization_id,
            Owner(OwnerKind.QUEUE, entry.queue_id),
            to=entry.callback_number,
            from_=original.to_number,  # the number they called, which is ours
        )
        return call.id

    async def drop_unused(self, call_id: str) -> None:
        """A callback call whose offer was lost to another node is cancelled unplaced."""
        async with self.svc.sessions() as session:
            call = await session.get(Call, call_id)
            if call is not None and CallState(call.state) is CallState.QUEUED:
                await self.svc.apply_and_announce(
                    session, call, CancelRequested(at=self.svc.clock.now())
                )

    async def agent_answered(self, call_id: str, user_id: str) -> bool:
        """The agent took the callback offer: now ring the customer into their conference."""
        async with self.svc.sessions() as session:
            call = await session.get(Call, call_id)
            entry = await session.scalar(
                select(QueueEntry).where(
                    QueueEntry.call_id == call_id,
                    QueueEntry.status == "offered",
                    QueueEntry.offered_to == user_id,
                    QueueEntry.callback_number.is_not(None),
                )
            )
            if call is None or entry is None or call.provider_sid is not None:
                return False
            # One more try at the customer, counted before dialling; the count is also the
            # claim, so a repeated answer event does not dial twice. Not a versioned change:
            # it does not compete with the entry's offer claims, so it must not stale them.
            tries = entry.callback_tries + 1
            counted = await session.execute(
                update(QueueEntry)
                .where(QueueEntry.id == entry.id, QueueEntry.callback_tries == entry.callback_tries)
                .values(callback_tries=tries)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if counted.rowcount != 1:  # type: ignore[attr-defined]
                return False
        log.info(
            "calling back", call_id=call_id, queue_id=entry.queue_id, agent=user_id, attempt=tries
        )
        await self.svc.dial_recorded_call(call_id)
        return True

    def _url(self, kind: WebhookKind, call_id: str, step: str) -> str:
        return self.svc.urls.url(kind, call=call_id, step=step)


def callback_number(raw: str) -> str | None:
    """The caller's number if it can be called back (E.164, not withheld or a client)."""
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def offerable(now: datetime) -> ColumnElement[bool]:
    """Entries that may be offered at ``now``: not a callback waiting to be tried again."""
    return or_(QueueEntry.not_before.is_(None), QueueEntry.not_before <= now)


async def live_entry(session: AsyncSession, call_id: str) -> QueueEntry | None:
    """The entry a call is waiting or being offered in, if any."""
    return await session.scalar(
        select(QueueEntry).where(
            QueueEntry.call_id == call_id, QueueEntry.status.in_(["waiting", "offered"])
        )
    )


__all__ = ["DEFAULT_HOLD_MUSIC", "QueueWaiting", "callback_number", "offerable"]

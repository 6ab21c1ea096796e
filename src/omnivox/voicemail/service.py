"""Voicemails: stored from the provider's recording webhook (once per recording), listed,
assigned and marked done. Supervisors (calls:read) see every voicemail of the
organisation; an agent sees only those assigned to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import User, audited_update, find_user, list_active_users
from omnivox.core.errors import InvalidInput, NotFound
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.core.security.permissions import Permission, Role, has_permission
from omnivox.core.security.principal import Principal
from omnivox.routing import find_queue
from omnivox.telephony import RecordingStatus, RecordingStatusChanged
from omnivox.voicemail import events
from omnivox.voicemail.errors import VoicemailClosed
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.schemas import VoicemailStatus

log = get_logger(__name__)
ORGANISATION_BOX = "Organisation"


async def store_voicemail(
    session: AsyncSession,
    *,
    org_id: str,
    call_id: str | None,
    queue_id: str | None,
    box_owner: str | None = None,
    caller: str,
    called: str,
    recording: RecordingStatusChanged,
    now: datetime,
    bus: EventBus | None = None,
) -> Voicemail | None:
    """Keep a completed voicemail recording; the same recording twice is stored once.

    Returns None for a recording that is not ``completed`` (``absent``: the caller said
    nothing; ``failed``): there is no message to work on."""
    existing = await _by_sid(session, recording.recording_sid)
    if existing is not None:
        return existing
    if recording.status is not RecordingStatus.COMPLETED:
        log.info(
            "voicemail recording not kept", sid=recording.recording_sid, status=recording.status
        )
        return None
    queue = await find_queue(session, queue_id) if queue_id else None
    own = queue if queue is not None and queue.organization_id == org_id else None
    user = await find_user(session, box_owner) if box_owner else None
    person = user if user is not None and user.organization_id == org_id else None
    box = own.name if own is not None else ORGANISATION_BOX
    vm = Voicemail(
        organization_id=org_id,
        queue_id=own.id if own is not None else None,
        # A personal box: the message is its owner's to work on from the start.
        box=(person.name or person.email) if person is not None else box,
        assigned_to=person.id if person is not None else None,
        assigned_at=now if person is not None else None,
        status="assigned" if person is not None else "new",
        call_id=call_id,
        caller_number=caller,
        called_number=called,
        recording_sid=recording.recording_sid,
        recording_url=recording.url or "",
        duration_seconds=recording.duration_seconds or 0,
        received_at=now,
    )
    session.add(vm)
    try:
        await session.commit()
    except IntegrityError:
        # A retried webhook on another node stored it first.
        await session.rollback()
        stored = await _by_sid(session, recording.recording_sid)
        assert stored is not None
        return stored
    await events.publish(bus, events.received(vm, now))
    return vm


async def _by_sid(session: AsyncSession, sid: str) -> Voicemail | None:
    return await session.scalar(select(Voicemail).where(Voicemail.recording_sid == sid))


def _visible(actor: Principal) -> Select[Voicemail]:
    query = select(Voicemail).where(Voicemail.organization_id == actor.organization_id)
    if not actor.can(Permission.CALLS_READ):
        query = query.where(Voicemail.assigned_to == actor.user_id)
    return query


@dataclass(frozen=True)
class VoicemailQuery:
    status: VoicemailStatus | None = None
    queue_id: str | None = None
    limit: int = 100
    offset: int = 0


async def list_voicemails(
    session: AsyncSession, actor: Principal, q: VoicemailQuery
) -> list[Voicemail]:
    query = _visible(actor)
    if q.status is not None:
        query = query.where(Voicemail.status == q.status.value)
    if q.queue_id:
        query = query.where(Voicemail.queue_id == q.queue_id)
    query = query.order_by(Voicemail.received_at.desc(), Voicemail.id)
    return list((await session.scalars(query.limit(q.limit).offset(q.offset))).all())


async def count_open(session: AsyncSession, actor: Principal) -> int:
    query = _visible(actor).where(Voicemail.status != VoicemailStatus.DONE.value)
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def get_voicemail(session: AsyncSession, actor: Principal, voicemail_id: str) -> Voicemail:
    """One voicemail the actor may see; another agent's (or tenant's) is simply not found."""
    vm = await session.scalar(_visible(actor).where(Voicemail.id == voicemail_id))
    if vm is None:
        raise NotFound("voicemail not found")
    return vm


async def assignable_users(session: AsyncSession, org_id: str) -> list[User]:
    users = await list_active_users(session, org_id)
    return [u for u in users if has_permission(Role(u.role), Permission.CALLS_CONTROL)]


async def assign_voicemail(
    session: AsyncSession,
    actor: Principal,
    voicemail_id: str,
    user_id: str | None,
    now: datetime,
    bus: EventBus | None = None,
) -> Voicemail:
    vm = await get_voicemail(session, actor, voicemail_id)
    if vm.status == VoicemailStatus.DONE.value:
        raise VoicemailClosed("this voicemail is done; it cannot be reassigned")
    if user_id is not None:
        user = await find_user(session, user_id)
        if user is None or user.organization_id != actor.organization_id or not user.is_active:
            raise InvalidInput.on("user_id", "no active user with that id in your organisation")
        if not has_permission(Role(user.role), Permission.CALLS_CONTROL):
            raise InvalidInput.on("user_id", f"{user.name} does not handle calls ({user.role})")
    changes = {
        "assigned_to": user_id,
        "assigned_at": now if user_id else None,
        "status": (VoicemailStatus.ASSIGNED if user_id else VoicemailStatus.NEW).value,
    }
    await audited_update(
        session, actor, vm, changes, action="voicemail.assign", entity_type="voicemail"
    )
    await events.publish(bus, *events.changed(vm, now))
    return vm


async def mark_done(
    session: AsyncSession,
    actor: Principal,
    voicemail_id: str,
    notes: str,
    now: datetime,
    bus: EventBus | None = None,
) -> Voicemail:
    vm = await get_voicemail(session, actor, voicemail_id)
    if vm.status == VoicemailStatus.DONE.value:
        raise VoicemailClosed("this voicemail is already done")
    changes = {
        "status": VoicemailStatus.DONE.value,
        "done_by": actor.user_id or None,
        "done_at": now,
        "notes": notes.strip(),
    }
    await audited_update(
        session, actor, vm, changes, action="voicemail.done", entity_type="voicemail"
    )
    await events.publish(bus, *events.changed(vm, now))
    return vm

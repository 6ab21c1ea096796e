"""Queues and numbers of an organisation, and live queue statistics from stored data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import (
    E164,
    audit_snapshot,
    find_organization,
    find_user_id,
    known_skill_ids,
    known_user_ids,
    record_audit,
)
from omnivox.agents import AgentState, AgentStatus
from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from omnivox.core.security.principal import Principal
from omnivox.routing.models import InboundNumber, Queue, QueueEntry, QueueMember
from omnivox.routing.schemas import MembersWrite, NumberWrite, QueueStats, QueueWrite
from omnivox.routing.types import OverflowKind

_E164: TypeAdapter[str] = TypeAdapter(E164)


async def list_queues(session: AsyncSession, org_id: str) -> list[Queue]:
    return list(
        (
            await session.scalars(
                select(Queue).where(Queue.organization_id == org_id).order_by(Queue.name)
            )
        ).all()
    )


async def get_queue(session: AsyncSession, org_id: str, queue_id: str) -> Queue:
    queue = await session.scalar(
        select(Queue).where(Queue.id == queue_id, Queue.organization_id == org_id)
    )
    if queue is None:
        raise NotFound("queue not found")
    return queue


async def find_queue(session: AsyncSession, queue_id: str) -> Queue | None:
    """The queue with that id in any organisation (callers check the organisation)."""
    return await session.get(Queue, queue_id)


async def _check_references(
    session: AsyncSession, org_id: str, data: QueueWrite, queue_id: str | None
) -> QueueWrite:
    """What the queue points at must exist: an overflow queue of the organisation (not
    itself), a valid external number (stored in E.164 form), the organisation's skills."""
    if data.overflow_kind == OverflowKind.QUEUE and data.overflow_target:
        if data.overflow_target == queue_id:
            raise InvalidInput.on("overflow_target", "a queue cannot overflow into itself")
        await get_queue(session, org_id, data.overflow_target)
    if data.overflow_kind == OverflowKind.EXTERNAL and data.overflow_target:
        try:
            number = _E164.validate_python(data.overflow_target)
        except ValidationError as exc:
            reason = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            raise InvalidInput.on("overflow_target", reason) from None
        data = data.model_copy(update={"overflow_target": number})
    if data.required_skills:
        known = await known_skill_ids(session, org_id, data.required_skills)
        if unknown := sorted(set(data.required_skills) - known):
            raise InvalidInput.on("required_skills", f"unknown skill ids: {', '.join(unknown)}")
    return data


async def save_queue(
    session: AsyncSession, actor: Principal, data: QueueWrite, queue_id: str | None = None
) -> Queue:
    data = await _check_references(session, actor.organization_id, data, queue_id)
    queue = (
        await get_queue(session, actor.organization_id, queue_id)
        if queue_id
        else Queue(organization_id=actor.organization_id)
    )
    before = audit_snapshot(queue) if queue_id else None
    for field, value in data.model_dump(mode="json").items():
        setattr(queue, field, value)
    session.add(queue)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a queue named {data.name!r} already exists",
            problems=[FieldProblem("name", "already used")],
        ) from None
    record_audit(
        session,
        actor,
        "queue.update" if queue_id else "queue.create",
        "queue",
        queue.id,
        before=before,
        after=audit_snapshot(queue),
    )
    await session.commit()
    return queue


async def delete_queue(session: AsyncSession, actor: Principal, queue_id: str) -> None:
    queue = await get_queue(session, actor.organization_id, queue_id)
    if await session.scalar(select(InboundNumber.id).where(InboundNumber.target_id == queue.id)):
        raise Conflict("a number still routes to this queue; point it elsewhere first")
    feeder = await session.scalar(
        select(Queue.name).where(
            Queue.organization_id == actor.organization_id,
            Queue.overflow_kind == OverflowKind.QUEUE,
            Queue.overflow_target == queue.id,
            Queue.id != queue.id,
        )
    )
    if feeder is not None:
        raise Conflict(f"queue {feeder!r} overflows to this queue; change its overflow first")
    record_audit(session, actor, "queue.delete", "queue", queue.id, before=audit_snapshot(queue))
    await session.delete(queue)
    await session.commit()


async def set_members(
    session: AsyncSession, actor: Principal, queue_id: str, data: MembersWrite
) -> list[QueueMember]:
    queue = await get_queue(session, actor.organization_id, queue_id)
    wanted = {m.user_id: m.priority for m in data.members}
    known = await known_user_ids(session, actor.organization_id, wanted) if wanted else set()
    if unknown := sorted(set(wanted) - known):
        raise InvalidInput.on("members", f"unknown user ids: {', '.join(unknown)}")
    await session.execute(delete(QueueMember).where(QueueMember.queue_id == queue.id))
    for user_id, priority in wanted.items():
        session.add(QueueMember(queue_id=queue.id, user_id=user_id, priority=priority))
    record_audit(session, actor, "queue.members", "queue", queue.id, after={"members": wanted})
    await session.commit()
    return await list_members(session, queue.id)


async def list_members(session: AsyncSession, queue_id: str) -> list[QueueMember]:
    return list(
        (await session.scalars(select(QueueMember).where(QueueMember.queue_id == queue_id))).all()
    )


@dataclass(frozen=True)
class QueueNow:
    """A queue's live figures: who waits now, since when, and who could take them."""

    waiting: int
    callbacks_waiting: int  # of ``waiting``: callers who hung up to be called back
    longest_wait_seconds: float | None
    agents_available: int


async def queues_now(
    session: AsyncSession, queue_ids: Sequence[str], now: datetime
) -> dict[str, QueueNow]:
    """``QueueNow`` of each queue, in two queries whatever their number (the wallboard's
    tiles); ``queue_stats`` gives the same for one."""
    if not queue_ids:
        return {}
    in_line = (
        await session.execute(
            select(
                QueueEntry.queue_id,
                QueueEntry.enqueued_at,
                QueueEntry.callback_number,
                QueueEntry.not_before,
            ).where(
                QueueEntry.queue_id.in_(queue_ids), QueueEntry.status.in_(["waiting", "offered"])
            )
        )
    ).all()
    counted = await session.execute(
        select(QueueMember.queue_id, func.count())
        .select_from(AgentStatus)
        .join(QueueMember, QueueMember.user_id == AgentStatus.user_id)
        .where(QueueMember.queue_id.in_(queue_ids), AgentStatus.state == AgentState.AVAILABLE)
        .group_by(QueueMember.queue_id)
    )
    available = {queue_id: int(n) for queue_id, n in counted.all()}
    out = {}
    for queue_id in queue_ids:
        mine = [(a, number, after) for q, a, number, after in in_line if q == queue_id]
        # A callback waiting to be tried again is still waiting (and a callback), but it is
        # not next in line until its time comes, so it does not set the longest wait
        # meanwhile.
        offerable = [a for a, _number, after in mine if after is None or after <= now]
        out[queue_id] = QueueNow(
            waiting=len(mine),
            callbacks_waiting=sum(1 for _arrived, number, _after in mine if number is not None),
            longest_wait_seconds=(now - min(offerable)).total_seconds() if offerable else None,
            agents_available=int(available.get(queue_id, 0)),
        )
    return out


async def queue_stats(
    session: AsyncSession, org_id: str, queue: Queue, now: datetime
) -> QueueStats:
    """Figures computed from queue entries and agent states (nothing estimated)."""
    org = await find_organization(session, org_id)
    tz = ZoneInfo(org.timezone if org else "UTC")
    day_start = datetime.combine(now.astimezone(tz).date(), time(), tz)
    live = (await queues_now(session, [queue.id], now))[queue.id]
    today = list(
        await session.execute(
            select(QueueEntry.status, QueueEntry.enqueued_at, QueueEntry.answered_at).where(
                QueueEntry.queue_id == queue.id, QueueEntry.enqueued_at >= day_start
            )
        )
    )
    answered = [(e, a) for s, e, a in today if a is not None]
    abandoned = sum(1 for s, _e, _a in today if s == "abandoned")
    within = sum(
        1 for e, a in answered if (a - e) <= timedelta(seconds=queue.service_level_seconds)
    )
    offered = len(answered) + abandoned
    return QueueStats(
        queue_id=queue.id,
        waiting=live.waiting,
        callbacks_waiting=live.callbacks_waiting,
        longest_wait_seconds=live.longest_wait_seconds,
        agents_available=live.agents_available,
        answered_today=len(answered),
        abandoned_today=abandoned,
        service_level_today=within / offered if offered else None,
    )


async def available_members(session: AsyncSession, queue_id: str) -> int:
    """Members of the queue who are available right now."""
    count = await session.scalar(
        select(func.count())
        .select_from(AgentStatus)
        .join(QueueMember, QueueMember.user_id == AgentStatus.user_id)
        .where(QueueMember.queue_id == queue_id, AgentStatus.state == AgentState.AVAILABLE)
    )
    return int(count or 0)


async def list_numbers(session: AsyncSession, org_id: str) -> list[InboundNumber]:
    return list(
        (
            await session.scalars(
                select(InboundNumber)
                .where(InboundNumber.organization_id == org_id)
                .order_by(InboundNumber.number)
            )
        ).all()
    )


async def add_number(session: AsyncSession, actor: Principal, data: NumberWrite) -> InboundNumber:
    await _check_target(session, actor.organization_id, data)
    if await session.scalar(select(InboundNumber.id).where(InboundNumber.number == data.number)):
        raise Conflict(
            f"{data.number} is already routed", problems=[FieldProblem("number", "already in use")]
        )
    number = InboundNumber(organization_id=actor.organization_id, **data.model_dump())
    session.add(number)
    await session.flush()
    record_audit(session, actor, "number.create", "number", number.id, after=audit_snapshot(number))
    await session.commit()
    return number


async def _check_target(session: AsyncSession, org_id: str, data: NumberWrite) -> None:
    queue = await session.scalar(
        select(Queue.id).where(Queue.id == data.target_id, Queue.organization_id == org_id)
    )
    user = await find_user_id(session, org_id, data.target_id)
    allowed = {
        "queue": queue is not None,
        "agent": user is not None,
        "voicemail": queue is not None or user is not None,
    }
    if not allowed[data.target_kind]:
        wanted = {
            "queue": "a queue",
            "agent": "a user",
            "voicemail": "a queue or a user (whose voicemail box takes the calls)",
        }[data.target_kind]
        raise InvalidInput.on("target_id", f"not {wanted} of your organisation")


async def delete_number(session: AsyncSession, actor: Principal, number_id: str) -> str:
    """Delete the organisation's number; returns it (E.164)."""
    number = await session.scalar(
        select(InboundNumber).where(
            InboundNumber.id == number_id, InboundNumber.organization_id == actor.organization_id
        )
    )
    if number is None:
        raise NotFound("number not found")
    record_audit(
        session, actor, "number.delete", "number", number.id, before=audit_snapshot(number)
    )
    await session.delete(number)
    await session.commit()
    return number.number


async def callback_requests(session: AsyncSession, org_id: str, call_ids: list[str]) -> set[str]:
    """Of ``call_ids``, the calls whose caller asked a queue to call them back (reports)."""
    if not call_ids:
        return set()
    asked = await session.scalars(
        select(QueueEntry.original_call_id).where(
            QueueEntry.organization_id == org_id,
            QueueEntry.callback_number.is_not(None),
            QueueEntry.original_call_id.in_(call_ids),
        )
    )
    return {c for c in asked if c}


async def completed_callbacks(session: AsyncSession, org_id: str, call_ids: list[str]) -> set[str]:
    """Of ``call_ids``, the callback calls that reached the customer with an agent."""
    if not call_ids:
        return set()
    reached = await session.scalars(
        select(QueueEntry.call_id).where(
            QueueEntry.organization_id == org_id,
            QueueEntry.callback_number.is_not(None),
            QueueEntry.status == "connected",
            QueueEntry.call_id.in_(call_ids),
            QueueEntry.call_id != QueueEntry.original_call_id,
        )
    )
    return set(reached)

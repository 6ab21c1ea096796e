"""Queues and numbers of an organisation, and live queue statistics from stored data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit
from omnivox.accounts.models import Organization, User
from omnivox.agents.models import AgentStatus
from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from omnivox.core.security.principal import Principal
from omnivox.routing.models import InboundNumber, Queue, QueueEntry, QueueMember
from omnivox.routing.schemas import MembersWrite, NumberWrite, QueueStats, QueueWrite


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


async def _check_overflow(session: AsyncSession, org_id: str, data: QueueWrite) -> None:
    if data.overflow_kind == "queue" and data.overflow_target:
        await get_queue(session, org_id, data.overflow_target)


async def save_queue(
    session: AsyncSession, actor: Principal, data: QueueWrite, queue_id: str | None = None
) -> Queue:
    await _check_overflow(session, actor.organization_id, data)
    queue = (
        await get_queue(session, actor.organization_id, queue_id)
        if queue_id
        else Queue(organization_id=actor.organization_id)
    )
    before = audit.snapshot(queue) if queue_id else None
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
    audit.record(
        session,
        actor,
        "queue.update" if queue_id else "queue.create",
        "queue",
        queue.id,
        before=before,
        after=audit.snapshot(queue),
    )
    await session.commit()
    return queue


async def delete_queue(session: AsyncSession, actor: Principal, queue_id: str) -> None:
    queue = await get_queue(session, actor.organization_id, queue_id)
    if await session.scalar(select(InboundNumber.id).where(InboundNumber.target_id == queue.id)):
        raise Conflict("a number still routes to this queue; point it elsewhere first")
    audit.record(session, actor, "queue.delete", "queue", queue.id, before=audit.snapshot(queue))
    await session.delete(queue)
    await session.commit()


async def set_members(
    session: AsyncSession, actor: Principal, queue_id: str, data: MembersWrite
) -> list[QueueMember]:
    queue = await get_queue(session, actor.organization_id, queue_id)
    wanted = {m.user_id: m.priority for m in data.members}
    known = (
        set(
            await session.scalars(
                select(User.id).where(
                    User.id.in_(wanted), User.organization_id == actor.organization_id
                )
            )
        )
        if wanted
        else set()
    )
    if unknown := sorted(set(wanted) - known):
        raise InvalidInput.on("members", f"unknown user ids: {', '.join(unknown)}")
    await session.execute(delete(QueueMember).where(QueueMember.queue_id == queue.id))
    for user_id, priority in wanted.items():
        session.add(QueueMember(queue_id=queue.id, user_id=user_id, priority=priority))
    audit.record(session, actor, "queue.members", "queue", queue.id, after={"members": wanted})
    await session.commit()
    return await list_members(session, queue.id)


async def list_members(session: AsyncSession, queue_id: str) -> list[QueueMember]:
    return list(
        (await session.scalars(select(QueueMember).where(QueueMember.queue_id == queue_id))).all()
    )


async def queue_stats(
    session: AsyncSession, org_id: str, queue: Queue, now: datetime
) -> QueueStats:
    """Figures computed from queue entries and agent states (nothing estimated)."""
    org = await session.get(Organization, org_id)
    tz = ZoneInfo(org.timezone if org else "UTC")
    day_start = datetime.combine(now.astimezone(tz).date(), time(), tz)
    waiting = list(
        await session.scalars(
            select(QueueEntry.enqueued_at).where(
                QueueEntry.queue_id == queue.id, QueueEntry.status.in_(["waiting", "offered"])
            )
        )
    )
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
    available = (
        await session.scalar(
            select(func.count())
            .select_from(AgentStatus)
            .join(QueueMember, QueueMember.user_id == AgentStatus.user_id)
            .where(QueueMember.queue_id == queue.id, AgentStatus.state == "available")
        )
        or 0
    )
    return QueueStats(
        queue_id=queue.id,
        waiting=len(waiting),
        longest_wait_seconds=(now - min(waiting)).total_seconds() if waiting else None,
        agents_available=int(available),
        answered_today=len(answered),
        abandoned_today=abandoned,
        service_level_today=within / offered if offered else None,
    )


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
    await get_queue(session, actor.organization_id, data.target_id)
    if await session.scalar(select(InboundNumber.id).where(InboundNumber.number == data.number)):
        raise Conflict(
            f"{data.number} is already routed", problems=[FieldProblem("number", "already in use")]
        )
    number = InboundNumber(organization_id=actor.organization_id, **data.model_dump())
    session.add(number)
    await session.flush()
    audit.record(session, actor, "number.create", "number", number.id, after=audit.snapshot(number))
    await session.commit()
    return number


async def delete_number(session: AsyncSession, actor: Principal, number_id: str) -> None:
    number = await session.scalar(
        select(InboundNumber).where(
            InboundNumber.id == number_id, InboundNumber.organization_id == actor.organization_id
        )
    )
    if number is None:
        raise NotFound("number not found")
    audit.record(
        session, actor, "number.delete", "number", number.id, before=audit.snapshot(number)
    )
    await session.delete(number)
    await session.commit()

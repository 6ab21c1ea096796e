"""JSON routes for queues, their members and statistics, and inbound numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.routing import queues
from omnivox.routing.call_backs import schedule_call_back
from omnivox.routing.schemas import (
    CallBackIn,
    CallBackRead,
    Member,
    MembersWrite,
    NumberRead,
    NumberWrite,
    QueueRead,
    QueueStats,
    QueueWrite,
)
from omnivox.web.deps import DB, Allow, State

router = APIRouter(prefix="/api/v1", tags=["queues"])


@router.get("/queues", response_model=list[QueueRead])
async def list_queues(db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)) -> list[QueueRead]:
    return [
        QueueRead.model_validate(q) for q in await queues.list_queues(db, actor.organization_id)
    ]


@router.post("/queues", response_model=QueueRead, status_code=201)
async def create_queue(
    data: QueueWrite, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> QueueRead:
    return QueueRead.model_validate(await queues.save_queue(db, actor, data))


@router.get("/queues/{queue_id}", response_model=QueueRead)
async def read_queue(
    queue_id: str, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> QueueRead:
    return QueueRead.model_validate(await queues.get_queue(db, actor.organization_id, queue_id))


@router.put("/queues/{queue_id}", response_model=QueueRead)
async def update_queue(
    queue_id: str, data: QueueWrite, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> QueueRead:
    return QueueRead.model_validate(await queues.save_queue(db, actor, data, queue_id))


@router.delete("/queues/{queue_id}", status_code=204)
async def delete_queue(
    queue_id: str, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> Response:
    await queues.delete_queue(db, actor, queue_id)
    return Response(status_code=204)


@router.put("/queues/{queue_id}/members", response_model=list[Member])
async def set_members(
    queue_id: str, data: MembersWrite, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> list[Member]:
    rows = await queues.set_members(db, actor, queue_id, data)
    return [Member(user_id=m.user_id, priority=m.priority) for m in rows]


@router.get("/queues/{queue_id}/stats", response_model=QueueStats)
async def stats(
    queue_id: str, db: DB, state: State, actor: Principal = Allow(P.CALLS_READ)
) -> QueueStats:
    queue = await queues.get_queue(db, actor.organization_id, queue_id)
    return await queues.queue_stats(db, actor.organization_id, queue, state.clock.now())


@router.get("/numbers", response_model=list[NumberRead])
async def list_numbers(db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)) -> list[NumberRead]:
    return [
        NumberRead.model_validate(n) for n in await queues.list_numbers(db, actor.organization_id)
    ]


@router.post("/numbers", response_model=NumberRead, status_code=201)
async def add_number(
    data: NumberWrite, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> NumberRead:
    number = await queues.add_number(db, actor, data)
    request.app.state.telephony.provision_number(number.number)
    return NumberRead.model_validate(number)


@router.delete("/numbers/{number_id}", status_code=204)
async def delete_number(
    number_id: str, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> Response:
    await queues.delete_number(db, actor, number_id)
    return Response(status_code=204)


@router.post("/calls/{call_id}/callback", response_model=CallBackRead, status_code=201)
async def call_back(
    call_id: str,
    data: CallBackIn,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> CallBackRead:
    """Call the customer of an inbound (queue) call back at an agreed time: the callback
    waits in the call's queue until then, and is offered to its agents when it is due."""
    entry = await schedule_call_back(
        db, actor, call_id, data.due_local, data.timezone, data.notes, state.clock.now()
    )
    assert entry.callback_number is not None and entry.not_before is not None
    return CallBackRead(
        id=entry.id,
        call_id=call_id,
        queue_id=entry.queue_id,
        number=entry.callback_number,
        due_at=entry.not_before,
        timezone=str(entry.detail["timezone"]),
    )

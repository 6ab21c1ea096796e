"""JSON routes for queues, their members and statistics, inbound numbers, and where an agent
can transfer a call."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from omnivox.agents import list_available_colleagues
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, JsonCrud, State, add_json_crud, in_org
from omnivox.routing import queues
from omnivox.routing.call_backs import schedule_call_back
from omnivox.routing.models import Queue
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
    TransferTargetRead,
)

router = APIRouter(prefix="/api/v1", tags=["queues"])


# Included before telephony's router (create_app): matched before GET /calls/{call_id}.
@router.get("/calls/transfer-targets", response_model=list[TransferTargetRead], tags=["calls"])
async def transfer_targets(
    db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> list[TransferTargetRead]:
    """Where a call can go now: available colleagues, then the organisation's queues."""
    org_id = actor.organization_id
    agents = [
        TransferTargetRead(id=uid, name=name)
        for uid, name in await list_available_colleagues(db, org_id, actor.user_id)
    ]
    return agents + [
        TransferTargetRead(id=q.id, name=q.name, kind="queue")
        for q in await queues.list_queues(db, org_id)
    ]


add_json_crud(
    router,
    JsonCrud[Queue](
        path="/queues",
        noun="queue",
        read_model=QueueRead,
        read=P.ORG_SETTINGS_READ,
        write=P.ORG_SETTINGS_WRITE,
        list_rows=in_org(queues.list_queues),
        create=queues.save_queue,
        create_model=QueueWrite,
        get=in_org(queues.get_queue),
        update=lambda db, actor, queue_id, data: queues.save_queue(db, actor, data, queue_id),
        update_model=QueueWrite,
        update_method="PUT",
        delete=queues.delete_queue,
    ),
)


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
    number_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> Response:
    number = await queues.delete_number(db, actor, number_id)
    request.app.state.telephony.release_number(number)  # other nodes follow on their sweep
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

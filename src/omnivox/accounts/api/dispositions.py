"""The disposition catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Response

from omnivox.accounts import dispositions as disp
from omnivox.accounts.schemas import DispositionCreate, DispositionRead, DispositionUpdate
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow

router = APIRouter(tags=["dispositions"])


@router.get("/dispositions", response_model=list[DispositionRead])
async def list_dispositions(
    db: DB, actor: Principal = Allow(P.DISPOSITIONS_READ)
) -> list[DispositionRead]:
    rows = await disp.list_dispositions(db, actor.organization_id)
    return [DispositionRead.model_validate(d) for d in rows]


@router.post("/dispositions", response_model=DispositionRead, status_code=201)
async def create_disposition(
    data: DispositionCreate, db: DB, actor: Principal = Allow(P.DISPOSITIONS_WRITE)
) -> DispositionRead:
    return DispositionRead.model_validate(await disp.create_disposition(db, actor, data))


@router.get("/dispositions/{disposition_id}", response_model=DispositionRead)
async def read_disposition(
    disposition_id: str, db: DB, actor: Principal = Allow(P.DISPOSITIONS_READ)
) -> DispositionRead:
    return DispositionRead.model_validate(
        await disp.get_disposition(db, actor.organization_id, disposition_id)
    )


@router.patch("/dispositions/{disposition_id}", response_model=DispositionRead)
async def update_disposition(
    disposition_id: str,
    data: DispositionUpdate,
    db: DB,
    actor: Principal = Allow(P.DISPOSITIONS_WRITE),
) -> DispositionRead:
    return DispositionRead.model_validate(
        await disp.update_disposition(db, actor, disposition_id, data)
    )


@router.delete("/dispositions/{disposition_id}", status_code=204)
async def delete_disposition(
    disposition_id: str, db: DB, actor: Principal = Allow(P.DISPOSITIONS_WRITE)
) -> Response:
    await disp.delete_disposition(db, actor, disposition_id)
    return Response(status_code=204)

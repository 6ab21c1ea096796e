"""Business settings: compliance, business hours, holidays, and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from omnivox.accounts import audit
from omnivox.accounts import organizations as orgs
from omnivox.accounts.schemas import (
    AuditRead,
    BusinessHoursRead,
    BusinessHoursWrite,
    ComplianceSettings,
    HolidayCreate,
    HolidayRead,
)
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow

router = APIRouter(tags=["settings"])


@router.get("/settings/compliance", response_model=ComplianceSettings)
async def read_compliance(
    db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> ComplianceSettings:
    return orgs.compliance_of(await orgs.get_organization(db, actor.organization_id))


@router.put("/settings/compliance", response_model=ComplianceSettings)
async def write_compliance(
    data: ComplianceSettings, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> ComplianceSettings:
    return await orgs.update_compliance(db, actor, data)


@router.get("/settings/business-hours", response_model=BusinessHoursRead)
async def read_hours(db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)) -> BusinessHoursRead:
    return await orgs.get_business_hours(db, actor.organization_id)


@router.put("/settings/business-hours", response_model=BusinessHoursRead)
async def write_hours(
    data: BusinessHoursWrite, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> BusinessHoursRead:
    return await orgs.replace_business_hours(db, actor, data)


@router.get("/holidays", response_model=list[HolidayRead])
async def list_holidays(db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)) -> list[HolidayRead]:
    return [
        HolidayRead.model_validate(h) for h in await orgs.list_holidays(db, actor.organization_id)
    ]


@router.post("/holidays", response_model=HolidayRead, status_code=201)
async def add_holiday(
    data: HolidayCreate, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HolidayRead:
    return HolidayRead.model_validate(await orgs.add_holiday(db, actor, data))


@router.delete("/holidays/{holiday_id}", status_code=204)
async def delete_holiday(
    holiday_id: str, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> Response:
    await orgs.delete_holiday(db, actor, holiday_id)
    return Response(status_code=204)


@router.get("/audit-log", response_model=list[AuditRead])
async def read_audit_log(
    db: DB,
    actor: Principal = Allow(P.AUDIT_READ),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
    entity_type: str | None = Query(None, max_length=64),
) -> list[AuditRead]:
    rows = await audit.list_audit(
        db, actor.organization_id, limit=limit, offset=offset, entity_type=entity_type
    )
    return [AuditRead.model_validate(r) for r in rows]

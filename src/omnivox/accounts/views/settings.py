"""Organisation settings, dispositions, audit log, and the platform's organisations."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit, dispositions
from omnivox.accounts import organizations as orgs
from omnivox.accounts.api.deps import Guard
from omnivox.accounts.models import Disposition
from omnivox.accounts.schemas import (
    BusinessHoursWrite,
    ComplianceSettings,
    DispositionCreate,
    DispositionUpdate,
    HolidayCreate,
    OrganizationCreate,
    OrganizationUpdate,
)
from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import (
    DB,
    Allow,
    CrudPages,
    State,
    add_crud_pages,
    client_address,
    form_dict,
    in_org,
    parse,
    render,
)

router = APIRouter()


async def _settings_context(db: DB, actor: Principal) -> dict[str, Any]:
    org = await orgs.get_organization(db, actor.organization_id)
    return {
        "org": org,
        "compliance": orgs.compliance_of(org),
        "hours": await orgs.get_business_hours(db, actor.organization_id),
        "holidays": await orgs.list_holidays(db, actor.organization_id),
        "can_write": actor.can(P.ORG_SETTINGS_WRITE),
        "message": "",
    }


@router.get("/admin/settings")
async def settings_page(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> HTMLResponse:
    return render(request, "admin/settings.html", actor, **await _settings_context(db, actor))


@router.post("/admin/settings/profile")
async def save_profile(
    request: Request,
    db: DB,
    state: State,
    guard: Guard,
    actor: Principal = Allow(P.ORG_SETTINGS_WRITE),
) -> HTMLResponse:
    data = await form_dict(request, lists=("require_2fa_roles",))
    data.setdefault("require_2fa_roles", [])  # no box ticked: no role singled out
    data["default_caller_ids"] = [
        n.strip() for n in data.get("default_caller_ids", "").split(",") if n.strip()
    ]
    data["require_2fa"] = data.get("require_2fa") == "on"
    for limit in ("import_max_bytes", "import_max_rows"):
        data[limit] = data.get(limit, "").strip() or "0"  # empty: no limit of its own
    data.pop("is_active", None)  # only a platform admin switches an organisation on or off
    for field in ("ip_allow_web", "ip_allow_api"):
        if field in data:
            data[field] = [
                r.strip() for r in data[field].replace("\n", ",").split(",") if r.strip()
            ]
    address = client_address(request, state.settings.trusted_proxy_networks)
    await orgs.update_organization(
        db,
        actor,
        actor.organization_id,
        parse(OrganizationUpdate, data),
        guard=guard,
        address=address,
    )
    ctx = await _settings_context(db, actor)
    return render(
        request,
        "partials/settings_profile.html",
        actor,
        **{**ctx, "message": "Organisation profile saved."},
    )


@router.post("/admin/settings/compliance")
async def save_compliance(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    data = await form_dict(request)
    percent = data.pop("abandon_rate_percent", "")
    try:
        data["abandon_rate_cap"] = str(Decimal(percent) / 100)
    except InvalidOperation:
        raise InvalidInput.on("abandon_rate_percent", "must be a number such as 3") from None
    await orgs.update_compliance(db, actor, parse(ComplianceSettings, data))
    ctx = await _settings_context(db, actor)
    return render(
        request,
        "partials/settings_compliance.html",
        actor,
        **{**ctx, "message": "Compliance settings saved."},
    )


_SLOT = re.compile(r"^opens_([0-6])_(\d{1,2})$")


def _hours_from_form(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows named opens_<day>_<n> / closes_<day>_<n>; a row with both times empty is unused."""
    intervals = []
    for key, opens in data.items():
        if (match := _SLOT.match(key)) is None:
            continue
        closes = data.get(f"closes_{match.group(1)}_{match.group(2)}", "")
        if opens or closes:
            intervals.append({"weekday": int(match.group(1)), "opens": opens, "closes": closes})
    return intervals


@router.post("/admin/settings/hours")
async def save_hours(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    intervals = _hours_from_form(await form_dict(request))
    await orgs.replace_business_hours(
        db, actor, parse(BusinessHoursWrite, {"intervals": intervals})
    )
    ctx = await _settings_context(db, actor)
    return render(
        request,
        "partials/settings_hours.html",
        actor,
        **{**ctx, "message": "Business hours saved."},
    )


@router.post("/admin/settings/holidays")
async def add_holiday(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    await orgs.add_holiday(db, actor, parse(HolidayCreate, await form_dict(request)))
    ctx = await _settings_context(db, actor)
    return render(
        request, "partials/settings_holidays.html", actor, **{**ctx, "message": "Holiday added."}
    )


@router.post("/admin/settings/holidays/{holiday_id}/delete")
async def delete_holiday(
    holiday_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    await orgs.delete_holiday(db, actor, holiday_id)
    ctx = await _settings_context(db, actor)
    return render(
        request, "partials/settings_holidays.html", actor, **{**ctx, "message": "Holiday removed."}
    )


async def _dispositions_context(db: AsyncSession, actor: Principal) -> dict[str, Any]:
    return {"dispositions": await dispositions.list_dispositions(db, actor.organization_id)}


async def _create_disposition(
    db: AsyncSession, actor: Principal, data: dict[str, Any]
) -> Disposition:
    data["is_final"] = data.get("is_final") == "on"
    # "": the category's default (sale, contact and callback reach the right person).
    data["right_party"] = {"on": True, "off": False}.get(data.get("right_party", ""))
    return await dispositions.create_disposition(db, actor, parse(DispositionCreate, data))


async def _update_disposition(
    db: AsyncSession, actor: Principal, disposition_id: str, data: dict[str, Any]
) -> Disposition:
    data["is_final"] = data.get("is_final") == "on"
    data["is_active"] = data.get("is_active") == "on"
    data["right_party"] = data.get("right_party") == "on"
    return await dispositions.update_disposition(
        db, actor, disposition_id, parse(DispositionUpdate, data)
    )


add_crud_pages(
    router,
    CrudPages[Disposition](
        path="/admin/dispositions",
        noun="disposition",
        read=P.DISPOSITIONS_WRITE,
        write=P.DISPOSITIONS_WRITE,
        page_template="admin/dispositions.html",
        table_template="partials/dispositions_table.html",
        context=_dispositions_context,
        get=in_org(dispositions.get_disposition),
        create=_create_disposition,
        update=_update_disposition,
        delete=dispositions.delete_disposition,
        label=lambda disp: disp.code,
    ),
)


@router.get("/admin/audit")
async def audit_page(
    request: Request, db: DB, actor: Principal = Allow(P.AUDIT_READ), page: int = 1
) -> HTMLResponse:
    page = max(1, min(page, 10_000))
    rows = await audit.list_audit(db, actor.organization_id, limit=51, offset=(page - 1) * 50)
    return render(
        request, "admin/audit.html", actor, rows=rows[:50], page=page, has_more=len(rows) > 50
    )


@router.get("/platform/organizations")
async def organizations_page(
    request: Request, db: DB, actor: Principal = Allow(P.ORGANIZATIONS_MANAGE)
) -> HTMLResponse:
    return render(
        request,
        "platform/organizations.html",
        actor,
        orgs=await orgs.list_organizations(db),
        message="",
    )


@router.post("/platform/organizations")
async def create_organization(
    request: Request, db: DB, actor: Principal = Allow(P.ORGANIZATIONS_MANAGE)
) -> HTMLResponse:
    org = await orgs.create_organization(
        db, actor, parse(OrganizationCreate, await form_dict(request))
    )
    return render(
        request,
        "partials/orgs_table.html",
        actor,
        orgs=await orgs.list_organizations(db),
        message=f"Created {org.name}.",
    )


@router.post("/platform/organizations/{organization_id}/toggle")
async def toggle_organization(
    organization_id: str,
    request: Request,
    db: DB,
    guard: Guard,
    actor: Principal = Allow(P.ORGANIZATIONS_MANAGE),
) -> HTMLResponse:
    org = await orgs.get_organization(db, organization_id)
    await orgs.update_organization(
        db, actor, organization_id, OrganizationUpdate(is_active=not org.is_active), guard=guard
    )
    state = "enabled" if org.is_active else "disabled"
    return render(
        request,
        "partials/orgs_table.html",
        actor,
        orgs=await orgs.list_organizations(db),
        message=f"{org.name} {state}.",
    )

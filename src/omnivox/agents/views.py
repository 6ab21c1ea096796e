"""Where people work all day: the agent desktop and the supervisor's live view.

Both pages load their state from the JSON API and then follow server-pushed events; they
never invent state (on reconnect they re-read it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.accounts import MINOR_DIGITS, get_organization, list_dispositions
from omnivox.agents.break_reasons import list_break_reasons
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, render

router = APIRouter(include_in_schema=False)


@router.get("/agent")
async def agent_desktop(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.AGENT_STATE_OWN)
) -> HTMLResponse:
    reasons = [
        r
        for r in await list_break_reasons(db, actor.organization_id)
        if r.is_active and not r.is_system
    ]
    dispositions = [
        d
        for d in await list_dispositions(db, actor.organization_id, active_only=True)
        if d.category != "system"
    ]
    currency = (await get_organization(db, actor.organization_id)).currency
    await db.commit()  # default break reasons are created on first use
    # A sale's amount: the currency's smallest unit is the field's step.
    digits = MINOR_DIGITS.get(currency, 2)
    sale = {
        "currency": currency,
        "step": "1" if digits == 0 else f"0.{'0' * (digits - 1)}1",
        "max": state.settings.sale_amount_max,
    }
    return render(
        request,
        "agent/desktop.html",
        actor,
        reasons=reasons,
        dispositions=dispositions,
        sale=sale,
    )


@router.get("/supervisor")
async def supervisor_view(
    request: Request, db: DB, actor: Principal = Allow(P.AGENTS_SUPERVISE)
) -> HTMLResponse:
    reasons = [r for r in await list_break_reasons(db, actor.organization_id) if r.is_active]
    await db.commit()
    return render(request, "supervisor/live.html", actor, reasons=reasons)

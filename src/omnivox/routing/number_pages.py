"""Admin pages for the inbound numbers of an organisation: list, add, delete.

Every change goes through the same domain functions as the JSON API (validation, tenant
checks, audit). A refused form comes back re-rendered with what was typed and the reason
next to the field, with status 422 (409 for a conflict); nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.accounts import list_users
from omnivox.core.errors import Conflict, InvalidInput, NotFound
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, form_dict, parse, render
from omnivox.routing import queues
from omnivox.routing.page_forms import form_errors
from omnivox.routing.schemas import NumberWrite

router = APIRouter(prefix="/admin", include_in_schema=False)

NUMBER_LABELS = {
    "number": "Number",
    "friendly_name": "Friendly name",
    "target_kind": "Routes to",
    "target_id": "Routes to",
    "form": "Number",
}


async def _numbers_section(
    request: Request,
    db: DB,
    actor: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    status: int = 200,
    template: str = "routing/numbers_section.html",
) -> HTMLResponse:
    rows = await queues.list_queues(db, actor.organization_id)
    people = [u for u in await list_users(db, actor.organization_id) if u.is_active]
    return render(
        request,
        template,
        actor,
        status,
        numbers=await queues.list_numbers(db, actor.organization_id),
        queues=rows,
        people=people,
        queue_names={q.id: q.name for q in rows},
        people_names={u.id: u.name or u.email for u in people},
        labels=NUMBER_LABELS,
        can_write=actor.can(P.ORG_SETTINGS_WRITE),
        values=values or {},
        errors=errors or {},
        message=message,
    )


@router.get("/numbers")
async def numbers_page(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> HTMLResponse:
    return await _numbers_section(request, db, actor, template="routing/numbers.html")


@router.post("/numbers")
async def add_number(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    form = await form_dict(request)
    try:
        data = parse(
            NumberWrite,
            {
                "number": form.get("number", "").strip(),
                "friendly_name": form.get("friendly_name", "").strip(),
                # "kind:id" from one chooser: a queue, an agent, or a voicemail box.
                "target_kind": form.get("target", "").partition(":")[0] or "queue",
                "target_id": form.get("target", "").partition(":")[2],
            },
        )
        try:
            number = await queues.add_number(db, actor, data)
        except NotFound:
            raise InvalidInput.on("target_id", "choose one of the listed targets") from None
    except (InvalidInput, Conflict) as exc:
        return await _numbers_section(
            request,
            db,
            actor,
            values=form,
            errors=form_errors(exc, NUMBER_LABELS),
            status=exc.status,
        )
    request.app.state.telephony.provision_number(number.number)  # as the API does
    return await _numbers_section(request, db, actor, message=f"Added {number.number}.")


@router.post("/numbers/{number_id}/delete")
async def delete_number(
    number_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    label = await queues.delete_number(db, actor, number_id)
    request.app.state.telephony.release_number(label)  # as the API does
    return await _numbers_section(request, db, actor, message=f"Deleted {label}.")

"""The voicemail page: list with filters, assign and done buttons (HTMX), playback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, form_dict, render
from omnivox.routing import list_queues
from omnivox.voicemail import playback, service
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.schemas import VoicemailStatus

router = APIRouter(include_in_schema=False)


async def _row(
    request: Request, db: DB, actor: Principal, vm: Voicemail, message: str = ""
) -> HTMLResponse:
    ctx = await _people(db, actor)
    return render(
        request,
        "voicemail/row.html",
        actor,
        vm=vm,
        message=message,
        has_audio=playback.has_audio,
        **ctx,
    )


async def _people(db: DB, actor: Principal) -> dict[str, Any]:
    can_assign = actor.can(P.CALLS_SUPERVISE)
    people = await service.assignable_users(db, actor.organization_id) if can_assign else []
    return {"can_assign": can_assign, "people": people, "names": {u.id: u.name for u in people}}


@router.get("/voicemail")
async def voicemail_page(
    request: Request,
    db: DB,
    actor: Principal = Allow(P.CALLS_CONTROL),
    status: Annotated[str, Query(max_length=16)] = "",
    queue_id: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    chosen = VoicemailStatus(status) if status in set(VoicemailStatus) else None
    rows = await service.list_voicemails(
        db, actor, service.VoicemailQuery(chosen, queue_id or None, 200)
    )
    all_queues = await list_queues(db, actor.organization_id) if actor.can(P.CALLS_READ) else []
    return render(
        request,
        "voicemail/voicemails.html",
        actor,
        voicemails=rows,
        chosen_status=status,
        queue_id=queue_id,
        statuses=list(VoicemailStatus),
        queues=all_queues,
        has_audio=playback.has_audio,
        message="",
        **await _people(db, actor),
    )


@router.post("/voicemail/{voicemail_id}/assign")
async def assign(
    voicemail_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_SUPERVISE),
) -> HTMLResponse:
    user_id = str((await form_dict(request)).get("user_id", "")) or None
    vm = await service.assign_voicemail(
        db, actor, voicemail_id, user_id, state.clock.now(), state.bus
    )
    return await _row(request, db, actor, vm, "Assigned." if user_id else "Unassigned.")


@router.post("/voicemail/{voicemail_id}/done")
async def done(
    voicemail_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> HTMLResponse:
    notes = str((await form_dict(request)).get("notes", ""))
    if len(notes) > 4000:
        raise InvalidInput.on("notes", "at most 4000 characters")
    vm = await service.mark_done(db, actor, voicemail_id, notes, state.clock.now(), state.bus)
    return await _row(request, db, actor, vm, "Marked done.")

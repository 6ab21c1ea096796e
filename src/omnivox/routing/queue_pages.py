"""Admin pages for inbound queues: the list, settings, members, delete.

Every change goes through the same domain functions as the JSON API (validation, tenant
checks, audit). A refused form comes back re-rendered with what was typed and the reason
next to the field, with status 422 (409 for a conflict); nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from omnivox.accounts import get_user, list_skills, list_users
from omnivox.core.errors import Conflict, InvalidInput, NotFound
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.permissions import Role, has_permission
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, form_dict, parse, render
from omnivox.routing import queues
from omnivox.routing.models import Queue
from omnivox.routing.page_forms import form_errors
from omnivox.routing.schemas import Member, MembersWrite, QueueWrite
from omnivox.routing.types import OverflowKind, Strategy

router = APIRouter(prefix="/admin", include_in_schema=False)

VOICEMAIL_BOX = "default"  # the organisation's voicemail (one box per organisation today)

QUEUE_LABELS = {
    "name": "Name",
    "strategy": "Strategy",
    "priority": "Priority",
    "service_level_seconds": "Service-level threshold",
    "max_wait_seconds": "Maximum wait",
    "overflow_kind": "Overflow",
    "overflow_target": "Overflow target",
    "offer_timeout_seconds": "Ring time per offer",
    "answer_mode": "Answering",
    "required_skills": "Required skills",
    "greeting": "Greeting",
    "announce_every_seconds": "Announcement interval",
    "callback_enabled": "Callback in queue",
    "callback_retries": "Retries of an unanswered callback",
    "callback_retry_minutes": "Wait before trying a callback again",
    "user_id": "Agent",
    "members": "Agent",
    "form": "Queue",
}
STRATEGY_LABELS = {
    Strategy.LONGEST_IDLE.value: "Longest idle",
    Strategy.SKILLS.value: "Skills (most proficient first)",
    Strategy.ROUND_ROBIN.value: "Round robin",
}


def _queue_data(form: dict[str, Any]) -> dict[str, Any]:
    """The form as QueueWrite input; fields the form does not carry keep their defaults."""
    data: dict[str, Any] = {
        k: form[k]
        for k in (
            "name",
            "strategy",
            "priority",
            "service_level_seconds",
            "greeting",
            "answer_mode",
        )
        if k in form
    }
    data.update(
        {
            k: form[k].strip() or None
            for k in ("max_wait_seconds", "announce_every_seconds")
            if k in form
        }
    )
    for k in ("offer_timeout_seconds", "callback_retries", "callback_retry_minutes"):
        if form.get(k, "").strip():
            data[k] = form[k].strip()
    kind = form.get("overflow_kind") or None
    targets = {
        OverflowKind.QUEUE: form.get("overflow_queue", ""),
        OverflowKind.VOICEMAIL: VOICEMAIL_BOX,
        OverflowKind.EXTERNAL: form.get("overflow_number", "").strip(),
    }
    data["overflow_kind"] = kind
    data["overflow_target"] = (targets.get(kind) or None) if kind else None
    data["required_skills"] = {
        key.removeprefix("skill_"): value
        for key, value in form.items()
        if key.startswith("skill_") and value
    }
    data["callback_enabled"] = form.get("callback_enabled") == "on"
    return data


def _values(source: Queue | QueueWrite) -> dict[str, Any]:
    """What the form shows for a stored queue (or a new one's defaults)."""
    kind, target = source.overflow_kind, source.overflow_target or ""
    return {
        "name": source.name,
        "strategy": source.strategy,
        "priority": source.priority,
        "service_level_seconds": _num(source.service_level_seconds),
        "max_wait_seconds": _num(source.max_wait_seconds),
        "overflow_kind": kind or "",
        "overflow_queue": target if kind == OverflowKind.QUEUE else "",
        "overflow_number": target if kind == OverflowKind.EXTERNAL else "",
        "offer_timeout_seconds": source.offer_timeout_seconds,
        "answer_mode": source.answer_mode,
        "skills": {k: str(v) for k, v in (source.required_skills or {}).items()},
        "greeting": source.greeting,
        "announce_every_seconds": source.announce_every_seconds or "",
        "callback_enabled": source.callback_enabled,
        "callback_retries": source.callback_retries,
        "callback_retry_minutes": source.callback_retry_minutes,
    }


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _typed(form: dict[str, Any]) -> dict[str, Any]:
    """What the form shows again after a refusal: exactly what was typed."""
    return {
        **form,
        "skills": {k.removeprefix("skill_"): v for k, v in form.items() if k.startswith("skill_")},
        "callback_enabled": form.get("callback_enabled") == "on",
    }


async def _list_context(db: DB, actor: Principal) -> dict[str, Any]:
    rows = await queues.list_queues(db, actor.organization_id)
    routed: dict[str, list[str]] = {}
    for number in await queues.list_numbers(db, actor.organization_id):
        if number.target_kind == "queue":
            routed.setdefault(number.target_id, []).append(number.number)
    return {
        "queues": rows,
        "members": {q.id: len(await queues.list_members(db, q.id)) for q in rows},
        "routed": routed,
        "strategies": STRATEGY_LABELS,
        "labels": QUEUE_LABELS,
        "can_write": actor.can(P.ORG_SETTINGS_WRITE),
    }


async def _queues_section(
    request: Request,
    db: DB,
    actor: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    status: int = 200,
    template: str = "routing/queues_section.html",
) -> HTMLResponse:
    return render(
        request,
        template,
        actor,
        status,
        **await _list_context(db, actor),
        values=values or _values(QueueWrite.model_construct(name="")),
        errors=errors or {},
        message=message,
    )


async def _save(db: DB, actor: Principal, data: QueueWrite, queue_id: str | None = None) -> Queue:
    """``save_queue``; the queue being edited is known to exist, so a NotFound is about
    the chosen overflow queue: a field error of the form, not a missing page."""
    try:
        return await queues.save_queue(db, actor, data, queue_id)
    except NotFound:
        raise InvalidInput.on("overflow_target", "no such queue in this organisation") from None


@router.get("/queues")
async def queues_page(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> HTMLResponse:
    return await _queues_section(request, db, actor, template="routing/queues.html")


@router.post("/queues")
async def create_queue(
    request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    form = await form_dict(request)
    try:
        queue = await _save(db, actor, parse(QueueWrite, _queue_data(form)))
    except (InvalidInput, Conflict) as exc:
        return await _queues_section(
            request,
            db,
            actor,
            values=_typed(form),
            errors=form_errors(exc, QUEUE_LABELS),
            status=exc.status,
        )
    return await _queues_section(request, db, actor, message=f"Created queue {queue.name}.")


async def _queue_context(db: DB, actor: Principal, queue: Queue) -> dict[str, Any]:
    numbers = [
        n
        for n in await queues.list_numbers(db, actor.organization_id)
        if n.target_kind == "queue" and n.target_id == queue.id
    ]
    return {
        "queue": queue,
        "other_queues": [
            q for q in await queues.list_queues(db, actor.organization_id) if q.id != queue.id
        ],
        "skills": await list_skills(db, actor.organization_id),
        "numbers": numbers,
        "strategies": STRATEGY_LABELS,
        "labels": QUEUE_LABELS,
        "can_write": actor.can(P.ORG_SETTINGS_WRITE),
        **await _members_context(db, actor, queue),
    }


async def _members_context(db: DB, actor: Principal, queue: Queue) -> dict[str, Any]:
    people = await list_users(db, actor.organization_id)
    members = {m.user_id: m.priority for m in await queues.list_members(db, queue.id)}
    return {
        "members": [(u, members[u.id]) for u in people if u.id in members],
        # Who can take calls: the roles that set their own agent state.
        "candidates": [
            u
            for u in people
            if u.id not in members
            and u.is_active
            and has_permission(Role(u.role), P.AGENT_STATE_OWN)
        ],
    }


@router.get("/queues/{queue_id}")
async def queue_page(
    queue_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_READ)
) -> HTMLResponse:
    queue = await queues.get_queue(db, actor.organization_id, queue_id)
    return render(
        request,
        "routing/queue.html",
        actor,
        **await _queue_context(db, actor, queue),
        values=_values(queue),
        errors={},
        member_errors={},
        message="",
        member_message="",
        delete_error="",
    )


@router.post("/queues/{queue_id}")
async def update_queue(
    queue_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    queue = await queues.get_queue(db, actor.organization_id, queue_id)  # 404 before parsing
    form = await form_dict(request)
    try:
        queue = await _save(db, actor, parse(QueueWrite, _queue_data(form)), queue_id)
    except (InvalidInput, Conflict) as exc:
        queue = await queues.get_queue(db, actor.organization_id, queue_id)  # as stored
        status, values, errors, message = (
            exc.status,
            _typed(form),
            form_errors(exc, QUEUE_LABELS),
            "",
        )
    else:
        status, values, errors, message = 200, _values(queue), {}, f"Saved queue {queue.name}."
    return render(
        request,
        "routing/queue_form.html",
        actor,
        status,
        **await _queue_context(db, actor, queue),
        values=values,
        errors=errors,
        message=message,
    )


async def _members_section(
    request: Request,
    db: DB,
    actor: Principal,
    queue: Queue,
    *,
    message: str = "",
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "routing/queue_members.html",
        actor,
        status,
        queue=queue,
        labels=QUEUE_LABELS,
        can_write=actor.can(P.ORG_SETTINGS_WRITE),
        **await _members_context(db, actor, queue),
        member_errors=errors or {},
        member_values=typed or {},
        member_message=message,
    )


async def _replace_members(db: DB, actor: Principal, queue: Queue, wanted: dict[str, int]) -> None:
    write = MembersWrite(members=[Member(user_id=u, priority=p) for u, p in wanted.items()])
    await queues.set_members(db, actor, queue.id, write)


@router.post("/queues/{queue_id}/members")
async def save_member(
    queue_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> HTMLResponse:
    """Add an agent to the queue, or change a member's priority."""
    queue = await queues.get_queue(db, actor.organization_id, queue_id)
    form = await form_dict(request)
    current = {m.user_id: m.priority for m in await queues.list_members(db, queue.id)}
    try:
        member = parse(
            Member, {"user_id": form.get("user_id", ""), "priority": form.get("priority") or 0}
        )
        if not member.user_id:
            raise InvalidInput.on("user_id", "choose an agent")
        await _replace_members(db, actor, queue, {**current, member.user_id: member.priority})
    except InvalidInput as exc:
        return await _members_section(
            request, db, actor, queue, errors=form_errors(exc, QUEUE_LABELS), typed=form, status=422
        )
    who = await get_user(db, actor.organization_id, member.user_id)
    verb = "Saved" if member.user_id in current else "Added"
    return await _members_section(
        request, db, actor, queue, message=f"{verb} {who.name} (priority {member.priority})."
    )


@router.post("/queues/{queue_id}/members/{user_id}/delete")
async def remove_member(
    queue_id: str,
    user_id: str,
    request: Request,
    db: DB,
    actor: Principal = Allow(P.ORG_SETTINGS_WRITE),
) -> HTMLResponse:
    queue = await queues.get_queue(db, actor.organization_id, queue_id)
    who = await get_user(db, actor.organization_id, user_id)
    current = {m.user_id: m.priority for m in await queues.list_members(db, queue.id)}
    if user_id not in current:
        raise NotFound(f"{who.name} does not serve this queue")
    del current[user_id]
    await _replace_members(db, actor, queue, current)
    return await _members_section(request, db, actor, queue, message=f"Removed {who.name}.")


@router.post("/queues/{queue_id}/delete")
async def delete_queue(
    queue_id: str, request: Request, db: DB, actor: Principal = Allow(P.ORG_SETTINGS_WRITE)
) -> Response:
    try:
        await queues.delete_queue(db, actor, queue_id)
    except Conflict as exc:
        return render(
            request,
            "routing/queue_delete.html",
            actor,
            exc.status,
            queue=await queues.get_queue(db, actor.organization_id, queue_id),
            delete_error=exc.detail,
        )
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/admin/queues"})
    return RedirectResponse("/admin/queues", status_code=303)

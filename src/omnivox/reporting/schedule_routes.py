"""Report schedules over HTTP: the JSON API under /api/v1/reports/schedules and the
pages under /reports/schedules (plain forms; the delivery log per schedule). Everything
needs ``reports:schedule``; which schedules a person sees is the service's business."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from omnivox.core.errors import DomainError
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, AppState, State, form_dict, parse, render
from omnivox.jobs import JobQueue
from omnivox.reporting.request import GRANULARITIES
from omnivox.reporting.schedule_delivery import run_now
from omnivox.reporting.schedule_models import ReportDelivery, ReportSchedule
from omnivox.reporting.schedule_times import RANGE_LABELS, Frequency, RelativeRange, next_slot
from omnivox.reporting.schedules import (
    FORMATS,
    ScheduleWrite,
    create_schedule,
    delete_schedule,
    describe,
    get_schedule,
    list_schedules,
    org_timezone,
    rotate_webhook_secret,
    rule_of,
    update_schedule,
)
from omnivox.reporting.service import parse_filters, parse_list
from omnivox.reporting.templates import COMPLIANCE, TEMPLATES

api = APIRouter(prefix="/api/v1/reports/schedules", tags=["reports"])
pages = APIRouter(prefix="/reports/schedules", include_in_schema=False)
_LOG_ROWS = 200
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A webhook secret a form just made travels to the schedule's page (after the redirect
# that keeps a refresh from posting again) in this cookie: HttpOnly, SameSite=Strict,
# limited to that schedule's pages and five minutes, shown only while it is still the
# schedule's secret, and cleared by the page that shows it, so it is shown once.
_SECRET_COOKIE = "omnivox_schedule_secret"  # noqa: S105 - the name, not a secret
_SECRET_COOKIE_SECONDS = 300


def _queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.jobs
    return queue


def schedule_out(schedule: ReportSchedule, now: datetime) -> dict[str, Any]:
    d = schedule.definition
    return {
        "id": schedule.id,
        "name": schedule.name,
        "owner_id": schedule.owner_id,
        "template": d.get("template", ""),
        "metrics": d.get("metrics", []),
        "by": d.get("by", []),
        "filters": d.get("filters", {}),
        "granularity": d.get("granularity"),
        "range": schedule.range,
        "range_label": RANGE_LABELS[RelativeRange(schedule.range)],
        "frequency": schedule.frequency,
        "weekday": schedule.weekday,
        "day_of_month": schedule.day_of_month,
        "at": schedule.at_time,
        "timezone": schedule.timezone,
        "format": schedule.format,
        "emails": schedule.emails,
        "webhook_url": schedule.webhook_url,
        "enabled": schedule.enabled,
        "description": describe(schedule),
        "next_slot": next_slot(rule_of(schedule), now).isoformat() if schedule.enabled else None,
    }


def delivery_out(row: ReportDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "slot_at": row.slot_at.isoformat(),
        "manual": row.manual,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.status == "pending" else None,
        "last_error": row.last_error,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "recipients": row.recipients,
        "range": [row.range_start.isoformat(), row.range_end.isoformat()],
        "size_bytes": row.size_bytes,
    }


async def _deliveries(db: DB, schedule: ReportSchedule) -> list[ReportDelivery]:
    rows = await db.scalars(
        select(ReportDelivery)
        .where(ReportDelivery.schedule_id == schedule.id)
        .order_by(ReportDelivery.slot_at.desc())
        .limit(_LOG_ROWS)
    )
    return list(rows)


@api.get("")
async def api_list(
    db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> list[dict[str, Any]]:
    """Your schedules (all of the organisation's with reports:all)."""
    return [schedule_out(s, state.clock.now()) for s in await list_schedules(db, actor)]


@api.post("", status_code=201)
async def api_create(
    data: ScheduleWrite, db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> dict[str, Any]:
    """Create a schedule. The webhook's signing secret is in this answer only."""
    schedule = await create_schedule(db, actor, data, state.settings, state.clock.now())
    return schedule_out(schedule, state.clock.now()) | {"webhook_secret": schedule.webhook_secret}


@api.get("/{schedule_id}")
async def api_get(
    schedule_id: str, db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> dict[str, Any]:
    return schedule_out(await get_schedule(db, actor, schedule_id), state.clock.now())


@api.put("/{schedule_id}")
async def api_update(
    schedule_id: str,
    data: ScheduleWrite,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_SCHEDULE),
) -> dict[str, Any]:
    """Change a schedule. A webhook URL set or changed gets a new signing secret, in this
    answer only (``webhook_secret``)."""
    schedule, secret = await update_schedule(
        db, actor, schedule_id, data, state.settings, state.clock.now()
    )
    return schedule_out(schedule, state.clock.now()) | (
        {"webhook_secret": secret} if secret else {}
    )


@api.post("/{schedule_id}/webhook-secret")
async def api_new_secret(
    schedule_id: str, db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> dict[str, Any]:
    """A new signing secret for the webhook, in this answer only; the old one stops."""
    schedule = await rotate_webhook_secret(db, actor, schedule_id)
    return schedule_out(schedule, state.clock.now()) | {"webhook_secret": schedule.webhook_secret}


@api.delete("/{schedule_id}", status_code=204)
async def api_delete(
    schedule_id: str, db: DB, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> Response:
    await delete_schedule(db, actor, schedule_id)
    return Response(status_code=204)


@api.post("/{schedule_id}/run-now", status_code=202)
async def api_run_now(
    schedule_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_SCHEDULE),
) -> dict[str, Any]:
    """Deliver the report now (its range computed from now); see the delivery log."""
    schedule = await get_schedule(db, actor, schedule_id)
    return delivery_out(await run_now(db, _queue(request), schedule, state.clock.now()))


@api.get("/{schedule_id}/deliveries")
async def api_deliveries(
    schedule_id: str, db: DB, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> list[dict[str, Any]]:
    """The delivery log, newest slot first (the latest 200)."""
    schedule = await get_schedule(db, actor, schedule_id)
    return [delivery_out(r) for r in await _deliveries(db, schedule)]


# --- pages ---------------------------------------------------------------------------


def _form_of(schedule: ReportSchedule | None, zone: str = "UTC") -> dict[str, Any]:
    """The form's fields: the schedule's, or a new one's defaults (in ``zone``, the
    organisation's time zone)."""
    if schedule is None:
        return {
            "name": "",
            "template": "",
            "metrics": "",
            "by": "",
            "filters": "",
            "granularity": "",
            "range": "yesterday",
            "frequency": "daily",
            "weekday": "0",
            "day_of_month": "1",
            "at": "07:00",
            "timezone": zone,
            "format": "csv",
            "emails": "",
            "webhook_url": "",
            "enabled": True,
        }
    d = schedule.definition
    return {
        "name": schedule.name,
        "template": d.get("template", ""),
        "metrics": ", ".join(d.get("metrics", [])),
        "by": ", ".join(d.get("by", [])),
        "filters": ", ".join(f"{k}={v}" for k, v in d.get("filters", {}).items()),
        "granularity": d.get("granularity") or "",
        "range": schedule.range,
        "frequency": schedule.frequency,
        "weekday": str(schedule.weekday if schedule.weekday is not None else 0),
        "day_of_month": str(schedule.day_of_month or 1),
        "at": schedule.at_time,
        "timezone": schedule.timezone,
        "format": schedule.format,
        "emails": ", ".join(schedule.emails),
        "webhook_url": schedule.webhook_url,
        "enabled": schedule.enabled,
    }


def _write_of(form: dict[str, Any]) -> ScheduleWrite:
    """The form's text fields as a ``ScheduleWrite`` (lists are comma-separated)."""
    frequency = form.get("frequency", "")
    data = {
        "name": form.get("name", ""),
        "template": form.get("template", ""),
        "metrics": list(parse_list(form.get("metrics", ""))),
        "by": list(parse_list(form.get("by", ""))),
        "filters": parse_filters(list(parse_list(form.get("filters", "")))),
        "granularity": form.get("granularity") or None,
        "range": form.get("range", ""),
        "frequency": frequency,
        "weekday": form.get("weekday") or None if frequency == Frequency.WEEKLY else None,
        "day_of_month": form.get("day_of_month") or None
        if frequency == Frequency.MONTHLY
        else None,
        "at": form.get("at", ""),
        "timezone": form.get("timezone", "").strip(),
        "format": form.get("format", ""),
        "emails": list(parse_list(form.get("emails", "").replace("\n", ","))),
        "webhook_url": form.get("webhook_url", "").strip(),
        "enabled": form.get("enabled") == "on",
    }
    return parse(ScheduleWrite, data)


def _choices() -> dict[str, Any]:
    return {
        "templates": [*TEMPLATES.values()],
        "compliance": COMPLIANCE,
        "granularities": GRANULARITIES,
        "ranges": [(r.value, label) for r, label in RANGE_LABELS.items()],
        "frequencies": [f.value for f in Frequency],
        "weekdays": _WEEKDAYS,
        "formats": FORMATS,
    }


async def _list_page(
    request: Request,
    db: DB,
    state: AppState,
    actor: Principal,
    *,
    form: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    schedules = [schedule_out(s, state.clock.now()) for s in await list_schedules(db, actor)]
    if form is None:
        form = _form_of(None, await org_timezone(db, actor.organization_id))
    return render(
        request,
        "reports/schedules.html",
        actor,
        status=status,
        schedules=schedules,
        form=form,
        editing=None,
        error=error,
        **_choices(),
    )


@pages.get("")
async def schedules_page(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> HTMLResponse:
    return await _list_page(request, db, state, actor)


def _to_schedule(state: AppState, schedule_id: str, secret: str | None) -> RedirectResponse:
    """See other: the schedule's page (a refresh there posts nothing), carrying a secret
    just made to be shown there once (see ``_SECRET_COOKIE``)."""
    resp = RedirectResponse(f"/reports/schedules/{schedule_id}", status_code=303)
    if secret:
        resp.set_cookie(
            _SECRET_COOKIE,
            secret,
            max_age=_SECRET_COOKIE_SECONDS,
            path=f"/reports/schedules/{schedule_id}",
            httponly=True,
            samesite="strict",
            secure=state.settings.cookie_secure,
        )
    return resp


@pages.post("", response_model=None)
async def schedules_create(
    request: Request, db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> HTMLResponse | RedirectResponse:
    form = await form_dict(request)
    try:
        data = _write_of(form)
        created = await create_schedule(db, actor, data, state.settings, state.clock.now())
    except DomainError as exc:
        await db.rollback()
        zone = await org_timezone(db, actor.organization_id)
        shown = _form_of(None, zone) | form | {"enabled": form.get("enabled") == "on"}
        return await _list_page(
            request, db, state, actor, form=shown, error=exc.detail, status=exc.status
        )
    return _to_schedule(state, created.id, created.webhook_secret if created.webhook_url else None)


@pages.get("/{schedule_id}")
async def schedule_edit_page(
    schedule_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_SCHEDULE),
) -> HTMLResponse:
    schedule = await get_schedule(db, actor, schedule_id)
    carried = request.cookies.get(_SECRET_COOKIE, "")
    # Shown only while it is still this schedule's secret (not an older one, nor text
    # someone else put in the cookie).
    secret = carried if carried and hmac.compare_digest(carried, schedule.webhook_secret) else ""
    resp = render(
        request,
        "reports/schedule_edit.html",
        actor,
        schedule=schedule_out(schedule, state.clock.now()),
        form=_form_of(schedule),
        error="",
        secret=secret,
        **_choices(),
    )
    if carried:
        resp.delete_cookie(
            _SECRET_COOKIE,
            path=f"/reports/schedules/{schedule_id}",
            httponly=True,
            samesite="strict",
            secure=state.settings.cookie_secure,
        )
    return resp


@pages.post("/{schedule_id}", response_model=None)
async def schedule_update(
    schedule_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_SCHEDULE),
) -> HTMLResponse | RedirectResponse:
    schedule = await get_schedule(db, actor, schedule_id)
    shown, saved = (
        schedule_out(schedule, state.clock.now()),
        _form_of(schedule),
    )  # before a rollback
    form = await form_dict(request)
    try:
        data = _write_of(form)
        _saved, secret = await update_schedule(
            db, actor, schedule_id, data, state.settings, state.clock.now()
        )
    except DomainError as exc:
        await db.rollback()
        return render(
            request,
            "reports/schedule_edit.html",
            actor,
            status=exc.status,
            schedule=shown,
            form=saved | form | {"enabled": form.get("enabled") == "on"},
            error=exc.detail,
            secret="",
            **_choices(),
        )
    if secret:  # a new webhook: its secret is shown on the schedule's page
        return _to_schedule(state, schedule_id, secret)
    return RedirectResponse("/reports/schedules", status_code=303)


@pages.post("/{schedule_id}/webhook-secret")
async def schedule_new_secret(
    schedule_id: str, db: DB, state: State, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> RedirectResponse:
    schedule = await rotate_webhook_secret(db, actor, schedule_id)
    return _to_schedule(state, schedule_id, schedule.webhook_secret)


@pages.post("/{schedule_id}/delete")
async def schedule_delete(
    schedule_id: str, db: DB, actor: Principal = Allow(P.REPORTS_SCHEDULE)
) -> RedirectResponse:
    await delete_schedule(db, actor, schedule_id)
    return RedirectResponse("/reports/schedules", status_code=303)


@pages.post("/{schedule_id}/run-now")
async def schedule_run_now(
    schedule_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_SCHEDULE),
) -> RedirectResponse:
    schedule = await get_schedule(db, actor, schedule_id)
    await run_now(db, _queue(request), schedule, state.clock.now())
    return RedirectResponse(f"/reports/schedules/{schedule_id}/deliveries", status_code=303)


@pages.get("/{schedule_id}/deliveries")
async def deliveries_page(
    schedule_id: str,
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_SCHEDULE),
) -> HTMLResponse:
    schedule = await get_schedule(db, actor, schedule_id)
    rows = [delivery_out(r) for r in await _deliveries(db, schedule)]
    return render(
        request,
        "reports/schedule_deliveries.html",
        actor,
        schedule=schedule_out(schedule, state.clock.now()),
        deliveries=rows,
    )

"""Call detail records: the page ``/reports/calls`` (search, filters, pages, recordings
for those who may hear them), its JSON and file exports, and the exports of contacts and
agent activity. Each reader sees the calls of the agents within their reach
(``access.agent_scope``), never another organisation's."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from omnivox.accounts import get_organization
from omnivox.core.errors import DomainError, InvalidInput, PermissionDenied
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State, render
from omnivox.reporting.access import agent_scope
from omnivox.reporting.downloads import download_responses
from omnivox.reporting.exports import astream_rows, attachment, media_type
from omnivox.reporting.listings import (
    ACTIVITY_COLUMNS,
    CONTACT_COLUMNS,
    agent_activity,
    contacts,
    prepare,
)
from omnivox.reporting.recording_audio import fetch_audio, visible_recording
from omnivox.reporting.records import (
    COLUMNS,
    DIRECTIONS,
    OUTCOMES,
    CallSearch,
    count_calls,
    iter_records,
    page_of,
    period_dates,
    select_calls,
)
from omnivox.reporting.request import GRANULARITIES
from omnivox.reporting.service import parse_filters
from omnivox.telephony import AUDIO_TYPE

api = APIRouter(prefix="/api/v1/reports", tags=["reports"])
pages = APIRouter(include_in_schema=False)
_Short = Annotated[str, Query(max_length=64)]
_Cursor = Annotated[str, Query(max_length=120)]


def _search(
    start: date,
    end: date,
    filters: dict[str, str],
    period: str,
    granularity: str,
    direction: str,
    number: str,
    outcome: str,
) -> CallSearch:
    return CallSearch(start, end, filters, period, granularity, direction, number, outcome)


def _named_filters(**values: str) -> dict[str, str]:
    return {k: v.strip() for k, v in values.items() if v.strip()}


@api.get("/calls", response_model=None, responses=download_responses("csv", "xlsx"))
async def call_records(
    db: DB,
    state: State,
    from_: Annotated[date, Query(alias="from")],
    to: date,
    actor: Principal = Allow(P.REPORTS_OWN),
    period: _Short = "",
    granularity: Annotated[str, Query(max_length=8)] = "",
    agent: _Short = "",
    team: _Short = "",
    queue: _Short = "",
    campaign: _Short = "",
    disposition: _Short = "",
    org_number: _Short = "",
    direction: Annotated[Literal["", "inbound", "outbound"], Query()] = "",
    number: _Short = "",
    outcome: Annotated[Literal["", "answered", "abandoned", "machine", "unanswered"], Query()] = "",
    after: _Cursor = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format_: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> dict[str, Any] | Response:
    """The calls that ended in the range (a call counts in the period it ended in), as a
    JSON page (``total``, ``rows``, ``next``: the ``after`` of the next page) or the whole
    selection as a CSV or XLSX file."""
    filters = _named_filters(
        agent=agent,
        team=team,
        queue=queue,
        campaign=campaign,
        disposition=disposition,
        number=org_number,
    )
    search = _search(from_, to, filters, period, granularity, direction, number, outcome)
    scope = await agent_scope(db, actor)
    sel = await select_calls(
        db, actor.organization_id, search, scope, state.settings.report_max_days
    )
    if format_ == "json":
        page = await page_of(db, sel, after or None, limit)
        return {"total": await count_calls(db, sel), "rows": page.rows, "next": page.next_after}
    stem = f"calls-{from_}-{to}"
    chunks = astream_rows(COLUMNS, iter_records(db, sel), format_, "Call records")
    return StreamingResponse(
        chunks, media_type=media_type(format_), headers=attachment(stem, format_)
    )


@api.get("/export/{kind}", response_model=None, responses=download_responses("csv", "xlsx"))
async def export_listing(
    kind: Literal["contacts", "agent-activity"],
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    filter_: Annotated[list[str] | None, Query(alias="filter", max_length=20)] = None,
    format_: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Contacts (``filter=campaign=…``; with a range, those last attempted in it; needs
    campaigns:read) or agent activity (each state change with its duration and break
    reason; ``filter=agent=…``; a range is required), streamed as CSV, XLSX or JSON."""
    if kind == "contacts" and not actor.can(P.CAMPAIGNS_READ):
        raise PermissionDenied("exporting contacts needs campaigns:read")
    if (from_ is None) != (to is None):
        raise InvalidInput.on("to" if to is None else "from", "give both ends of the range")
    dates = (from_, to) if from_ is not None and to is not None else None
    scope = await agent_scope(db, actor)
    listing = await prepare(
        db,
        actor.organization_id,
        kind,
        dates,
        parse_filters(filter_ or []),
        scope,
        state.settings.report_max_days,
    )
    if kind == "contacts":
        columns, rows, title = CONTACT_COLUMNS, contacts(db, listing), "Contacts"
    else:
        columns, rows, title = ACTIVITY_COLUMNS, agent_activity(db, listing), "Agent activity"
    stem = kind if dates is None else f"{kind}-{dates[0]}-{dates[1]}"
    chunks = astream_rows(columns, rows, format_, title)
    return StreamingResponse(
        chunks, media_type=media_type(format_), headers=attachment(stem, format_)
    )


@pages.get("/reports/calls")
async def call_records_page(
    request: Request,
    db: DB,
    state: State,
    actor: Principal = Allow(P.REPORTS_OWN),
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    period: _Short = "",
    granularity: Annotated[str, Query(max_length=8)] = "",
    agent: _Short = "",
    team: _Short = "",
    queue: _Short = "",
    campaign: _Short = "",
    disposition: _Short = "",
    org_number: _Short = "",
    direction: _Short = "",
    number: _Short = "",
    outcome: _Short = "",
    after: _Cursor = "",
) -> HTMLResponse:
    tz = ZoneInfo((await get_organization(db, actor.organization_id)).timezone)
    first = last = state.clock.now().astimezone(tz).date()
    if period and not (from_ and to):  # a period alone: its own dates
        with suppress(InvalidInput):  # the search below says what is wrong with it
            first, last = period_dates(period, granularity, tz)
    form = {
        "from": from_ or first.isoformat(),
        "to": to or last.isoformat(),
        "period": period,
        "granularity": granularity,
        "agent": agent,
        "team": team,
        "queue": queue,
        "campaign": campaign,
        "disposition": disposition,
        "org_number": org_number,
        "direction": direction,
        "number": number,
        "outcome": outcome,
    }
    context: dict[str, Any] = {"page": None, "total": 0, "error": "", "next_url": ""}
    status = 200
    try:
        filters = _named_filters(
            agent=agent,
            team=team,
            queue=queue,
            campaign=campaign,
            disposition=disposition,
            number=org_number,
        )
        search = _search(
            _date(form["from"], "from"),
            _date(form["to"], "to"),
            filters,
            period,
            granularity,
            direction,
            number,
            outcome,
        )
        scope = await agent_scope(db, actor)
        sel = await select_calls(
            db, actor.organization_id, search, scope, state.settings.report_max_days
        )
        listen = actor.can(P.RECORDINGS_LISTEN)
        size = state.settings.report_records_page_size
        page = await page_of(db, sel, after or None, size, with_recordings=listen)
        context |= {"page": page, "total": await count_calls(db, sel), "listen": listen}
        query = {k: v for k, v in form.items() if v}
        if page.next_after:
            context["next_url"] = "/reports/calls?" + urlencode({**query, "after": page.next_after})
        context["export_query"] = urlencode(query)
    except DomainError as exc:
        context["error"], status = exc.detail, exc.status
    return render(
        request,
        "reports/calls.html",
        actor,
        status=status,
        form=form,
        granularities=GRANULARITIES,
        directions=DIRECTIONS,
        outcomes=OUTCOMES,
        first_page=not after,
        **context,
    )


@pages.get("/reports/recordings/{recording_id}/audio")
async def recording_audio(
    recording_id: str, db: DB, state: State, actor: Principal = Allow(P.RECORDINGS_LISTEN)
) -> Response:
    """A call's recording (MP3) from the provider; a sandbox recording has none (409)."""
    recording = await visible_recording(db, actor, recording_id)
    audio = await fetch_audio(recording, state.settings)
    return Response(audio, media_type=AUDIO_TYPE, headers={"Cache-Control": "private"})


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.on(name, f"{value!r} is not a date (YYYY-MM-DD)") from None

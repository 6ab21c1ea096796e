"""Abandon-rate compliance per campaign per legal window: for each local day of the range
and each campaign, abandoned ÷ live answers over the campaign's window (its
``abandon_window_hours``: 720 for the FTC's 30 days, 24 for Ofcom's day) ending with that
day, against the campaign's cap. The report a regulator asks for.

The counts come from the engine (``legal_abandon_rate``'s counters, by campaign and
local hour), read from the window before the range's first day on. It is filtered by
campaign only: a team or agent filter is refused (``check_filters``), since the legal
rate counts every call of the campaign.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import get_organization
from omnivox.campaigns import Campaign, list_campaigns
from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput
from omnivox.reporting.names import resolve_filters
from omnivox.reporting.query import ReportResult, local_bounds, run_report
from omnivox.reporting.request import ReportRequest, check_request

COLUMNS = [
    "campaign",
    "campaign_id",
    "window_start",
    "window_end",
    "window_hours",
    "live_answers",
    "outbound_abandoned",
    "legal_abandon_rate",
    "cap",
    "status",
]


async def abandon_compliance(
    session: AsyncSession,
    org_id: str,
    start: date,
    end: date,
    filters: Mapping[str, str],
    settings: Settings,
) -> ReportResult:
    check_filters(filters)
    check_request(ReportRequest(("legal_abandon_rate",), start, end), settings.report_max_days)
    wanted = (await resolve_filters(session, org_id, filters)).get("campaign")
    tz = ZoneInfo((await get_organization(session, org_id)).timezone)
    campaigns = await list_campaigns(session, org_id)
    longest = max((c.abandon_window_hours for c in campaigns), default=24)
    # Read the look-back too: the first day's window reaches back before the range.
    try:
        lookback = start - timedelta(days=-(-longest // 24))
    except OverflowError:
        raise InvalidInput.on("from", f"{start} leaves no room for the legal window") from None
    counts = await run_report(
        session,
        org_id,
        ReportRequest(
            ("live_answers", "outbound_abandoned"),
            lookback,
            end,
            by=("campaign",),
            filters=dict(filters),
            # Windows start and end on local hours (whole-hour lengths from local midnight).
            granularity="hour",
        ),
        _with_room(settings, (end - lookback).days + 1),
    )
    per_campaign: dict[str, list[tuple[datetime, int, int]]] = {}
    for row in counts.rows:
        if row["campaign_id"]:
            at = datetime.fromisoformat(row["period"])
            per_campaign.setdefault(row["campaign_id"], []).append(
                (at, row["live_answers"], row["outbound_abandoned"])
            )
    rows = []
    for campaign in campaigns:
        if wanted and wanted != campaign.id:
            continue
        for day in _days(start, end):
            rows.append(_window_row(campaign, day, tz, per_campaign.get(campaign.id, [])))
    return ReportResult(COLUMNS, rows)


def check_filters(filters: Mapping[str, str]) -> None:
    """Only a campaign narrows the report: the legal rate is the campaign's, over every
    call it made, so narrowing it to a team's or an agent's calls would show a rate no
    regulator counts — refused in words rather than narrowed or ignored."""
    extra = set(filters) - {"campaign"}
    for key in ("team", "agent"):
        if key in extra:
            raise InvalidInput.on(
                "filter",
                f"the compliance report counts every call of a campaign, as the regulator "
                f"does, so it takes no {key} filter; filter it by campaign only",
            )
    if extra:
        raise InvalidInput.on(
            "filter",
            f"the compliance report is filtered by campaign only, not {', '.join(sorted(extra))}",
        )


def _with_room(settings: Settings, days: int) -> Settings:
    """The settings with room for the look-back (the range itself was checked already)."""
    return settings.model_copy(update={"report_max_days": max(days, settings.report_max_days)})


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _window_row(
    campaign: Campaign, day: date, tz: ZoneInfo, counts: list[tuple[datetime, int, int]]
) -> dict[str, Any]:
    _, window_end = local_bounds(day, day, tz)
    window_start = window_end - timedelta(hours=campaign.abandon_window_hours)
    live = sum(n for at, n, _ in counts if window_start <= at < window_end)
    dropped = sum(a for at, _, a in counts if window_start <= at < window_end)
    cap = float(campaign.abandon_rate_cap) * 100
    rate = None if live == 0 else round(dropped / live * 100, 2)
    status = "no live answers" if rate is None else ("over cap" if rate > cap else "within cap")
    return {
        "campaign": campaign.name,
        "campaign_id": campaign.id,
        "window_start": window_start.astimezone(tz).isoformat(),
        "window_end": window_end.astimezone(tz).isoformat(),
        "window_hours": campaign.abandon_window_hours,
        "live_answers": live,
        "outbound_abandoned": dropped,
        "legal_abandon_rate": rate,
        "cap": round(cap, 2),
        "status": status,
    }

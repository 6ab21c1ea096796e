"""Named date ranges a saved report or dashboard keeps ("last 7 days"), resolved against
the organisation's today when the report runs, so a saved report stays current."""

from __future__ import annotations

from datetime import date, timedelta

from omnivox.core.errors import InvalidInput

RANGES: dict[str, str] = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days (with today)",
    "last_30_days": "Last 30 days (with today)",
    "this_week": "This week (from Monday)",
    "last_week": "Last week",
    "this_month": "This month",
    "last_month": "Last month",
    "custom": "Fixed dates",
}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def resolve_range(
    name: str, today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The local dates (both included) ``name`` covers on ``today``; ``custom`` is the
    fixed ``start``..``end``."""
    monday = today - timedelta(days=today.weekday())
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if name == "last_7_days":
        return today - timedelta(days=6), today
    if name == "last_30_days":
        return today - timedelta(days=29), today
    if name == "this_week":
        return monday, today
    if name == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if name == "this_month":
        return _month_start(today), today
    if name == "last_month":
        last = _month_start(today) - timedelta(days=1)
        return _month_start(last), last
    if name == "custom":
        if start is None or end is None:
            raise InvalidInput.on("range", "fixed dates need both from and to")
        return start, end
    raise InvalidInput.on("range", f"unknown range {name!r}; known: {', '.join(RANGES)}")

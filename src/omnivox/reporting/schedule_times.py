"""When a schedule's slots fall and which dates each one reports on (pure).

A slot is a local wall-clock time in the schedule's IANA time zone, on every day, on one
weekday, or on one day of the month (29-31 fall on the month's last day when it is
shorter). Each local date gives at most one slot, so daylight saving time cannot double
or drop one: a time that does not exist on a spring-forward day (02:30 in New York on
the second Sunday of March) runs once, at the same distance past the gap (03:30 EDT,
what ``fold=0`` resolves to); a time that happens twice on a fall-back day runs once, at
its first occurrence.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class RelativeRange(StrEnum):
    YESTERDAY = "yesterday"
    # Not saved reports' ``last_7_days`` (today and the six days before): the seven whole
    # days before the slot's date.
    PREVIOUS_7_DAYS = "previous_7_days"
    LAST_WEEK = "last_week"  # Monday to Sunday before the slot's week
    LAST_MONTH = "last_month"
    MONTH_TO_DATE = "month_to_date"  # the 1st to the slot's date, included


# What the form and the list say: exactly which days each range covers.
RANGE_LABELS = {
    RelativeRange.YESTERDAY: "Yesterday (the day before the slot)",
    RelativeRange.PREVIOUS_7_DAYS: "The 7 days before the slot",
    RelativeRange.LAST_WEEK: "Last week (Monday to Sunday before the slot's week)",
    RelativeRange.LAST_MONTH: "Last month (the calendar month before the slot's)",
    RelativeRange.MONTH_TO_DATE: "Month to date (the 1st to the slot's day, included)",
}


@dataclass(frozen=True)
class Rule:
    frequency: Frequency
    at: time
    timezone: str
    weekday: int | None = None  # Monday 0 .. Sunday 6
    day_of_month: int | None = None  # 1..31

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def runs_on(self, day: date) -> bool:
        if self.frequency is Frequency.DAILY:
            return True
        if self.frequency is Frequency.WEEKLY:
            return day.weekday() == self.weekday
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(self.day_of_month or 1, last)

    def instant_on(self, day: date) -> datetime:
        """The slot on local date ``day`` as a UTC instant."""
        local = datetime.combine(day, self.at, tzinfo=self.zone)  # fold=0, see above
        # A time inside a spring-forward gap: the round trip through UTC moves it past it.
        return local.astimezone(UTC)


def slots_between(rule: Rule, after: datetime, until: datetime) -> list[datetime]:
    """Every slot with ``after < slot <= until`` (UTC instants), oldest first."""
    zone = rule.zone
    day = after.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date() + timedelta(days=1)
    out: list[datetime] = []
    while day <= last:
        if rule.runs_on(day):
            slot = rule.instant_on(day)
            if after < slot <= until:
                out.append(slot)
        day += timedelta(days=1)
    return out


def next_slot(rule: Rule, after: datetime) -> datetime:
    """The first slot strictly after ``after``."""
    zone = rule.zone
    day = after.astimezone(zone).date() - timedelta(days=1)
    for _ in range(400):
        if rule.runs_on(day):
            slot = rule.instant_on(day)
            if slot > after:
                return slot
        day += timedelta(days=1)
    raise AssertionError("every rule has a slot within a year")  # pragma: no cover


def range_for(kind: RelativeRange, slot: datetime, timezone: str) -> tuple[date, date]:
    """The dates (both included) a slot reports on, from its local date in ``timezone``:
    the organisation's zone, in which the engine reads dates, not the schedule's (a
    07:00 UTC slot of a Los Angeles organisation is still the 10th there at 23:00, so
    its "yesterday" is the 9th)."""
    today = slot.astimezone(ZoneInfo(timezone)).date()
    if kind is RelativeRange.YESTERDAY:
        return today - timedelta(days=1), today - timedelta(days=1)
    if kind is RelativeRange.PREVIOUS_7_DAYS:
        return today - timedelta(days=7), today - timedelta(days=1)
    if kind is RelativeRange.LAST_WEEK:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if kind is RelativeRange.LAST_MONTH:
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    return today.replace(day=1), today

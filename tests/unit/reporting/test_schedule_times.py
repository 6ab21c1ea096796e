"""When schedule slots fall: daylight saving time in New York and London, month ends,
weekdays, and the dates each relative range covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from omnivox.reporting.schedule_times import (
    Frequency,
    RelativeRange,
    Rule,
    next_slot,
    range_for,
    slots_between,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_new_york_spring_forward_runs_once_at_the_shifted_time() -> None:
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    rule = Rule(Frequency.DAILY, time(2, 30), "America/New_York")
    slots = slots_between(rule, utc(2026, 3, 7), utc(2026, 3, 10))
    assert slots == [
        utc(2026, 3, 7, 7, 30),  # 02:30 EST
        utc(2026, 3, 8, 7, 30),  # 03:30 EDT: once, 30 minutes past the gap
        utc(2026, 3, 9, 6, 30),  # 02:30 EDT
    ]


def test_new_york_fall_back_runs_once_not_twice() -> None:
    # 2026-11-01: 01:00-02:00 happens twice (EDT, then EST); 01:30 runs at the first.
    rule = Rule(Frequency.DAILY, time(1, 30), "America/New_York")
    slots = slots_between(rule, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    assert slots == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_london_both_changes() -> None:
    rule = Rule(Frequency.DAILY, time(1, 30), "Europe/London")
    # 2026-03-29: 01:00 GMT -> 02:00 BST; 01:30 does not exist, it runs at 02:30 BST.
    spring = slots_between(rule, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert spring == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    # 2026-10-25: 01:00-02:00 twice; once, at 01:30 BST.
    autumn = slots_between(rule, utc(2026, 10, 24, 12), utc(2026, 10, 26, 12))
    assert autumn == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_monthly_day_31_falls_on_the_last_day_of_shorter_months() -> None:
    rule = Rule(Frequency.MONTHLY, time(6, 0), "UTC", day_of_month=31)
    slots = slots_between(rule, utc(2026, 1, 1), utc(2026, 5, 1))
    assert [s.date() for s in slots] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    leap = next_slot(rule, utc(2028, 2, 1))
    assert leap == utc(2028, 2, 29, 6)


def test_weekly_runs_on_its_weekday_only() -> None:
    rule = Rule(Frequency.WEEKLY, time(7, 0), "Europe/London", weekday=0)
    slots = slots_between(rule, utc(2026, 6, 1), utc(2026, 6, 22, 12))
    # Mondays at 07:00 BST (06:00 UTC); 1 June 2026 is a Monday, 07:00 is after midnight.
    assert slots == [utc(2026, 6, day, 6) for day in (1, 8, 15, 22)]


def test_slots_are_half_open_after_exclusive_until_inclusive() -> None:
    rule = Rule(Frequency.DAILY, time(7, 0), "UTC")
    assert slots_between(rule, utc(2026, 1, 1, 7), utc(2026, 1, 2, 7)) == [utc(2026, 1, 2, 7)]
    assert next_slot(rule, utc(2026, 1, 1, 7)) == utc(2026, 1, 2, 7)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (RelativeRange.YESTERDAY, (date(2026, 3, 9), date(2026, 3, 9))),
        (RelativeRange.PREVIOUS_7_DAYS, (date(2026, 3, 3), date(2026, 3, 9))),
        (RelativeRange.LAST_WEEK, (date(2026, 3, 2), date(2026, 3, 8))),
        (RelativeRange.LAST_MONTH, (date(2026, 2, 1), date(2026, 2, 28))),
        (RelativeRange.MONTH_TO_DATE, (date(2026, 3, 1), date(2026, 3, 10))),
    ],
)
def test_ranges_from_the_slots_local_date(kind: RelativeRange, expected: tuple[date, date]) -> None:
    # 2026-03-10 03:00 UTC is still 9 March in Los Angeles: the range follows the zone.
    assert range_for(kind, utc(2026, 3, 10, 12), "Europe/London") == expected
    la = range_for(RelativeRange.YESTERDAY, utc(2026, 3, 10, 3), "America/Los_Angeles")
    assert la == (date(2026, 3, 8), date(2026, 3, 8))

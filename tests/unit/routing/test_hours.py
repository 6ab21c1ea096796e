"""Business hours: open/closed and next opening, across DST in London and New York."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnivox.routing.hours import BusinessHours, Holiday, HoursError, HoursStatus, WeeklyInterval


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def weekdays(zone: str, opens: time = time(9), closes: time = time(17), **kw) -> BusinessHours:
    return BusinessHours(zone, tuple(WeeklyInterval(d, opens, closes) for d in range(5)), **kw)


LONDON = weekdays("Europe/London")
NEW_YORK = weekdays("America/New_York")


@pytest.mark.parametrize(
    ("hours", "at", "is_open", "next_open"),
    [
        # London, winter (GMT = UTC) and summer (BST = UTC+1)
        (LONDON, utc(2026, 3, 27, 8, 30), False, utc(2026, 3, 27, 9)),
        (LONDON, utc(2026, 3, 27, 9, 0), True, None),
        (LONDON, utc(2026, 3, 30, 8, 30), True, None),  # 09:30 BST
        (LONDON, utc(2026, 3, 30, 16, 0), False, utc(2026, 3, 31, 8)),  # 17:00 BST: closed
        # Friday evening before the spring-forward weekend -> Monday 09:00 BST
        (LONDON, utc(2026, 3, 27, 17, 30), False, utc(2026, 3, 30, 8)),
        # Friday evening before the fall-back weekend -> Monday 09:00 GMT
        (LONDON, utc(2026, 10, 23, 16, 30), False, utc(2026, 10, 26, 9)),
        # New York: EST = UTC-5, EDT = UTC-4; spring forward 8 March, fall back 1 November
        (NEW_YORK, utc(2026, 3, 6, 22, 30), False, utc(2026, 3, 9, 13)),
        (NEW_YORK, utc(2026, 3, 9, 13, 0), True, None),
        (NEW_YORK, utc(2026, 3, 9, 12, 59), False, utc(2026, 3, 9, 13)),
        (NEW_YORK, utc(2026, 10, 30, 21, 30), False, utc(2026, 11, 2, 14)),
        (NEW_YORK, utc(2026, 11, 2, 13, 30), False, utc(2026, 11, 2, 14)),
        (NEW_YORK, utc(2026, 11, 2, 21, 59), True, None),
    ],
)
def test_open_and_next_opening(hours, at, is_open, next_open) -> None:
    assert hours.is_open(at) is is_open
    assert hours.status(at) == HoursStatus(is_open, next_open)


def test_spring_forward_night_is_an_hour_shorter() -> None:
    # Sunday 29 March 2026, London: 01:00 GMT -> 02:00 BST. 00:00-03:00 lasts two hours.
    night = BusinessHours("Europe/London", (WeeklyInterval(6, time(0), time(3)),))
    assert night.is_open(utc(2026, 3, 29, 0, 0))
    assert night.is_open(utc(2026, 3, 29, 1, 59))  # 02:59 BST
    assert not night.is_open(utc(2026, 3, 29, 2, 0))  # 03:00 BST
    assert night.next_opening(utc(2026, 3, 29, 2, 0)) == utc(2026, 4, 4, 23)  # 00:00 BST


def test_fall_back_night_is_an_hour_longer() -> None:
    # Sunday 1 November 2026, New York: 02:00 EDT -> 01:00 EST. 00:00-03:00 lasts four hours.
    night = BusinessHours("America/New_York", (WeeklyInterval(6, time(0), time(3)),))
    assert night.is_open(utc(2026, 11, 1, 4, 0))  # 00:00 EDT
    assert night.is_open(utc(2026, 11, 1, 7, 59))  # 02:59 EST
    assert not night.is_open(utc(2026, 11, 1, 8, 0))  # 03:00 EST


def test_opening_inside_the_spring_gap_opens_past_it() -> None:
    # 01:30 does not exist on 29 March 2026 in London; it resolves to 02:30 BST (01:30 UTC).
    odd = BusinessHours("Europe/London", (WeeklyInterval(6, time(1, 30), time(5)),))
    assert odd.next_opening(utc(2026, 3, 29, 0, 0)) == utc(2026, 3, 29, 1, 30)
    assert not odd.is_open(utc(2026, 3, 29, 1, 29))


def test_several_intervals_a_day_and_overnight() -> None:
    split = BusinessHours(
        "Europe/London",
        (
            WeeklyInterval(0, time(9), time(12)),
            WeeklyInterval(0, time(13), time(17)),
            WeeklyInterval(4, time(22), time(2)),  # Friday night into Saturday
        ),
    )
    assert split.status(utc(2026, 1, 5, 12, 30)) == HoursStatus(False, utc(2026, 1, 5, 13))
    assert split.is_open(utc(2026, 1, 10, 1, 0))  # Saturday 01:00
    assert not split.is_open(utc(2026, 1, 10, 2, 0))
    assert split.next_opening(utc(2026, 1, 5, 17, 0)) == utc(2026, 1, 9, 22)


def test_equal_times_mean_all_day() -> None:
    always = BusinessHours("UTC", tuple(WeeklyInterval(d, time(0), time(0)) for d in range(7)))
    assert all(always.is_open(utc(2026, 5, 1, h)) for h in range(24))


def test_holidays_close_whole_local_days() -> None:
    hours = weekdays("Europe/London", holidays=(Holiday(date(2026, 12, 24), date(2026, 12, 26)),))
    assert not hours.is_open(utc(2026, 12, 24, 10))
    assert hours.next_opening(utc(2026, 12, 24, 10)) == utc(2026, 12, 28, 9)
    assert hours.is_open(utc(2026, 12, 23, 10))


def test_holiday_cuts_an_overnight_interval_at_midnight() -> None:
    hours = BusinessHours(
        "America/New_York",
        (WeeklyInterval(3, time(20), time(4)), WeeklyInterval(4, time(20), time(4))),
        holidays=(Holiday(date(2026, 7, 3), date(2026, 7, 3), "observed"),),
    )
    assert hours.is_open(utc(2026, 7, 3, 3, 0))  # Thursday 23:00 EDT
    assert not hours.is_open(utc(2026, 7, 3, 5, 0))  # Friday 01:00 EDT: holiday
    # Friday 20:00 is the holiday too; the part after midnight (Saturday) opens.
    assert hours.next_opening(utc(2026, 7, 3, 5, 0)) == utc(2026, 7, 4, 4, 0)


def test_never_open() -> None:
    assert BusinessHours("UTC", ()).status(utc(2026, 1, 1)) == HoursStatus(False, None)


@pytest.mark.parametrize(
    "build",
    [
        lambda: BusinessHours("Mars/Olympus", ()),
        lambda: WeeklyInterval(7, time(9), time(17)),
        lambda: Holiday(date(2026, 1, 2), date(2026, 1, 1)),
        lambda: LONDON.is_open(datetime(2026, 1, 1, 9)),  # naive instant
    ],
)
def test_refusals(build) -> None:
    with pytest.raises(HoursError):
        build()


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.integers(0, 366 * 24 * 60),
    zone=st.sampled_from(["Europe/London", "America/New_York"]),
)
def test_next_opening_is_open_and_nothing_before_it_is(minutes, zone) -> None:
    hours = weekdays(zone, holidays=(Holiday(date(2026, 12, 24), date(2026, 12, 26)),))
    at = utc(2026, 1, 1) + timedelta(minutes=minutes)
    nxt = hours.next_opening(at)
    assert nxt is not None and nxt >= at
    assert hours.is_open(nxt)
    assert (nxt == at) == hours.is_open(at)
    if nxt > at:
        assert not hours.is_open(nxt - timedelta(seconds=1))
        assert not hours.is_open(at + (nxt - at) / 2)

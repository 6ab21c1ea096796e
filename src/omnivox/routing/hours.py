"""Business hours and holidays: open or closed at an instant, and when it opens next.

Pure: the caller passes an aware instant; the only lookup is the IANA zone from the
standard library's time-zone database (cached by ``zoneinfo``).

Rules (what an administrator types is local wall-clock time):

* ``WeeklyInterval(weekday, opens, closes)``: weekday 0 = Monday. Several per day are
  allowed and may overlap (their union counts). ``closes <= opens`` runs past midnight into
  the next day (22:00-02:00); ``opens == closes`` is a full 24 hours.
* Each occurrence is turned into real instants in the zone and compared in UTC, so DST is
  handled by the zone: on a spring-forward day 00:00-03:00 lasts two real hours, on a
  fall-back day four. A wall time that does not exist (inside the spring gap) resolves
  like the clocks do, to the same distance past the gap (01:30 -> 02:30 BST in London);
  an ambiguous one (fall-back) means its first occurrence.
* ``Holiday(first, last)``: closed on every local calendar day from ``first`` to ``last``
  inclusive, whatever the weekly intervals say; an overnight interval is cut at the
  holiday's midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessHours", "Holiday", "HoursError", "HoursStatus", "WeeklyInterval"]

#: How far ahead ``next_opening`` looks (long holidays included) before saying "never".
HORIZON_DAYS = 400


class HoursError(ValueError):
    """Invalid business-hours settings."""


@dataclass(frozen=True, slots=True)
class WeeklyInterval:
    weekday: int
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise HoursError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise HoursError("opening times are local wall-clock times, without a zone")


@dataclass(frozen=True, slots=True)
class Holiday:
    first: date
    last: date
    name: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise HoursError(f"holiday {self.name!r} ends before it starts")


@dataclass(frozen=True, slots=True)
class HoursStatus:
    open: bool
    next_open: datetime | None  # UTC; None when open now, or no opening within the horizon


@dataclass(frozen=True, slots=True)
class BusinessHours:
    time_zone: str
    weekly: tuple[WeeklyInterval, ...]
    holidays: tuple[Holiday, ...] = ()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise HoursError(f"unknown time zone {self.time_zone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def status(self, at: datetime) -> HoursStatus:
        if self.is_open(at):
            return HoursStatus(True, None)
        return HoursStatus(False, self.next_opening(at))

    def is_open(self, at: datetime) -> bool:
        at = _utc(at)
        day = at.astimezone(self.zone).date()
        if self.is_holiday(day):
            return False
        return any(start <= at < end for start, end in self._occurrences(day - timedelta(1), 2))

    def next_opening(self, at: datetime) -> datetime | None:
        """The first instant at or after ``at`` when it is open (``at`` itself if open)."""
        at = _utc(at)
        day = at.astimezone(self.zone).date()
        # Week by week, in start order: a later start never gives an earlier candidate,
        # so the first occurrence that still has an open instant after ``at`` wins.
        for week in range(0, HORIZON_DAYS, 7):
            for start, end in self._occurrences(day - timedelta(1 - week), 7):
                if end <= at:
                    continue
                candidate = self._skip_holidays(max(start, at))
                if candidate < end:
                    return candidate
        return None

    def is_holiday(self, day: date) -> bool:
        return any(h.first <= day <= h.last for h in self.holidays)

    def _skip_holidays(self, instant: datetime) -> datetime:
        """``instant``, or the local midnight ending the holidays it falls in."""
        day = instant.astimezone(self.zone).date()
        if not self.is_holiday(day):
            return instant
        while self.is_holiday(day):
            day += timedelta(1)
        return _local(day, time(0), self.zone)

    def _occurrences(self, first: date, days: int) -> list[tuple[datetime, datetime]]:
        """Weekly intervals starting on ``first`` .. ``first + days - 1``, as UTC
        ``(start, end)`` pairs sorted by start."""
        out: list[tuple[datetime, datetime]] = []
        zone = self.zone
        for offset in range(days):
            day = first + timedelta(offset)
            for interval in self.weekly:
                if interval.weekday != day.weekday():
                    continue
                close_day = day if interval.closes > interval.opens else day + timedelta(1)
                start = _local(day, interval.opens, zone)
                end = _local(close_day, interval.closes, zone)
                if end > start:  # a wall interval swallowed by a DST gap is empty
                    out.append((start, end))
        out.sort()
        return out


def _local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, zone).astimezone(UTC)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise HoursError("the instant must be timezone-aware")
    return at.astimezone(UTC)

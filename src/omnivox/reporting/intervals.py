"""Fifteen-minute intervals, the finest grain rollups are kept at, and hours, the
coarser one. Pure.

Instants are UTC. Every time zone in use today is offset from UTC by a whole number of
quarter hours, so a UTC quarter hour is also a local one and any local hour, day, week or
month is a union of stored intervals. A UTC hour is a union of a local period's quarters
only when the zone is a whole number of hours from UTC then; the query engine checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

INTERVAL = timedelta(minutes=15)
HOUR = timedelta(hours=1)
#: The fixed wait-time buckets (seconds) the call rollup counts "within" for, so a service
#: level or short-abandon threshold at any of them is a formula over stored counts.
WAIT_BUCKETS: tuple[int, ...] = (10, 20, 30, 45, 60, 90, 120, 180)


def as_utc(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    tz = at.tzinfo
    if tz is UTC:  # the common case, called many times per call a rollup counts
        return at
    return at.replace(tzinfo=UTC) if tz is None else at.astimezone(UTC)


def interval_of(at: datetime) -> datetime:
    """The start of the 15-minute interval holding ``at``."""
    at = as_utc(at)
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def hour_of(at: datetime) -> datetime:
    """The start of the UTC hour holding ``at``."""
    return as_utc(at).replace(minute=0, second=0, microsecond=0)


def floor_to(at: datetime, grain: timedelta) -> datetime:
    """The start of the 15-minute interval or hour (``grain``) holding ``at``."""
    return hour_of(at) if grain == HOUR else interval_of(at)


def ceil_hour(at: datetime) -> datetime:
    """The first hour boundary at or after ``at``."""
    start = hour_of(at)
    return start if start == as_utc(at) else start + HOUR


def ceil_interval(at: datetime) -> datetime:
    """The first interval boundary at or after ``at``."""
    start = interval_of(at)
    return start if start == as_utc(at) else start + INTERVAL


def split(start: datetime, end: datetime) -> Iterator[tuple[datetime, float]]:
    """The seconds of ``[start, end)`` falling in each interval it spans."""
    start, end = as_utc(start), as_utc(end)
    cursor = start
    while cursor < end:
        cell = interval_of(cursor)
        stop = min(end, cell + INTERVAL)
        yield cell, (stop - cursor).total_seconds()
        cursor = stop


def bucket_column(prefix: str, seconds: int) -> str:
    """The rollup column counting waits of at most ``seconds`` (``answered_le_20``)."""
    return f"{prefix}_le_{seconds}"

"""Compliance gates and retry rules as pure functions: no database, no clock of their own.

The dialler's selection applies the same gates in SQL for speed; these are the definitions,
tested exhaustively, and the final word before a number is handed to the dialler.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

ABANDON_REDIAL_HOLD = timedelta(hours=72)
ABANDONED_CODE = "ABANDONED"
# Statuses a contact may be dialled from; the others are finished, in flight or staged.
DIALABLE_STATUSES = frozenset({"new", "retry", "callback"})


class Block(StrEnum):
    """Why a contact may not be dialled now."""

    STATUS = "status"
    OUTSIDE_WINDOW = "outside-window"
    DNC = "dnc"
    MAX_ATTEMPTS = "max-attempts"
    NOT_YET_DUE = "not-yet-due"
    RECENTLY_ABANDONED = "recently-abandoned"


@dataclass(frozen=True)
class CallingWindow:
    start: time
    end: time
    days: frozenset[int] = frozenset(range(7))  # 0 = Monday, in the contact's zone

    def allows_local(self, local: datetime) -> bool:
        wall = local.time().replace(tzinfo=None)
        return local.weekday() in self.days and self.start <= wall < self.end


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zones_in(value: str) -> list[str]:
    return value.split()


def in_window(window: CallingWindow, zones: str, now: datetime) -> bool:
    """True when ``now`` is inside the window in EVERY one of the contact's zones."""
    names = zones_in(zones)
    return bool(names) and all(window.allows_local(now.astimezone(_zone(z))) for z in names)


def open_zone_keys(window: CallingWindow, keys: Iterable[str], now: datetime) -> list[str]:
    """Which stored time-zone values are inside the window now (for SQL filtering)."""
    return [k for k in keys if in_window(window, k, now)]


@dataclass(frozen=True)
class ContactView:
    """What the gates need of a contact."""

    phone: str
    timezone: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_abandoned_at: datetime | None


def blocks(
    contact: ContactView,
    *,
    window: CallingWindow,
    max_attempts: int,
    dnc: Collection[str],
    now: datetime,
    callback_due: bool = False,
    agent_guaranteed: bool = False,
) -> list[Block]:
    """Every gate the contact fails now; empty means it may be dialled.

    A due callback was asked for by the contact, so it skips the attempt limit and the retry
    delay, never the window, the DNC list or the abandoned-call hold.
    """
    found: list[Block] = []
    if contact.status not in DIALABLE_STATUSES:
        found.append(Block.STATUS)
    if not in_window(window, contact.timezone, now):
        found.append(Block.OUTSIDE_WINDOW)
    if contact.phone in dnc:
        found.append(Block.DNC)
    if not callback_due and contact.attempts >= max_attempts:
        found.append(Block.MAX_ATTEMPTS)
    if not callback_due and contact.next_attempt_at is not None and contact.next_attempt_at > now:
        found.append(Block.NOT_YET_DUE)
    if (
        not agent_guaranteed
        and contact.last_abandoned_at is not None
        and now - contact.last_abandoned_at < ABANDON_REDIAL_HOLD
    ):
        found.append(Block.RECENTLY_ABANDONED)
    return found


# --- outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryRule:
    code: str
    retry_after_minutes: int
    max_retries: int


@dataclass(frozen=True)
class DispositionInfo:
    code: str
    category: str  # accounts DispositionCategory value
    is_final: bool


@dataclass(frozen=True)
class ContactProgress:
    attempts: int
    disposition_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    status: str
    attempts: int
    disposition_counts: dict[str, int]
    next_attempt_at: datetime | None
    add_to_dnc: bool
    abandoned: bool


def apply_outcome(
    progress: ContactProgress,
    disposition: DispositionInfo,
    rules: Collection[RetryRule],
    max_attempts: int,
    now: datetime,
) -> Outcome:
    """The contact's next state after an attempt ended with ``disposition``.

    Order matters: do-not-call and final codes end the contact whatever the rules say; a
    callback waits for its scheduled callback; a rule retries after its delay while both its
    own count and the campaign's attempt limit allow; anything else is done.
    """
    attempts = progress.attempts + 1
    counts = {**progress.disposition_counts}
    counts[disposition.code] = counts.get(disposition.code, 0) + 1
    abandoned = disposition.code == ABANDONED_CODE

    def end(status: str, *, dnc: bool = False, at: datetime | None = None) -> Outcome:
        return Outcome(status, attempts, counts, at, dnc, abandoned)

    if disposition.category == "do_not_call":
        return end("dnc", dnc=True)
    if disposition.is_final:
        return end("done")
    if disposition.category == "callback":
        return end("callback")
    rule = next((r for r in rules if r.code == disposition.code), None)
    if rule is None:
        return end("done")
    if counts[disposition.code] > rule.max_retries or attempts >= max_attempts:
        return end("exhausted")
    return end("retry", at=now + timedelta(minutes=rule.retry_after_minutes))

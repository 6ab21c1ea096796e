"""Compliance gates and retry rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from omnivox.campaigns.rules import (
    Block,
    CallingWindow,
    ContactProgress,
    ContactView,
    DispositionInfo,
    RetryRule,
    apply_outcome,
    blocks,
    in_window,
)

WINDOW = CallingWindow(time(9), time(21))
ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/New_York America/Chicago",
]
NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
RULES = [RetryRule("NO_ANSWER", 120, 5)]
NO_ANSWER = DispositionInfo("NO_ANSWER", "no_contact", False)


def contact(**kw: object) -> ContactView:
    base: dict[str, object] = dict(
        phone="+14155550100",
        timezone="America/New_York",
        status="new",
        attempts=0,
        next_attempt_at=None,
        last_abandoned_at=None,
    )
    return ContactView(**{**base, **kw})  # type: ignore[arg-type]


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)


@given(now=instants, zones=st.sampled_from(ZONES))
def test_never_dialable_outside_the_contacts_local_window(now: datetime, zones: str) -> None:
    found = blocks(contact(timezone=zones), window=WINDOW, max_attempts=5, dnc=(), now=now)
    local_ok = all(time(9) <= now.astimezone(ZoneInfo(z)).time() < time(21) for z in zones.split())
    assert (Block.OUTSIDE_WINDOW not in found) == local_ok


@given(
    now=instants,
    zones=st.sampled_from(ZONES),
    attempts=st.integers(0, 10),
    callback=st.booleans(),
    guaranteed=st.booleans(),
)
def test_never_dialable_when_on_dnc(
    now: datetime, zones: str, attempts: int, callback: bool, guaranteed: bool
) -> None:
    c = contact(timezone=zones, attempts=attempts)
    found = blocks(
        c,
        window=WINDOW,
        max_attempts=5,
        dnc={c.phone},
        now=now,
        callback_due=callback,
        agent_guaranteed=guaranteed,
    )
    assert Block.DNC in found


def test_window_is_read_in_the_contacts_zone_not_the_servers() -> None:
    # 18:00 UTC is 13:00 in New York (open) and 03:00 next day in Tokyo (closed).
    assert in_window(WINDOW, "America/New_York", NOW)
    assert not in_window(WINDOW, "Asia/Tokyo", NOW)
    # A number spanning two zones is dialled only when both are open.
    early = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 10:30 New York, 09:30 Chicago
    assert in_window(WINDOW, "America/New_York America/Chicago", early)
    assert not in_window(WINDOW, "America/New_York America/Los_Angeles", early)


def test_calling_days_are_local_weekdays() -> None:
    weekdays = CallingWindow(time(9), time(21), frozenset(range(5)))
    saturday_noon_ny = datetime(2026, 3, 14, 16, 0, tzinfo=UTC)
    assert not in_window(weekdays, "America/New_York", saturday_noon_ny)


def test_attempts_retry_delay_and_abandon_hold() -> None:
    kw = dict(window=WINDOW, max_attempts=3, dnc=(), now=NOW)
    assert blocks(contact(attempts=3), **kw) == [Block.MAX_ATTEMPTS]  # type: ignore[arg-type]
    later = contact(next_attempt_at=NOW + timedelta(minutes=1))
    assert blocks(later, **kw) == [Block.NOT_YET_DUE]  # type: ignore[arg-type]
    assert blocks(later, callback_due=True, **kw) == []  # type: ignore[arg-type]
    abandoned = contact(last_abandoned_at=NOW - timedelta(hours=71))
    assert blocks(abandoned, **kw) == [Block.RECENTLY_ABANDONED]  # type: ignore[arg-type]
    assert blocks(abandoned, agent_guaranteed=True, **kw) == []  # type: ignore[arg-type]
    old = contact(last_abandoned_at=NOW - timedelta(hours=72))
    assert blocks(old, **kw) == []  # type: ignore[arg-type]
    assert blocks(contact(status="done"), **kw) == [Block.STATUS]  # type: ignore[arg-type]


def test_no_answer_retries_after_two_hours_up_to_five_times() -> None:
    progress = ContactProgress(0, {})
    for n in range(1, 6):
        out = apply_outcome(progress, NO_ANSWER, RULES, 10, NOW)
        assert out.status == "retry" and out.next_attempt_at == NOW + timedelta(hours=2)
        progress = ContactProgress(out.attempts, out.disposition_counts)
        assert out.attempts == n
    assert apply_outcome(progress, NO_ANSWER, RULES, 10, NOW).status == "exhausted"


def test_max_attempts_ends_retries_and_final_codes_end_the_contact() -> None:
    out = apply_outcome(ContactProgress(2, {}), NO_ANSWER, RULES, 3, NOW)
    assert out.status == "exhausted" and out.next_attempt_at is None
    sale = apply_outcome(
        ContactProgress(0, {}), DispositionInfo("SALE", "sale", True), RULES, 5, NOW
    )
    assert sale.status == "done"
    dnc = DispositionInfo("DNC", "do_not_call", True)
    assert apply_outcome(ContactProgress(0, {}), dnc, RULES, 5, NOW).add_to_dnc
    cb = DispositionInfo("CALLBACK", "callback", False)
    assert apply_outcome(ContactProgress(0, {}), cb, RULES, 5, NOW).status == "callback"
    unruled = DispositionInfo("BUSY", "no_contact", False)
    assert apply_outcome(ContactProgress(0, {}), unruled, RULES, 5, NOW).status == "done"
    aband = DispositionInfo("ABANDONED", "system", False)
    assert apply_outcome(ContactProgress(0, {}), aband, RULES, 5, NOW).abandoned

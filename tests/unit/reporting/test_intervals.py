"""Intervals, call facts and agent state time: the pure parts of the rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from omnivox.reporting.agent_time import StateCell, login_cells, state_cells
from omnivox.reporting.facts import CallRecord, Change, call_fact
from omnivox.reporting.intervals import interval_of, split

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_span_is_split_at_each_quarter_hour() -> None:
    assert list(split(t(890), t(2000))) == [(T0, 10.0), (t(900), 900.0), (t(1800), 200.0)]
    assert interval_of(t(899.9)) == T0 and interval_of(datetime(2026, 3, 10, 9, 15)) == t(900)


def test_an_inbound_call_with_a_hold_and_a_transfer() -> None:
    record = CallRecord(
        id="c1",
        organization_id="o",
        direction="inbound",
        owner_kind="queue",
        owner_id="q",
        state="completed",
        agent_id="a",
        answered_at=T0,
        created_at=T0,
        ended_at=t(112),
        end_reason="customer_hangup",
        disposition="SALE",
        is_sale=True,
        changes=(
            Change(T0, "answered_human", "provider_answered"),
            Change(t(12), "connected", "agent_connected"),
            Change(t(40), "on_hold", "hold"),
            Change(t(70), "connected", "resume"),
            Change(t(80), "transferring", "transfer_started"),
            Change(t(90), "connected", "transfer_completed"),
            Change(t(112), "wrap_up", "provider_completed"),
            Change(t(142), "completed", "disposition"),
        ),
    )
    fact = call_fact(record).values
    assert fact["inbound_offered"] == fact["inbound_handled"] == fact["handled"] == 1
    assert fact["answered_wait_seconds"] == 12 and fact["answered_le_10"] == 0
    assert fact["answered_le_20"] == 1 and fact["answered_le_180"] == 1
    assert (fact["talk_seconds"], fact["hold_seconds"], fact["wrap_seconds"]) == (70, 30, 30)
    assert (fact["holds"], fact["transfers"], fact["conversions"]) == (1, 1, 1)
    assert fact["outbound_dials"] == 0 and fact["inbound_abandoned"] == 0
    assert call_fact(record).key.interval_start == T0 and call_fact(record).key.queue_id == "q"


@dataclass(frozen=True)
class Row:
    user_id: str
    to_state: str
    reason: str | None
    at: datetime


def test_state_time_counts_closed_spans_only_and_keeps_no_offline() -> None:
    rows = [
        Row("a", "available", None, t(600)),
        Row("a", "break", "lunch", t(1000)),
        Row("a", "offline", None, t(1300)),
        Row("a", "available", None, t(5000)),  # still running: not counted
    ]
    cells = state_cells(rows, T0, t(7200))
    assert cells == {
        StateCell(T0, "a", "available", ""): 300.0,
        StateCell(t(900), "a", "available", ""): 100.0,
        StateCell(t(900), "a", "break", "lunch"): 300.0,
    }
    # Clipped to the range asked for.
    assert state_cells(rows, t(900), t(1800)) == {
        StateCell(t(900), "a", "available", ""): 100.0,
        StateCell(t(900), "a", "break", "lunch"): 300.0,
    }


def test_logins_and_logouts_count_where_they_happened_and_only_in_the_range() -> None:
    rows = [
        Row("a", "offline", None, t(-600)),  # before the range: what "a" was at its start
        Row("a", "break", "lunch", t(100)),  # a login, straight into a break
        Row("a", "available", None, t(200)),  # not a login: already in
        Row("a", "offline", None, t(1000)),  # a logout
        Row("a", "offline", None, t(1100)),  # offline again: neither
        Row("b", "available", None, t(950)),  # b's first change ever: a login
        Row("b", "offline", None, t(7300)),  # after the range
    ]
    assert login_cells(rows, T0, t(7200)) == {
        StateCell(T0, "a", "break", "lunch"): (1, 0),
        StateCell(t(900), "a", "offline", ""): (0, 1),
        StateCell(t(900), "b", "available", ""): (1, 0),
    }
    # The row before the range only says what came before: it is not counted.
    assert login_cells(rows[:1], T0, t(7200)) == {}

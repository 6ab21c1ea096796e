"""The metric catalogue: every figure a report can show, defined once. Pure.

Each metric names its formula over the rollup counters (``facts`` says how a call fills
them, ``agent_time`` how agent state time does), its unit, the raw records it comes from
and the interval it counts in. ``docs/metrics.md`` is generated from this module
(``python -m omnivox.reporting.catalogue_doc``), and the query engine computes every
figure through :attr:`Metric.compute`, so the page and the numbers cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from omnivox.agents import AgentState
from omnivox.reporting.facts import REVENUE_SCALE


class Unit(StrEnum):
    COUNT = "count"
    SECONDS = "seconds"
    PERCENT = "percent"
    RATE = "per agent-hour"
    CURRENCY = "currency"  # the organisation's (``Organization.currency``)


class Source(StrEnum):
    """Which rollup a metric reads; it decides the dimensions it can be split by."""

    CALLS = "calls"
    AGENT_STATES = "agent_states"
    BOTH = "calls and agent_states"


Totals = Mapping[str, float]

CALL_RECORDS = "calls and their applied state changes (call_events)"
STATE_RECORDS = "agent state history (agent_state_history)"
CALL_INTERVAL = "the interval in which the call ended"
STATE_INTERVAL = "split across the intervals each state spans"
#: Synthetic totals the query engine adds, per queue, before a formula is applied.
WITHIN_TARGET = "answered_within_target"
SHORT_ABANDONED = "short_abandoned"


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    label: str
    unit: Unit
    source: Source
    formula: str
    compute: Callable[[Totals], float | None]
    reads: str
    counts_in: str

    @property
    def totals(self) -> frozenset[str]:
        """The totals the formula reads (so the engine sums only those)."""
        return _TOTALS[self.name]


class _Probe(dict[str, float]):
    """Records every total a formula asks for. The formulas evaluate all their operands
    before dividing, so one probe sees every total they can read."""

    def get(self, key: str, default: object = None) -> float:
        self.setdefault(key, 1.0)
        return 1.0

    __getitem__ = get


def _reads(compute: Callable[[Totals], float | None]) -> frozenset[str]:
    probe = _Probe()
    compute(probe)
    return frozenset(probe)


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    """``num ÷ den`` (x ``scale``), or None when there is nothing to divide by."""
    return None if den <= 0 else num / den * scale


def _pct(num: float, den: float) -> float | None:
    return _ratio(num, den, 100.0)


def _col(name: str) -> Callable[[Totals], float | None]:
    return lambda t: t.get(name, 0.0)


_CALLS: list[tuple[str, str, Unit, str, Callable[[Totals], float | None]]] = [
    ("calls", "Calls (all)", Unit.COUNT, "every call that ended, either direction", _col("calls")),
    (
        "calls_offered",
        "Calls offered (inbound)",
        Unit.COUNT,
        "every inbound call that ended",
        _col("inbound_offered"),
    ),
    (
        "calls_handled",
        "Calls handled (inbound)",
        Unit.COUNT,
        "inbound calls that reached an agent",
        _col("inbound_handled"),
    ),
    (
        "calls_abandoned",
        "Calls abandoned (inbound)",
        Unit.COUNT,
        "inbound calls that ended abandoned, before reaching an agent",
        _col("inbound_abandoned"),
    ),
    (
        "short_abandoned",
        "Short abandons (inbound)",
        Unit.COUNT,
        "abandoned inbound calls that waited at most OMNIVOX_REPORT_SHORT_ABANDON_SECONDS",
        _col(SHORT_ABANDONED),
    ),
    (
        "abandon_rate",
        "Abandon rate (inbound, short abandons excluded)",
        Unit.PERCENT,
        "(abandoned - short abandons) ÷ (offered - short abandons)",
        lambda t: _pct(
            t.get("inbound_abandoned", 0) - t.get(SHORT_ABANDONED, 0),
            t.get("inbound_offered", 0) - t.get(SHORT_ABANDONED, 0),
        ),
    ),
    (
        "service_level_offered",
        "Service level: answered within T ÷ offered",
        Unit.PERCENT,
        "queued inbound calls answered within their queue's target T ÷ queued calls offered; "
        "T is each queue's service-level target, counted at the largest wait bucket "
        "(10/20/30/45/60/90/120/180 s) not above it",
        lambda t: _pct(t.get(WITHIN_TARGET, 0), t.get("queue_offered", 0)),
    ),
    (
        "service_level_answered",
        "Service level: answered within T ÷ answered",
        Unit.PERCENT,
        "queued inbound calls answered within their queue's target T ÷ queued calls handled "
        "(T as above)",
        lambda t: _pct(t.get(WITHIN_TARGET, 0), t.get("queue_handled", 0)),
    ),
    (
        "asa",
        "Average speed of answer",
        Unit.SECONDS,
        "total wait of handled inbound calls ÷ calls handled",
        lambda t: _ratio(t.get("answered_wait_seconds", 0), t.get("inbound_handled", 0)),
    ),
    (
        "average_wait",
        "Average wait (handled and abandoned)",
        Unit.SECONDS,
        "(wait of handled + wait of abandoned inbound calls) ÷ (handled + abandoned)",
        lambda t: _ratio(
            t.get("answered_wait_seconds", 0) + t.get("abandoned_wait_seconds", 0),
            t.get("inbound_handled", 0) + t.get("inbound_abandoned", 0),
        ),
    ),
    (
        "longest_wait",
        "Longest wait",
        Unit.SECONDS,
        "the longest wait of any handled or abandoned inbound call",
        lambda t: max(t.get("answered_wait_max", 0), t.get("abandoned_wait_max", 0)),
    ),
    (
        "calls_with_agent",
        "Calls with an agent (both directions)",
        Unit.COUNT,
        "calls, inbound or outbound, in which an agent talked to the customer",
        _col("handled"),
    ),
    (
        "aht",
        "Average handle time",
        Unit.SECONDS,
        "(talk + hold + wrap-up) ÷ calls with an agent",
        lambda t: _ratio(
            t.get("talk_seconds", 0) + t.get("hold_seconds", 0) + t.get("wrap_seconds", 0),
            t.get("handled", 0),
        ),
    ),
    (
        "talk_time",
        "Talk time",
        Unit.SECONDS,
        "time calls spent connected, transferring or in conference",
        _col("talk_seconds"),
    ),
    ("hold_time", "Hold time", Unit.SECONDS, "time calls spent on hold", _col("hold_seconds")),
    (
        "wrap_time",
        "Wrap-up time",
        Unit.SECONDS,
        "time calls spent in wrap-up after the conversation",
        _col("wrap_seconds"),
    ),
    ("holds", "Holds", Unit.COUNT, "times a call was put on hold", _col("holds")),
    (
        "transfers",
        "Transfers",
        Unit.COUNT,
        "completed transfers (to an agent, a number or a queue)",
        _col("transfers"),
    ),
    (
        "voicemails",
        "Voicemails",
        Unit.COUNT,
        "inbound calls that left a voicemail message",
        _col("voicemails"),
    ),
    (
        "callbacks_requested",
        "Callbacks requested",
        Unit.COUNT,
        "inbound calls whose caller asked a queue to call them back",
        _col("callbacks_requested"),
    ),
    (
        "callbacks_completed",
        "Callbacks completed",
        Unit.COUNT,
        "callback calls that reached the customer with an agent",
        _col("callbacks_completed"),
    ),
    (
        "outbound_dials",
        "Dials (outbound)",
        Unit.COUNT,
        "every outbound call placed",
        _col("outbound_dials"),
    ),
    (
        "live_answers",
        "Live answers (outbound)",
        Unit.COUNT,
        "outbound calls answered by a person (not ended as a machine)",
        _col("outbound_live_answers"),
    ),
    (
        "outbound_connects",
        "Connects (outbound)",
        Unit.COUNT,
        "outbound calls that reached an agent",
        _col("outbound_connects"),
    ),
    (
        "contact_rate",
        "Contact rate (outbound)",
        Unit.PERCENT,
        "connects ÷ dials",
        lambda t: _pct(t.get("outbound_connects", 0), t.get("outbound_dials", 0)),
    ),
    (
        "amd_machines",
        "Answering machines (outbound)",
        Unit.COUNT,
        "outbound calls that ended as an answering machine",
        _col("outbound_machines"),
    ),
    (
        "amd_machine_rate",
        "Answering-machine rate",
        Unit.PERCENT,
        "machines ÷ (live answers + machines)",
        lambda t: _pct(
            t.get("outbound_machines", 0),
            t.get("outbound_live_answers", 0) + t.get("outbound_machines", 0),
        ),
    ),
    (
        "outbound_abandoned",
        "Abandoned (outbound)",
        Unit.COUNT,
        "live answers dropped with no agent to take them",
        _col("outbound_abandoned"),
    ),
    (
        "legal_abandon_rate",
        "Abandon rate as the law counts it",
        Unit.PERCENT,
        "outbound abandoned ÷ live answers (the FTC's form; the compliance template sums "
        "it over each campaign's legal window)",
        lambda t: _pct(t.get("outbound_abandoned", 0), t.get("outbound_live_answers", 0)),
    ),
    (
        "conversions",
        "Conversions",
        Unit.COUNT,
        "calls with an agent whose disposition is in the category sale",
        _col("conversions"),
    ),
    (
        "conversion_rate",
        "Conversion rate",
        Unit.PERCENT,
        "conversions ÷ calls with an agent",
        lambda t: _pct(t.get("conversions", 0), t.get("handled", 0)),
    ),
    (
        "revenue",
        "Revenue",
        Unit.CURRENCY,
        "sum of the amounts agents recorded with sale dispositions (conversions), in the "
        "organisation's currency; amounts recorded before the currency was changed are "
        "summed as recorded, not converted",
        lambda t: t.get("revenue_ten_thousandths", 0) / REVENUE_SCALE,
    ),
    (
        "revenue_per_sale",
        "Revenue per sale",
        Unit.CURRENCY,
        "revenue ÷ conversions",
        lambda t: _ratio(
            t.get("revenue_ten_thousandths", 0) / REVENUE_SCALE, t.get("conversions", 0)
        ),
    ),
    (
        "right_party_contacts",
        "Right-party contacts",
        Unit.COUNT,
        "calls with an agent whose disposition is marked as a right-party contact (by "
        "default those in the categories sale, contact and callback)",
        _col("right_party_contacts"),
    ),
    (
        "right_party_rate",
        "Right-party contact rate",
        Unit.PERCENT,
        "right-party contacts ÷ calls with an agent (for a campaign: ÷ its connects)",
        lambda t: _pct(t.get("right_party_contacts", 0), t.get("handled", 0)),
    ),
    (
        "repeat_contacts",
        "Repeat contacts (inbound)",
        Unit.COUNT,
        "handled inbound calls whose number had another handled inbound call ending in "
        "the organisation's repeat_contact_days (default 7) before this one ended; counted "
        "in the interval the repeat ended in",
        _col("repeat_contacts"),
    ),
    (
        "first_contact_resolution",
        "First-contact resolution (inbound)",
        Unit.PERCENT,
        "(calls handled - repeat contacts) ÷ calls handled: each repeat marks the earlier "
        "contact of that number unresolved. A contact is known resolved only once its "
        "window has passed, so the figure for the last repeat_contact_days can still fall "
        "as repeats arrive; withheld numbers never repeat",
        lambda t: _pct(
            t.get("inbound_handled", 0) - t.get("repeat_contacts", 0), t.get("inbound_handled", 0)
        ),
    ),
]

A = AgentState
_WORKING = (A.ON_CALL, A.WRAP_UP)
_READY = (A.AVAILABLE, A.RESERVED, A.ON_CALL, A.WRAP_UP)
#: Every state but offline.
_LOGGED_IN = (*_READY, A.BREAK)


def _state_sum(states: tuple[AgentState, ...]) -> Callable[[Totals], float]:
    keys = tuple(f"state:{s.value}" for s in states)  # named once, not per row
    return lambda t: sum(t.get(k, 0.0) for k in keys)


_STATES: list[tuple[str, str, Unit, str, Callable[[Totals], float | None]]] = [
    *[
        (
            f"time_{s}",
            f"Time {s.replace('_', ' ')}",
            Unit.SECONDS,
            f"seconds agents spent in the state {s}"
            + (" (split by break_reason)" if s is A.BREAK else ""),
            _state_sum((s,)),
        )
        for s in _LOGGED_IN
    ],
    (
        "time_logged_in",
        "Time logged in",
        Unit.SECONDS,
        "seconds in any state but offline",
        _state_sum(_LOGGED_IN),
    ),
    (
        "occupancy",
        "Occupancy",
        Unit.PERCENT,
        "(on call + wrap-up) ÷ (available + reserved + on call + wrap-up)",
        lambda t: _pct(_state_sum(_WORKING)(t), _state_sum(_READY)(t)),
    ),
    (
        "utilisation",
        "Utilisation",
        Unit.PERCENT,
        "(on call + wrap-up) ÷ logged in",
        lambda t: _pct(_state_sum(_WORKING)(t), _state_sum(_LOGGED_IN)(t)),
    ),
]


def _build() -> dict[str, Metric]:
    metrics = [
        Metric(n, label, unit, Source.CALLS, f, fn, CALL_RECORDS, CALL_INTERVAL)
        for n, label, unit, f, fn in _CALLS
    ]
    metrics += [
        Metric(n, label, unit, Source.AGENT_STATES, f, fn, STATE_RECORDS, STATE_INTERVAL)
        for n, label, unit, f, fn in _STATES
    ]
    metrics += [
        Metric(
            name,
            label,
            Unit.COUNT,
            Source.AGENT_STATES,
            formula,
            _col(name),
            STATE_RECORDS,
            f"the interval in which the agent {verb}",
        )
        for name, label, formula, verb in (
            (
                "logins",
                "Logins",
                "changes of an agent's state from offline to any other state (what the "
                "login_logout template counts as sessions begun); split by break_reason, "
                "a login directly into a break counts under its reason",
                "logged in",
            ),
            (
                "logouts",
                "Logouts",
                "changes of an agent's state from any other state to offline",
                "logged out",
            ),
        )
    ]
    metrics.append(
        Metric(
            "talk_minutes_per_agent_hour",
            "Talk minutes per agent-hour",
            Unit.RATE,
            Source.BOTH,
            "talk minutes ÷ hours logged in",
            lambda t: _ratio(t.get("talk_seconds", 0) / 60, _state_sum(_LOGGED_IN)(t) / 3600),
            f"{CALL_RECORDS}; {STATE_RECORDS}",
            f"talk: {CALL_INTERVAL}; logged-in time: {STATE_INTERVAL}",
        )
    )
    return {m.name: m for m in metrics}


#: Every metric by name, in the order the catalogue lists them.
METRICS: Mapping[str, Metric] = _build()
_TOTALS: dict[str, frozenset[str]] = {m.name: _reads(m.compute) for m in METRICS.values()}

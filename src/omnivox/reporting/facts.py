"""What one ended call adds to the rollups: a pure function of the call's row and its
applied state changes, so live upkeep, a rebuild and the tests compute it the same way.

Definitions (each metric's documented formula in :mod:`.catalogue` reads these counters):

* The call counts in the interval of ``ended_at``: when its conversation ended, or when it
  reached a final state without one (wrap-up done afterwards is still this call's).
* Inbound: *offered* is every inbound call; *handled* those that reached an agent
  (``connected``); *abandoned* those that ended ``abandoned`` (the caller hung up, or was
  dropped, before an agent). The wait runs from the system's answer (the caller enters)
  to the agent's connect, or to the hang-up for an abandoned call.
* Talk is time in ``connected``, ``transferring`` and ``in_conference``; hold is time in
  ``on_hold``; wrap is time in ``wrap_up``, all from the applied state changes.
* Outbound: every outbound call is a *dial*; a *live answer* reached ``answered_human`` and
  did not end as a machine; a *machine* ended with reason ``machine``; a *connect* reached
  an agent; *abandoned* ended ``abandoned`` (a live answer dropped with no agent).
* Outcome: *conversions* are calls with an agent whose disposition is a sale, *revenue*
  the amounts stored with them; *right-party contacts* are calls with an agent whose
  disposition says it reached the right person; *repeat contacts* are handled inbound
  calls whose number had another handled inbound call shortly before (``repeats``).
* Callbacks in queue: *requested* counts the call whose caller asked to be called back;
  *completed* counts the callback call that reached the customer with an agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from omnivox.reporting.intervals import WAIT_BUCKETS, as_utc, bucket_column, interval_of
from omnivox.telephony import CallState, Direction, EndReason, OwnerKind, Trigger

_TALK = frozenset({CallState.CONNECTED, CallState.TRANSFERRING, CallState.IN_CONFERENCE})
_TRANSFERS = frozenset({Trigger.TRANSFER_COMPLETED, Trigger.TRANSFER_COMPLETED_TO_QUEUE})

#: Sale amounts are summed in units of 1 / REVENUE_SCALE of the currency.
REVENUE_SCALE = 10_000
#: Every counter of the call rollup that is summed.
SUM_COLUMNS: tuple[str, ...] = (
    "calls",
    "inbound_offered",
    "inbound_handled",
    "inbound_abandoned",
    "answered_wait_seconds",
    "abandoned_wait_seconds",
    *(bucket_column("answered", b) for b in WAIT_BUCKETS),
    *(bucket_column("abandoned", b) for b in WAIT_BUCKETS),
    "handled",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "holds",
    "transfers",
    "voicemails",
    "callbacks_requested",
    "callbacks_completed",
    "outbound_dials",
    "outbound_live_answers",
    "outbound_machines",
    "outbound_connects",
    "outbound_abandoned",
    "conversions",
    # Sale amounts in ten-thousandths of the currency unit: integers add up exactly, in
    # any order, on both databases (the catalogue divides them back).
    "revenue_ten_thousandths",
    "right_party_contacts",
    "repeat_contacts",
)
#: Counters of the call rollup that keep the largest value.
MAX_COLUMNS: tuple[str, ...] = ("answered_wait_max", "abandoned_wait_max")


@dataclass(frozen=True, slots=True)
class Change:
    """One applied state change of a call."""

    at: datetime
    to_state: str
    trigger: str | None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What a rollup needs of a call: its row's fields and its applied changes in order."""

    id: str
    organization_id: str
    direction: str
    owner_kind: str
    owner_id: str
    state: str
    agent_id: str | None
    answered_at: datetime | None
    created_at: datetime
    ended_at: datetime
    end_reason: str | None
    disposition: str | None
    changes: Sequence[Change]
    has_voicemail: bool = False
    is_sale: bool = False
    asked_callback: bool = False  # the caller asked a queue to call them back
    is_callback: bool = False  # the call is such a callback, and reached the customer
    sale_amount: Decimal | None = None  # stored with a sale disposition
    right_party: bool = False  # its disposition is a right-party contact
    repeat_contact: bool = False  # the same number had a handled call just before (repeats)
    # The organisation's number the call used: dialled (inbound) or presented (outbound).
    number: str = ""


@dataclass(frozen=True, slots=True)
class CellKey:
    organization_id: str
    interval_start: datetime
    queue_id: str
    campaign_id: str
    agent_id: str
    disposition: str
    number: str = ""


@dataclass(slots=True)
class CallFact:
    key: CellKey
    values: dict[str, float] = field(default_factory=dict)


def _time_in_states(record: CallRecord) -> dict[str, float]:
    """Seconds spent in each state, from the applied changes (the last runs to its end)."""
    spent: dict[str, float] = {}
    for change, nxt in zip(record.changes, record.changes[1:], strict=False):
        seconds = max(0.0, (as_utc(nxt.at) - as_utc(change.at)).total_seconds())
        spent[change.to_state] = spent.get(change.to_state, 0.0) + seconds
    return spent


def _first(record: CallRecord, state: CallState) -> datetime | None:
    return next((as_utc(c.at) for c in record.changes if c.to_state == state), None)


def _wait(record: CallRecord, fact: dict[str, float], connected: datetime | None) -> None:
    start = as_utc(record.answered_at or record.created_at)
    abandoned = record.state == CallState.ABANDONED
    end = connected if connected is not None else as_utc(record.ended_at)
    if connected is None and not abandoned:
        return
    wait = max(0.0, (end - start).total_seconds())
    prefix = "answered" if connected is not None else "abandoned"
    fact[f"{prefix}_wait_seconds"] = wait
    fact[f"{prefix}_wait_max"] = wait
    for b in WAIT_BUCKETS:
        fact[bucket_column(prefix, b)] = 1.0 if wait <= b else 0.0


def call_fact(record: CallRecord) -> CallFact:
    """The counters one ended call adds to its cell of the call rollup."""
    fact = dict.fromkeys(SUM_COLUMNS + MAX_COLUMNS, 0.0)
    fact["calls"] = 1
    machine = record.end_reason == EndReason.MACHINE
    # A machine can reach an agent before detection decides; it is taken back from them
    # (docs/dialer.md), so nobody talked to a customer: not handled, not a connect.
    connected = None if machine else _first(record, CallState.CONNECTED)
    spent = _time_in_states(record)
    if connected is not None:
        fact["handled"] = 1
        fact["talk_seconds"] = sum(spent.get(s, 0.0) for s in _TALK)
        fact["hold_seconds"] = spent.get(CallState.ON_HOLD, 0.0)
        fact["wrap_seconds"] = spent.get(CallState.WRAP_UP, 0.0)
        fact["conversions"] = 1 if record.is_sale else 0
        amount = record.sale_amount if record.is_sale else None
        fact["revenue_ten_thousandths"] = int((amount or 0) * REVENUE_SCALE)
        fact["right_party_contacts"] = 1 if record.right_party else 0
    fact["holds"] = sum(1 for c in record.changes if c.trigger == Trigger.HOLD)
    fact["transfers"] = sum(1 for c in record.changes if c.trigger in _TRANSFERS)
    fact["callbacks_requested"] = 1 if record.asked_callback else 0
    fact["callbacks_completed"] = 1 if record.is_callback else 0
    if record.direction == Direction.INBOUND:
        fact["inbound_offered"] = 1
        fact["inbound_handled"] = 1 if connected is not None else 0
        fact["inbound_abandoned"] = 1 if record.state == CallState.ABANDONED else 0
        fact["voicemails"] = 1 if record.has_voicemail else 0
        fact["repeat_contacts"] = 1 if record.repeat_contact and connected is not None else 0
        _wait(record, fact, connected)
    else:
        fact["outbound_dials"] = 1
        fact["outbound_machines"] = 1 if machine else 0
        human = _first(record, CallState.ANSWERED_HUMAN) is not None or connected is not None
        fact["outbound_live_answers"] = 1 if human and not machine else 0
        fact["outbound_connects"] = 1 if connected is not None else 0
        fact["outbound_abandoned"] = 1 if record.state == CallState.ABANDONED else 0
    return CallFact(_key(record), fact)


def _key(record: CallRecord) -> CellKey:
    return CellKey(
        organization_id=record.organization_id,
        interval_start=interval_of(record.ended_at),
        queue_id=record.owner_id if record.owner_kind == OwnerKind.QUEUE else "",
        campaign_id=record.owner_id if record.owner_kind == OwnerKind.CAMPAIGN else "",
        agent_id=record.agent_id or "",
        disposition=record.disposition or "",
        number=record.number,
    )


_MAXIMA = frozenset(MAX_COLUMNS)


def merge(into: dict[str, float], values: dict[str, float]) -> None:
    """Add one fact's counters to a cell's (sums add, maxima keep the larger)."""
    if not into:
        into.update(values)
        return
    for name, value in values.items():
        if not value:
            continue  # counters are never negative: a zero changes no sum and no maximum
        if name in _MAXIMA:
            into[name] = max(into.get(name, 0.0), value)
        else:
            into[name] = into.get(name, 0.0) + value

"""The settled part of each campaign's legal window, counted ahead.

The pacer reads its campaign's window every tick and the wallboard every campaign's on
each rebuild. At ten million calls a 24-hour window holds ~74 k answered calls, a 30-day
(FTC) window thirty times that, and counting them one index entry each cost the wallboard
most of its time. A call's place in the window (abandoned, live, machine) is final once it
has ended: the call state machine refuses every event on an ended call. So the 15-minute
slots (by answer time) whose calls have all ended are counted once, by a periodic job, and
a reader adds the slots inside its window to a count of the calls outside them (the
window's first, partial slot, and every answer since the tallies end): the same numbers as
counting every call, however stale the tallies are.

When is a slot settled? A call is answered after it is created, so the tallies stop
``SETTLE`` before the creation or answer of the organisation's oldest open call (any
owner: a call may change hands) and before now, on a slot boundary; every call answered
before that has ended. A call stuck open holds them back: readers then count more calls
themselves, never different numbers. The app nodes' clocks must agree to within
``SETTLE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns import Campaign
from omnivox.core.db import insert_on_conflict
from omnivox.core.logging import get_logger
from omnivox.dialer.models import WindowMark, WindowTally
from omnivox.telephony import TERMINAL_STATES, Call, CallState

log = get_logger(__name__)

SLOT = timedelta(minutes=15)
#: How far behind now (and the oldest open call) the tallies stop.
SETTLE = timedelta(minutes=10)
#: Slots kept before the longest window's start: a reader whose clock lags the job's by
#: less than this finds every slot its window needs.
KEEP = timedelta(days=1)
#: Tallies this far behind now are worth a warning naming the open call holding them.
HELD_BACK = timedelta(hours=1)
#: Campaigns whose windows are read live (the pacer, the wallboard).
TALLIED_STATUSES = ("active", "paused")
CAMPAIGN = "campaign"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: Not ended: what the tallies wait for (the (organisation, state) index finds them).
NOT_ENDED = tuple(s.value for s in CallState if s not in TERMINAL_STATES)


def slot_floor(at: datetime) -> datetime:
    return at - (at - _EPOCH) % SLOT


def slot_ceil(at: datetime) -> datetime:
    floor = slot_floor(at)
    return floor if floor == at else floor + SLOT


def machine_call() -> Any:
    """AMD classified the call as a machine: it is not a live answer."""
    return or_(
        Call.state == CallState.ANSWERED_MACHINE, func.coalesce(Call.end_reason, "") == "machine"
    )


def counted_calls() -> tuple[Any, Any, Any]:
    """Abandons, live answers and machines among the selected calls."""
    machine = machine_call()
    return (
        func.count().filter(Call.state == CallState.ABANDONED),
        func.count().filter(~machine),
        func.count().filter(machine),
    )


@dataclass(frozen=True)
class WindowPlan:
    """How a window starting at ``start`` is counted: the ``tallied`` slots ``[from, to)``
    (None when the tallies do not cover its start) and the calls answered in each ``raw``
    range (an end of None: no end)."""

    raw: tuple[tuple[datetime, datetime | None], ...]
    tallied: tuple[datetime, datetime] | None


def plan_window(start: datetime, mark: tuple[datetime, datetime] | None) -> WindowPlan:
    first = slot_ceil(start)
    if mark is None or not (mark[0] <= first < mark[1]):
        return WindowPlan(((start, None),), None)
    raw = ((start, first),) if start < first else ()
    return WindowPlan((*raw, (mark[1], None)), (first, mark[1]))


async def marks_of(
    session: AsyncSession, org_id: str, campaign_ids: Iterable[str]
) -> dict[str, tuple[datetime, datetime]]:
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(WindowMark.campaign_id, WindowMark.since, WindowMark.until).where(
            WindowMark.organization_id == org_id, WindowMark.campaign_id.in_(ids)
        )
    )
    return {cid: (since, until) for cid, since, until in rows.all()}


def tally_select(
    org_id: str, campaign_ids: list[str], lo: datetime, hi: datetime, *lead: Any
) -> Select[Any]:
    """The campaigns' tallied slots ``[lo, hi)``: the ``lead`` columns, the campaign, and
    its sums, as ``counted_calls`` counts the calls."""
    return (
        select(
            *lead,
            WindowTally.campaign_id,
            func.sum(WindowTally.abandons),
            func.sum(WindowTally.live_answers),
            func.sum(WindowTally.machines),
        )
        .where(
            WindowTally.organization_id == org_id,
            WindowTally.campaign_id.in_(campaign_ids),
            WindowTally.slot_start >= lo,
            WindowTally.slot_start < hi,
        )
        .group_by(WindowTally.campaign_id)
    )


# --- the job's side ------------------------------------------------------------------


async def settled_until(session: AsyncSession, org_id: str, now: datetime) -> datetime:
    """The slot boundary before which every call of the organisation has ended."""
    oldest = (
        await session.execute(
            select(func.min(Call.created_at), func.min(Call.answered_at)).where(
                Call.organization_id == org_id, Call.state.in_(NOT_ENDED)
            )
        )
    ).one()
    edge = min([now, *(t for t in oldest if t is not None)])
    return slot_floor(edge - SETTLE)


async def tally_windows(session: AsyncSession, org_id: str, now: datetime) -> int:
    """Move every live campaign's tallies up to the settled edge; the calls tallied.
    Campaigns in id order, each mark locked while its slots are written, so two nodes
    running this at once take turns instead of counting a slot twice."""
    campaigns = (
        await session.execute(
            select(Campaign.id, Campaign.abandon_window_hours)
            .where(Campaign.organization_id == org_id, Campaign.status.in_(TALLIED_STATUSES))
            .order_by(Campaign.id)
        )
    ).all()
    if not campaigns:
        return 0
    until = await settled_until(session, org_id, now)
    if now - until > HELD_BACK:
        await _say_held_back(session, org_id, now)
    tallied = 0
    for campaign_id, hours in campaigns:
        tallied += await _tally_campaign(session, org_id, campaign_id, hours, now, until)
    return tallied


async def _say_held_back(session: AsyncSession, org_id: str, now: datetime) -> None:
    """Name the open call that holds the tallies back: exact still, but every window then
    counts its calls since that call from the rows, and a call open for hours is usually
    one the carrier never ended (recovery reconciles those)."""
    oldest = (
        await session.execute(
            select(Call.id, Call.state, Call.created_at)
            .where(Call.organization_id == org_id, Call.state.in_(NOT_ENDED))
            .order_by(Call.created_at)
            .limit(1)
        )
    ).first()
    if oldest is None:
        return
    call_id, state, created = oldest
    log.warning(
        "window tallies held back by an open call",
        organization_id=org_id,
        call_id=call_id,
        state=state,
        open_minutes=int((now - created).total_seconds() // 60),
    )


async def _tally_campaign(
    session: AsyncSession,
    org_id: str,
    campaign_id: str,
    hours: int,
    now: datetime,
    until: datetime,
) -> int:
    want = slot_floor(now - timedelta(hours=hours))
    mark = await _locked_mark(session, org_id, campaign_id, want)
    tallied = 0
    if mark.since > want:  # first run, or the window grew: count the slots before
        if mark.until > mark.since:
            tallied += await _tally_range(session, org_id, campaign_id, want, mark.since)
        else:
            mark.until = want
        mark.since = want
    if until > mark.until:
        tallied += await _tally_range(session, org_id, campaign_id, mark.until, until)
        mark.until = until
    keep = slot_floor(want - KEEP)
    if mark.since < keep:
        await session.execute(
            delete(WindowTally).where(
                WindowTally.campaign_id == campaign_id, WindowTally.slot_start < keep
            )
        )
        mark.since = keep
        mark.until = max(mark.until, keep)
    await session.flush()
    return tallied


async def _locked_mark(
    session: AsyncSession, org_id: str, campaign_id: str, want: datetime
) -> WindowMark:
    await session.execute(
        insert_on_conflict(session.get_bind().dialect.name)(WindowMark)
        .values(campaign_id=campaign_id, organization_id=org_id, since=want, until=want)
        .on_conflict_do_nothing(index_elements=["campaign_id"])
    )
    mark = await session.get(WindowMark, campaign_id, with_for_update=True, populate_existing=True)
    assert mark is not None  # inserted above or already there
    return mark


async def _tally_range(
    session: AsyncSession, org_id: str, campaign_id: str, lo: datetime, hi: datetime
) -> int:
    """Count the campaign's calls answered in ``[lo, hi)`` into new slot rows (no slot of
    the range has a row: the range lies outside the mark)."""
    machine = machine_call()
    rows = await session.stream(
        select(Call.answered_at, Call.state == CallState.ABANDONED, machine).where(
            Call.organization_id == org_id,
            Call.owner_kind == CAMPAIGN,
            Call.owner_id == campaign_id,
            Call.answered_at >= lo,
            Call.answered_at < hi,
        )
    )
    slots: dict[datetime, list[int]] = {}
    n = 0
    async for answered_at, abandoned, is_machine in rows:
        cell = slots.setdefault(slot_floor(answered_at), [0, 0, 0])
        cell[0] += bool(abandoned)
        cell[1] += not is_machine
        cell[2] += bool(is_machine)
        n += 1
    if slots:
        await session.execute(
            insert(WindowTally),
            [
                {
                    "campaign_id": campaign_id,
                    "organization_id": org_id,
                    "slot_start": slot,
                    "abandons": a,
                    "live_answers": live,
                    "machines": m,
                }
                for slot, (a, live, m) in sorted(slots.items())
            ],
        )
    return n

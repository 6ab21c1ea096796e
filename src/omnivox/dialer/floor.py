"""What the database says about a campaign right now: its agents, its calls, its window.

Both the pacing snapshot and the live statistics are computed from here, so the figures a
supervisor sees are the ones the dialler paces on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.agents import AgentState, AgentStateHistory, AgentStatus
from omnivox.dialer.contacts import previewing_agents
from omnivox.dialer.models import MACHINE_CONFIRMED, PERSON_AFTER_MACHINE, AmdReview
from omnivox.dialer.window_tally import (
    counted_calls,
    machine_call,
    marks_of,
    plan_window,
    tally_select,
)
from omnivox.telephony import (
    PRE_ANSWER_STATES,
    TALKING_STATES,
    AgentLine,
    Call,
    CallEventRow,
    CallState,
    LineStatus,
    Trigger,
)

CAMPAIGN = "campaign"
RINGING = PRE_ANSWER_STATES
TALKING = TALKING_STATES


@dataclass(frozen=True)
class AgentsNow:
    # (user id, available since), longest idle first: available with a connected line
    ready: list[tuple[str, datetime]]
    paused: int  # on a break, or available with no line (the dialler cannot reach them)
    talking_since: list[datetime]  # on a call, or reserved for one (a line is theirs)
    wrapping_since: list[datetime]
    offline: int
    # Ready agents back from a dialler call they let go: it was answered, offered to them,
    # and abandoned because they did not take it. Not counted as certain at the abandon cap.
    let_go: frozenset[str] = frozenset()

    @property
    def certain(self) -> int:
        """Ready agents who can be counted on to take a call now."""
        return sum(1 for user_id, _since in self.ready if user_id not in self.let_go)

    no_line: int = 0  # available, but their softphone's line is not connected

    def by_state(self) -> dict[str, int]:
        return {
            "available": len(self.ready),
            "on_call": len(self.talking_since),
            "wrap_up": len(self.wrapping_since),
            "break": self.paused - self.no_line,
            "offline": self.offline,
            "no_line": self.no_line,
        }


@dataclass(frozen=True)
class WindowCounts:
    """The campaign's regulatory window: abandoned / live answers, from call records, and
    under the UK rule the people AMD hung up on as machines (``amd_false_positives``:
    those reviewed as people, plus the estimate's share of the unreviewed machine
    verdicts), each counted as an answer and as an abandon."""

    abandons: int
    live_answers: int
    amd_false_positives: float = 0.0
    machine_verdicts: int = 0  # answers AMD classified as machines (UK rule only)
    reviewed_people: int = 0  # of those, reviewed and found to be people

    @property
    def rate(self) -> float:
        """The abandon rate as the campaign's rule counts it."""
        answers = self.live_answers + self.amd_false_positives
        return (self.abandons + self.amd_false_positives) / answers if answers else 0.0


async def agents_now(
    session: AsyncSession, org_id: str, agent_ids: Sequence[str], now: datetime
) -> AgentsNow:
    return (await campaigns_agents_now(session, org_id, {"": agent_ids}, now))[""]


async def campaigns_agents_now(
    session: AsyncSession, org_id: str, agents_of: Mapping[str, Sequence[str]], now: datetime
) -> dict[str, AgentsNow]:
    """``agents_now`` of several campaigns (``agents_of``: campaign -> its agents), in the
    same four queries as one: an agent on two campaigns is the same agent on both."""
    everyone = sorted({user_id for ids in agents_of.values() for user_id in ids})
    if not everyone:  # campaigns nobody is assigned to: nothing to read
        return {c: _agents([], 0, set(), set(), frozenset()) for c in agents_of}
    rows = list(
        await session.scalars(
            select(AgentStatus).where(
                AgentStatus.organization_id == org_id, AgentStatus.user_id.in_(everyone)
            )
        )
    )
    # An agent reading a previewed contact is about to dial it: not ready for this dialler.
    previewing = set(await session.scalars(previewing_agents(org_id, now)))
    # Only a connected line reaches an agent within the 2 seconds: an agent available
    # without one (no softphone, a dropped line, a restart) gets no dialler calls.
    lined = set(
        await session.scalars(
            select(AgentLine.user_id).where(
                AgentLine.organization_id == org_id,
                AgentLine.user_id.in_(everyone),
                AgentLine.status == LineStatus.CONNECTED.value,
            )
        )
    )
    all_ready = [
        r.user_id
        for r in rows
        if r.state == AgentState.AVAILABLE and r.user_id not in previewing and r.user_id in lined
    ]
    let_go = await _let_go(session, org_id, all_ready)
    out = {}
    for campaign_id, agent_ids in agents_of.items():
        ids = set(agent_ids)
        mine = [r for r in rows if r.user_id in ids]
        out[campaign_id] = _agents(mine, len(ids), previewing, lined, let_go)
    return out


def _agents(
    rows: list[AgentStatus],
    assigned: int,
    previewing: set[str | None],
    lined: set[str],
    let_go: frozenset[str],
) -> AgentsNow:
    available = [r for r in rows if r.state == AgentState.AVAILABLE]
    ready = sorted(
        (
            (r.user_id, r.since)
            for r in available
            if r.user_id not in previewing and r.user_id in lined
        ),
        key=_second,
    )
    no_line = sum(r.user_id not in lined for r in available)
    return AgentsNow(
        let_go=let_go & {user_id for user_id, _since in ready},
        ready=ready,
        paused=sum(r.state == AgentState.BREAK for r in rows) + no_line,
        no_line=no_line,
        talking_since=[
            r.since for r in rows if r.state in (AgentState.RESERVED, AgentState.ON_CALL)
        ],
        wrapping_since=[r.since for r in rows if r.state == AgentState.WRAP_UP],
        offline=assigned - len(rows) + sum(r.state == AgentState.OFFLINE for r in rows),
    )


async def _let_go(session: AsyncSession, org_id: str, ready: list[str]) -> frozenset[str]:
    """Of the ``ready`` agents, those whose latest change was being released from a call
    the system then hung up as abandoned (nobody took it within 2 seconds): their offer
    rang and they did not take it. A customer who hung up first, a machine the dialler
    kept, or an agent who came back from a break by their own choice does not count."""
    if not ready:
        return frozenset()
    rows = await session.scalars(
        select(AgentStatus.user_id)
        .join(
            AgentStateHistory,
            and_(  # the row of the agent's latest change (``at`` uses the user/at index)
                AgentStateHistory.user_id == AgentStatus.user_id,
                AgentStateHistory.at == AgentStatus.since,
                AgentStateHistory.seq == AgentStatus.version,
            ),
        )
        .join(
            CallEventRow,
            and_(
                CallEventRow.call_id == AgentStateHistory.call_id,
                CallEventRow.trigger == Trigger.SYSTEM_HANGUP,
                CallEventRow.to_state == CallState.ABANDONED,
                CallEventRow.applied.is_(True),
            ),
        )
        .where(
            AgentStatus.organization_id == org_id,
            AgentStatus.user_id.in_(ready),
            AgentStateHistory.from_state == AgentState.RESERVED,
            AgentStateHistory.to_state == AgentState.AVAILABLE,
        )
    )
    return frozenset(rows.all())


def _second(pair: tuple[str, datetime]) -> datetime:
    return pair[1]


@dataclass(frozen=True)
class CallsNow:
    ringing_since: list[datetime]  # placed, not answered yet
    waiting_since: list[datetime]  # answered by a person, no agent yet


async def calls_now(session: AsyncSession, org_id: str, campaign_id: str) -> CallsNow:
    rows = (
        await session.execute(
            select(Call.state, Call.created_at, Call.answered_at).where(
                Call.organization_id == org_id,
                Call.owner_kind == CAMPAIGN,
                Call.owner_id == campaign_id,
                Call.state.in_([*RINGING, CallState.ANSWERED_HUMAN]),
            )
        )
    ).all()
    return CallsNow(
        ringing_since=[created for state, created, _a in rows if state in RINGING],
        waiting_since=[a or c for state, c, a in rows if state == CallState.ANSWERED_HUMAN],
    )


@dataclass(frozen=True)
class WindowAsk:
    """One campaign's legal window: its calls answered since ``now - hours``;
    ``amd_fp_estimate`` as for ``window_counts``."""

    campaign_id: str
    hours: int
    amd_fp_estimate: float | None = None


async def window_counts(
    session: AsyncSession,
    org_id: str,
    campaign_id: str,
    now: datetime,
    hours: int,
    amd_fp_estimate: float | None = None,
) -> WindowCounts:
    """Live answers: answered calls that were not classified as a machine (a machine that
    reached an agent counts: the dialler routed it as a person). Abandons: calls that ended
    abandoned (no agent in time, or the person hung up before one came).

    ``amd_fp_estimate`` (the UK rule counts AMD false positives): machine verdicts reviewed
    as people count as they are; each unreviewed one counts as ``amd_fp_estimate`` of a
    person, and reviewed real machines not at all."""
    asks = [WindowAsk(campaign_id, hours, amd_fp_estimate)]
    return (await windows_counts(session, org_id, asks, now))[campaign_id]


async def windows_counts(
    session: AsyncSession, org_id: str, asks: Sequence[WindowAsk], now: datetime
) -> dict[str, WindowCounts]:
    """``window_counts`` of several campaigns (the wallboard's tiles) in one statement: each
    window's settled slots from the tallies (``window_tally``), the calls outside them from
    the index on (organisation, owner, answered_at, state, end reason), and the AMD reviews
    of its machine verdicts where the rule counts them. Windows sharing a range (campaigns
    of one window length, tallied by the same job run) share one grouped part of it."""
    marks = await marks_of(session, org_id, (a.campaign_id for a in asks))
    groups: dict[tuple[str, datetime, datetime | None], list[int]] = {}
    for i, ask in enumerate(asks):
        start = now - timedelta(hours=ask.hours)
        plan = plan_window(start, marks.get(ask.campaign_id))
        for lo, hi in plan.raw:
            groups.setdefault((_CALLS, lo, hi), []).append(i)
        if plan.tallied is not None:
            groups.setdefault((_TALLIES, *plan.tallied), []).append(i)
        if ask.amd_fp_estimate is not None:
            groups.setdefault((_REVIEWS, start, None), []).append(i)
    keys = list(groups)
    parts = [
        _part(n, org_id, sorted({asks[i].campaign_id for i in groups[key]}), *key)
        for n, key in enumerate(keys)
    ]
    counts = [[0, 0, 0, 0, 0] for _ask in asks]
    if parts:
        for n, owner, x, y, z in (await session.execute(union_all(*parts))).all():
            key = keys[int(n)]
            for i in groups[key]:
                if asks[i].campaign_id != owner:
                    continue
                at = counts[i]
                if key[0] == _REVIEWS:
                    at[3] += int(x)
                    at[4] += int(y)
                else:
                    at[0] += int(x)
                    at[1] += int(y)
                    at[2] += int(z)
    return {a.campaign_id: _window(a, *counts[i]) for i, a in enumerate(asks)}


_CALLS, _TALLIES, _REVIEWS = "calls", "tallies", "reviews"


def _part(
    n: int, org_id: str, ids: list[str], what: str, lo: datetime, hi: datetime | None
) -> Select[Any]:
    """Part ``n`` of the statement: (n, campaign, three counts) per campaign of ``ids``."""
    if what == _TALLIES:
        assert hi is not None
        return tally_select(org_id, ids, lo, hi, _n(n))
    mine = (
        Call.organization_id == org_id,
        Call.owner_kind == CAMPAIGN,
        Call.owner_id.in_(ids),
        Call.answered_at >= lo,
        *(() if hi is None else (Call.answered_at < hi,)),
    )
    if what == _CALLS:
        return select(_n(n), Call.owner_id, *counted_calls()).where(*mine).group_by(Call.owner_id)
    # Of the machine verdicts, those reviewed as people, and as machines.
    verdict = AmdReview.verdict
    return (
        select(
            _n(n),
            Call.owner_id,
            func.count().filter(verdict == PERSON_AFTER_MACHINE),
            func.count().filter(verdict == MACHINE_CONFIRMED),
            _n(0),
        )
        .select_from(AmdReview)
        .join(Call, Call.id == AmdReview.call_id)
        .where(
            AmdReview.organization_id == org_id,
            AmdReview.campaign_id.in_(ids),
            *mine,
            machine_call(),
        )
        .group_by(Call.owner_id)
    )


def _n(value: int) -> Any:
    """A constant column written into the statement (a bind parameter in a UNION's select
    list has no type PostgreSQL can infer)."""
    return literal_column(str(int(value)))


def _window(
    ask: WindowAsk, abandons: int, live: int, machines: int, people: int, confirmed: int
) -> WindowCounts:
    if ask.amd_fp_estimate is None:
        return WindowCounts(abandons=abandons, live_answers=live)
    unreviewed = machines - people - confirmed
    return WindowCounts(
        abandons=abandons,
        live_answers=live,
        amd_false_positives=people + ask.amd_fp_estimate * unreviewed,
        machine_verdicts=machines,
        reviewed_people=people,
    )

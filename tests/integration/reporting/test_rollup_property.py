"""The rollups kept incrementally from events (in any order, some repeated) equal a
rebuild from raw records, and both equal a brute-force computation written from the
script itself, on SQLite and PostgreSQL: the 15-minute tables and every coarser one
(queue x campaign per interval and per hour, agent per hour, state time per hour),
with the number each call used and the logins and logouts in the state rollups; and the
``logins`` metric equals the sessions the login/logout template counts from history."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.integration.reporting.script import Inbound, Outbound, insert_call, insert_states
from tests.support import Env

from omnivox.agents import AgentState, AgentStateChanged
from omnivox.agents.fsm import Actor
from omnivox.core.events import Audience
from omnivox.core.security.permissions import Role
from omnivox.reporting import add_ended_call, rebuild
from omnivox.reporting.batcher import count_batch
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS
from omnivox.reporting.handlers import follow_agent_change
from omnivox.reporting.intervals import WAIT_BUCKETS
from omnivox.reporting.models import (
    CALL_ROLLUPS,
    AgentStateHour,
    AgentStateInterval,
    CallRollup,
)
from omnivox.reporting.query import run_report
from omnivox.reporting.request import ReportRequest
from omnivox.reporting.sessions import login_logout
from omnivox.routing import Queue

DAY = datetime(2026, 3, 10, 8, tzinfo=UTC)
QUARTER = 900
_orgs = itertools.count()

seconds = st.integers(min_value=0, max_value=4 * 3600)
amounts = st.sampled_from([None, Decimal("0"), Decimal("19.99"), Decimal("1234.5678")])
#: The default dispositions that are right-party contacts (categories sale, contact).
RIGHT_PARTY = {"SALE", "NOT_INTERESTED"}
inbound = st.builds(
    Inbound,
    at=seconds.map(lambda s: DAY + timedelta(seconds=s)),
    wait=st.integers(1, 240),
    talk=st.integers(1, 900),
    hold=st.sampled_from([0, 0, 45]),
    wrap=st.integers(0, 120),
    abandon=st.booleans(),
    disposition=st.sampled_from([None, "SALE", "NOT_INTERESTED"]),
    sale_amount=amounts,
    # Two callers who may ring again, and a withheld number that never counts as one.
    number=st.sampled_from(["+14155550100", "+14155550101", "anonymous"]),
)
outbound = st.builds(
    Outbound,
    at=seconds.map(lambda s: DAY + timedelta(seconds=s)),
    ring=st.integers(1, 40),
    talk=st.integers(1, 900),
    wrap=st.integers(0, 120),
    machine=st.booleans(),
    abandon=st.booleans(),
    disposition=st.sampled_from([None, "SALE"]),
    sale_amount=amounts,
)
calls = st.lists(
    st.tuples(st.one_of(inbound, outbound), st.integers(0, 1), st.integers(0, 1)), max_size=12
)
state = st.sampled_from(["available", "reserved", "on_call", "wrap_up", "break", "offline"])
history = st.lists(
    st.tuples(st.integers(1, 3000), state, st.sampled_from(["lunch", "training"])), max_size=8
)


def _ended(spec: Inbound | Outbound) -> tuple[float, bool]:
    """When the script's call ends, and whether an agent talked on it."""
    if isinstance(spec, Inbound):
        if spec.abandon:
            return spec.wait, False
        return spec.wait + spec.talk + spec.hold, True
    if spec.machine:
        return spec.ring + 1, False
    if spec.abandon:
        return spec.ring + 2, False
    return spec.ring + spec.talk, True


def _brute_calls(org_id: str, script: list[tuple[Any, str, str, str]]) -> dict[Any, Any]:
    """Each cell's counters, straight from the script's numbers."""
    cells: dict[Any, dict[str, float]] = {}
    # Handled inbound calls by number, with when they ended (repeat contacts).
    handled: dict[str, list[datetime]] = {}
    for spec, _q, _c, _a in script:
        end, talked = _ended(spec)
        if isinstance(spec, Inbound) and talked and spec.number.startswith("+"):
            handled.setdefault(spec.number, []).append(spec.at + timedelta(seconds=end))
    for spec, queue, campaign, agent in script:
        end, talked = _ended(spec)
        ended = spec.at + timedelta(seconds=end)
        cell = ended.replace(minute=ended.minute - ended.minute % 15, second=0, microsecond=0)
        # The organisation's number used: the one dialled in, the caller ID out.
        ours = "+14155550199" if isinstance(spec, Inbound) else "+14155550100"
        key = (org_id, cell, queue, campaign, agent if talked else "", spec.disposition or "", ours)
        c = cells.setdefault(key, dict.fromkeys(SUM_COLUMNS + MAX_COLUMNS, 0.0))
        c["calls"] += 1
        if talked:
            c["handled"] += 1
            c["talk_seconds"] += spec.talk
            c["wrap_seconds"] += spec.wrap
            c["conversions"] += spec.disposition == "SALE"
            c["right_party_contacts"] += spec.disposition in RIGHT_PARTY
            if spec.disposition == "SALE" and spec.sale_amount is not None:
                c["revenue_ten_thousandths"] += float(spec.sale_amount * 10_000)
        if isinstance(spec, Inbound):
            c["inbound_offered"] += 1
            prefix = "abandoned" if spec.abandon else "answered"
            c["inbound_abandoned" if spec.abandon else "inbound_handled"] += 1
            c[f"{prefix}_wait_seconds"] += spec.wait
            c[f"{prefix}_wait_max"] = max(c[f"{prefix}_wait_max"], spec.wait)
            for b in WAIT_BUCKETS:
                c[f"{prefix}_le_{b}"] += spec.wait <= b
            if talked and spec.hold:
                c["hold_seconds"] += spec.hold
                c["holds"] += 1
            # Within the organisation's 7 days (the script spans hours): any earlier one.
            earlier = [e for e in handled.get(spec.number, []) if e < ended]
            c["repeat_contacts"] += talked and bool(earlier)
        else:
            c["outbound_dials"] += 1
            c["outbound_machines"] += spec.machine
            c["outbound_live_answers"] += not spec.machine
            c["outbound_abandoned"] += spec.abandon and not spec.machine
            c["outbound_connects"] += talked
    return cells


def _quarter(at: datetime) -> datetime:
    return at.replace(minute=at.minute - at.minute % 15, second=0)


def _brute_states(
    org_id: str, agents: dict[str, list[tuple[datetime, str, str | None]]]
) -> dict[Any, tuple[float, int, int]]:
    """(seconds, logins, logouts) per cell: every closed, non-offline span's overlap with
    every quarter; a change from offline (every agent starts offline) to another state is
    a login in the quarter it happened, in the cell of the state entered; a change from
    another state to offline a logout, in the offline cell."""
    cells: dict[Any, tuple[float, int, int]] = {}

    def add(key: Any, seconds: float = 0.0, logins: int = 0, logouts: int = 0) -> None:
        was = cells.get(key, (0.0, 0, 0))
        cells[key] = (was[0] + seconds, was[1] + logins, was[2] + logouts)

    for user, changes in agents.items():
        for (start, st_, reason), (end, _, _) in itertools.pairwise(changes):
            if st_ == "offline":
                continue
            cell = _quarter(start)
            while cell < end:
                nxt = cell + timedelta(seconds=QUARTER)
                overlap = (min(end, nxt) - max(start, cell)).total_seconds()
                add((org_id, cell, user, st_, reason if st_ == "break" else ""), overlap)
                cell = nxt
        previous = "offline"
        for at, st_, reason in changes:
            if previous == "offline" and st_ != "offline":
                add((org_id, _quarter(at), user, st_, reason if st_ == "break" else ""), logins=1)
            elif previous != "offline" and st_ == "offline":
                add((org_id, _quarter(at), user, "offline", ""), logouts=1)
            previous = st_
    return cells


def _coarser(rollup: CallRollup, cells: dict[Any, Any]) -> dict[Any, Any]:
    """The brute-force 15-minute cells summed onto a coarser rollup's keys and grain."""
    names = ("queue_id", "campaign_id", "agent_id", "disposition", "number")
    out: dict[Any, dict[str, float]] = {}
    for (org, at, *dims), values in cells.items():
        if rollup.grain == timedelta(hours=1):
            at = at.replace(minute=0)
        kept = dict(zip(names, dims, strict=True))
        into = out.setdefault((org, at, *(kept[k] for k in rollup.keys)), {})
        for name, value in values.items():
            into[name] = (
                max(into.get(name, 0.0), value)
                if name in MAX_COLUMNS
                else (into.get(name, 0.0) + value)
            )
    return out


def _state_hours(cells: dict[Any, tuple[float, int, int]]) -> dict[Any, tuple[float, int, int]]:
    out: dict[Any, tuple[float, int, int]] = {}
    for (org, at, *rest), values in cells.items():
        key = (org, at.replace(minute=0), *rest)
        was = out.get(key, (0.0, 0, 0))
        out[key] = (was[0] + values[0], was[1] + values[1], was[2] + values[2])
    return out


async def _tables(env: Env, org_id: str) -> dict[str, dict[Any, Any]]:
    """Every rollup's rows, by table name and key."""
    found: dict[str, dict[Any, Any]] = {}
    async with env.sessions() as s:
        for rollup in CALL_ROLLUPS:
            table = rollup.table.__table__
            key_cols = ("organization_id", "interval_start", *rollup.keys)
            found[rollup.name] = {
                tuple(r[c] for c in key_cols): {c: float(r[c]) for c in SUM_COLUMNS + MAX_COLUMNS}
                for r in (
                    await s.execute(select(table).where(table.c.organization_id == org_id))
                ).mappings()
            }
        for state_table in (AgentStateInterval, AgentStateHour):
            found[state_table.__tablename__] = {
                (r.organization_id, r.interval_start, r.agent_id, r.state, r.reason): (
                    r.seconds,
                    r.logins,
                    r.logouts,
                )
                for r in await s.scalars(
                    select(state_table).where(state_table.organization_id == org_id)
                )
            }
    return found


def _brute(org_id: str, placed: list[Any], agents: dict[str, Any]) -> dict[str, dict[Any, Any]]:
    calls, states = _brute_calls(org_id, placed), _brute_states(org_id, agents)
    out = {r.name: _coarser(r, calls) for r in CALL_ROLLUPS}
    out[AgentStateInterval.__tablename__] = states
    out[AgentStateHour.__tablename__] = _state_hours(states)
    return out


def _event(org_id: str, user: str, at: datetime, state: str) -> AgentStateChanged:
    return AgentStateChanged(
        audience=Audience.user(org_id, user),
        at=at,
        user_id=user,
        state=AgentState(state),
        previous_state=AgentState.OFFLINE,
        reason=None,
        since=at,
        call_id=None,
        missed_count=0,
        by=Actor.SELF,
        actor_id=None,
        released_call_id=None,
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=calls, histories=st.tuples(history, history), order=st.randoms())
async def test_incremental_equals_rebuild_equals_brute_force(
    env: Env,
    script: list[tuple[Inbound | Outbound, int, int]],
    histories: tuple[list[Any], list[Any]],
    order: random.Random,
) -> None:
    n = next(_orgs)
    org_id = await env.org(f"prop{n}")
    users = [await env.user(org_id, f"a{i}@p{n}.example.com", Role.AGENT) for i in range(2)]
    async with env.sessions() as s:
        queues = [Queue(organization_id=org_id, name=f"Q{i}") for i in range(2)]
        s.add_all(queues)
        await s.flush()
        placed, ids = [], []
        for spec, q, a in script:
            owner = ("queue", queues[q].id) if isinstance(spec, Inbound) else ("campaign", "camp")
            ids.append(await insert_call(s, org_id, spec, owner=owner, agent_id=users[a]))
            qid = owner[1] if owner[0] == "queue" else ""
            cid = owner[1] if owner[0] == "campaign" else ""
            placed.append((spec, qid, cid, users[a]))
        agents: dict[str, list[tuple[datetime, str, str | None]]] = {}
        for user, changes in zip(users, histories, strict=True):
            at, rows = DAY, []
            for gap, st_, reason in changes:
                at += timedelta(seconds=gap)
                rows.append((at, st_, reason if st_ == "break" else None))
            agents[user] = rows
            await insert_states(s, org_id, user, rows)
        await s.commit()

    # Live upkeep, in any order, with repeats (provider retries, events from two nodes):
    # a call counted alone or in a batch of any size, a repeat in the same batch too.
    work: list[Any] = [("call", i) for i in ids] * 2
    work += [("agent", u, at, st_) for u, rows in agents.items() for at, st_, _ in rows]
    order.shuffle(work)
    batch: dict[str, str] = {}
    for item in work:
        if item[0] == "agent":
            await follow_agent_change(env.sessions, _event(org_id, item[1], item[2], item[3]))
        elif order.random() < 0.3:
            await add_ended_call(env.sessions, org_id, item[1])
        else:
            batch[item[1]] = org_id
            if order.random() < 0.4:
                await count_batch(env.sessions, batch)
                batch = {}
    await count_batch(env.sessions, batch)
    incremental = await _tables(env, org_id)

    async with env.sessions() as s:
        await rebuild(s, org_id, DAY.replace(hour=0), DAY.replace(hour=0) + timedelta(days=1))
        await s.commit()
    rebuilt = await _tables(env, org_id)

    brute = _brute(org_id, placed, agents)
    assert set(incremental) == set(rebuilt) == set(brute)
    for table in brute:
        assert incremental[table] == rebuilt[table] == brute[table], table

    # The logins metric equals the sessions the login/logout template finds in history.
    day = DAY.date()
    async with env.sessions() as s:
        ask = ReportRequest(("logins",), day, day, ("agent",))
        figures = await run_report(s, org_id, ask, env.settings)
        template = await login_logout(s, org_id, day, day, {}, env.settings)
    logins = {r["agent_id"]: r["logins"] for r in figures.rows if r["logins"]}
    sessions = {r["agent_id"]: r["sessions"] for r in template.rows}
    assert logins == sessions

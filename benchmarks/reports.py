"""Reports benchmark (issue 16, section 7), in one invocation on a fresh database:

1. Generate ``--calls`` calls over ``--days`` days (200 agents taking calls out of 2,000
   on the floor, 30 queues, 20 campaigns; half inbound, 10 % of those abandoned; outbound
   with machines and drops), in time order, with their applied state changes, an agent
   shift a day, and the rollups. ``--workers`` processes (PostgreSQL) each write a run of
   days on their own connection by COPY (SQLite: one writer, executemany), with the
   tables' indexes and constraints dropped during the load and built after it. The
   finest call rollup is computed by the engine's own Python (``facts.call_fact``,
   ``facts.merge``) from the generated records without reading them back, the coarser
   ones are summed from it in SQL, the state rollups come from ``agent_time.state_cells``
   and ``upkeep.state_rows``; step 2 proves all of them equal what a rebuild from the
   stored raw rows writes. With ``--reuse`` the database is kept, named by its
   parameters, the schema's newest migration and the generator's version, and a later
   run with the same ones measures it again without generating (after taking out the
   calls an earlier run's measurements added and recounting their hours).
2. A rebuild of one day from raw records (calls/s), compared row for row with what the
   generation wrote for that day.
3. Upkeep per ended call, counted in batches as live upkeep counts them (one
   transaction per batch): p50/p95 of batch time / batch size, at the default
   ``OMNIVOX_REPORT_UPKEEP_BATCH_SIZE`` and at 20, against today's per-call path (a
   transaction per call, ``add_ended_call``) on as many other calls in the same run; and
   the delay from a call's end to its batch being counted, 500 calls/s through the
   ``CallBatcher`` with the default settings.
4. Reports through the engine, p50/p95, each against a baseline in the same run: the
   30-day agent performance template against a naive aggregation over the raw call,
   change and agent-state rows computing the same figures (and checked equal); one
   day's queue interval template, a 90-day campaign x day builder query and the
   wallboard snapshot (2,000 agents) against the engine restricted to the 15-minute
   full-key rollup (how it read before the coarser rollups). The snapshot is taken at
   the last minute of the generated data, after the dialler's window tally job has run
   (its first run and its next slot timed), warm, over 21 builds, and also with the
   legal windows counted from the calls alone (how they were read before the tallies).

    PYTHONPATH=src .venv/bin/python benchmarks/reports.py [--calls 200000] [--days 30]
        [--backend postgres|sqlite] [--workers 2] [--reuse]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

PG_ADMIN = os.environ.get("OMNIVOX_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2026, 1, 5, tzinfo=UTC)
ZONE = "America/New_York"  # a whole-hour zone with a DST change inside 90 days
FLOOR_AGENTS, CALL_AGENTS, QUEUES, CAMPAIGNS = 2000, 200, 30, 20
CALL_COLUMNS = [
    "id",
    "organization_id",
    "direction",
    "owner_kind",
    "owner_id",
    "state",
    "provider",
    "from_number",
    "to_number",
    "agent_id",
    "conference_name",
    "answered_at",
    "created_at",
    "ended_at",
    "end_reason",
    "disposition_code",
    "flagged_for_supervisor",
    "updated_at",
    "version",
]
EVENT_COLUMNS = [
    "call_id",
    "organization_id",
    "at",
    "recorded_at",
    "event",
    "trigger",
    "from_state",
    "to_state",
    "applied",
    "payload",
]
COUNTED_COLUMNS = ["call_id", "organization_id", "interval_start"]
HISTORY_COLUMNS = [
    "id",
    "organization_id",
    "user_id",
    "from_state",
    "to_state",
    "reason",
    "at",
    "by",
    "seq",
]
TARGETS_MS = {
    "upkeep_per_ended_call": 1.0,
    "agent_performance_30d": 1000.0,
    "queue_interval_1d": 300.0,
    "campaign_by_day_90d": 2000.0,
    "wallboard_snapshot_2000_agents": 50.0,
}


# --- generation --------------------------------------------------------------------

#: Bumped whenever what the generator writes changes: a kept database of an older
#: generator is not reused.
GENERATOR = "4"
#: Calls (with their changes) written per COPY or executemany.
FLUSH_CALLS = 20_000
#: Calls the measurements add (upkeep's new calls) carry this provider, so a reused
#: database can take them out again before the next run.
MEASURED_PROVIDER = "bench-run"
#: Tables whose indexes and constraints are dropped while they load and built after
#: (one sort per index instead of a random insert per row).
LOADED_TABLES = (
    "calls",
    "call_events",
    "report_counted_calls",
    "report_call_intervals",
    "agent_state_history",
)


class World:
    """The organisation's agents, queues and campaigns (ids) and a random source."""

    def __init__(
        self,
        org: str,
        agents: list[str],
        queues: list[str],
        campaigns: list[str],
        rng: random.Random,
        sales: Sequence[str] = (),
        right_party: Sequence[str] = (),
    ) -> None:
        self.org, self.agents, self.queues, self.campaigns = org, agents, queues, campaigns
        self.callers = agents[:CALL_AGENTS]
        self.rng = rng
        self.provider = "twilio"
        # What the organisation's disposition codes mean, as a reader of its calls sees.
        self.sales, self.right_party = frozenset(sales), frozenset(right_party)
        # Each call's caller (inbound) or called number is its own: no repeat contacts,
        # which would depend on calls of days another process writes. Generated days
        # number from day x 10^7, the measurements' own calls above them.
        self.numbers = (f"+1{n:010d}" for n in itertools.count(9 * 10**9))

    @classmethod
    def new(cls, org: str, rng: random.Random) -> World:
        def ids(n: int) -> list[str]:
            return [uuid.uuid4().hex for _ in range(n)]

        return cls(org, ids(FLOOR_AGENTS), ids(QUEUES), ids(CAMPAIGNS), rng)

    def ids(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "agents": self.agents,
            "queues": self.queues,
            "campaigns": self.campaigns,
            "sales": sorted(self.sales),
            "right_party": sorted(self.right_party),
        }


def _call(w: World, at: datetime) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], Any]:
    """One call row, its applied changes and its record (as the reader would build it)."""
    from omnivox.reporting.facts import CallRecord, Change
    from omnivox.reporting.sources import number_used

    rng = w.rng
    cid = f"{rng.getrandbits(128):032x}"
    inbound = rng.random() < 0.5
    agent: str | None = rng.choice(w.callers)
    # (offset s, state, trigger); ``end`` is the offset the call ends at, ``answer`` the
    # offset the provider answered at.
    steps: list[tuple[float, str, str]]
    if inbound:
        wait = rng.uniform(1, 120)
        steps = [(0, "answered_human", "provider_answered")]
        owner = ("queue", rng.choice(w.queues))
        answer: float | None = 0
        if rng.random() < 0.1:
            steps.append((wait, "abandoned", "provider_completed"))
            agent, state, reason, disp = None, "abandoned", "abandoned", None
            end = wait
        else:
            talk = rng.uniform(30, 600)
            steps.append((wait, "connected", "agent_connected"))
            if rng.random() < 0.2:
                steps += [
                    (wait + talk / 2, "on_hold", "hold"),
                    (wait + talk / 2 + 30, "connected", "resume"),
                ]
                talk += 30
            end = wait + talk
            steps += [
                (end, "wrap_up", "provider_completed"),
                (end + rng.uniform(0, 60), "completed", "disposition"),
            ]
            state, reason = "completed", "customer_hangup"
            disp = rng.choice(["SALE", "NOT_INTERESTED", "CALLBACK"])
    else:
        ring = rng.uniform(3, 30)
        steps = [(0, "dialing", "dial_placed")]
        owner = ("campaign", rng.choice(w.campaigns))
        answer = ring
        luck = rng.random()
        if luck < 0.2:
            steps += [
                (ring, "answered_machine", "provider_answered_machine"),
                (ring + 1, "completed", "system_hangup"),
            ]
            agent, state, reason, disp = None, "completed", "machine", None
            end = ring + 1
        elif luck < 0.23:
            steps += [
                (ring, "answered_human", "provider_answered"),
                (ring + 2, "abandoned", "system_hangup"),
            ]
            agent, state, reason, disp = None, "abandoned", "abandoned", None
            end = ring + 2
        else:
            talk = rng.uniform(20, 400)
            end = ring + talk
            steps += [
                (ring, "answered_human", "provider_answered"),
                (ring, "connected", "agent_connected"),
                (end, "wrap_up", "agent_hung_up"),
                (end + rng.uniform(0, 60), "completed", "disposition"),
            ]
            state, reason = "completed", "agent_hangup"
            disp = rng.choice(["SALE", "NOT_INTERESTED", "CALLBACK"])
    ended = at + timedelta(seconds=end)
    answered_at = at + timedelta(seconds=answer) if answer is not None else None
    direction = "inbound" if inbound else "outbound"
    row = (
        cid,
        w.org,
        direction,
        owner[0],
        owner[1],
        state,
        w.provider,
        *((next(w.numbers), "+14155550199") if inbound else ("+14155550100", next(w.numbers))),
        agent,
        f"ovx-{cid}",
        answered_at,
        at,
        ended,
        reason,
        disp,
        False,
        at,
        1,
    )
    org = w.org
    events, changes, previous = [], [], "ringing" if inbound else "queued"
    for offset, to_state, trig in steps:
        when = at + timedelta(seconds=offset) if offset else at
        events.append((cid, org, when, when, trig, trig, previous, to_state, True, "{}"))
        changes.append(Change(when, to_state, trig))
        previous = to_state
    record = CallRecord(
        id=cid,
        organization_id=org,
        direction=direction,
        owner_kind=owner[0],
        owner_id=owner[1],
        state=state,
        agent_id=agent,
        answered_at=answered_at,
        created_at=at,
        ended_at=ended,
        end_reason=reason,
        disposition=disp,
        changes=tuple(changes),
        is_sale=disp in w.sales,
        right_party=disp in w.right_party,
        number=number_used(direction, row[7], row[8]),
    )
    return row, events, record


class Store:
    """Bulk writes: COPY on PostgreSQL, executemany on SQLite (values as SQLAlchemy
    stores them there: UTC datetimes as text)."""

    def __init__(self, backend: str, url: str) -> None:
        self.backend, self.url = backend, url
        self.pg: Any = None
        self.lite: sqlite3.Connection | None = None

    async def open(self) -> None:
        if self.backend == "postgres":
            import asyncpg

            self.pg = await asyncpg.connect(self.url.replace("+asyncpg", ""))
            # A crash loses the benchmark's data, never anything else's.
            await self.pg.execute("SET synchronous_commit TO OFF")
        else:
            self.lite = sqlite3.connect(self.url.split("///", 1)[1], timeout=60)
            self.lite.execute("PRAGMA synchronous=OFF")

    async def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.pg is not None:
            await self.pg.copy_records_to_table(table, columns=list(columns), records=rows)
            return
        assert self.lite is not None
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        self.lite.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - our own names
            [tuple(_lite(v) for v in r) for r in rows],
        )

    async def execute(self, sql: str) -> None:
        if self.pg is not None:
            await self.pg.execute(sql)
        else:
            assert self.lite is not None
            self.lite.execute(sql)

    async def close(self, analyze: bool = True) -> None:
        if self.pg is not None:
            if analyze:
                await self.pg.execute("ANALYZE")
            await self.pg.close()
        if self.lite is not None:
            self.lite.commit()
            if analyze:
                self.lite.execute("ANALYZE")
            self.lite.close()


def _lite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _counter_columns(rollup: Any) -> tuple[list[str], frozenset[str]]:
    """The rollup's counter columns in order, and those that hold integers."""
    from sqlalchemy import Integer

    from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS

    table = rollup.table.__table__
    counters = [*SUM_COLUMNS, *MAX_COLUMNS]
    return counters, frozenset(c for c in counters if isinstance(table.c[c].type, Integer))


def _cell_rows(
    rollup: Any, cells: dict[tuple[Any, ...], dict[str, float]], before: datetime | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The rollup's rows for the cells that start before ``before`` (all: None); those
    are taken out of ``cells``."""
    counters, whole = _counter_columns(rollup)
    done = [k for k in cells if before is None or k[1] < before]
    rows = []
    for key in done:
        values = cells.pop(key)
        rows.append((*key, *(int(values[c]) if c in whole else values[c] for c in counters)))
    return ["organization_id", "interval_start", *rollup.keys, *counters], rows


def _generate_days(
    backend: str, url: str, ids: dict[str, Any], days: tuple[int, int], calls: int, of: int
) -> dict[tuple[Any, ...], dict[str, float]]:
    """A worker process: ``_write_days`` on its own connection."""
    return asyncio.run(_write_days(backend, url, ids, days, calls, of))


async def _write_days(
    backend: str, url: str, ids: dict[str, Any], days: tuple[int, int], calls: int, of: int
) -> dict[tuple[Any, ...], dict[str, float]]:
    """Generate and write the calls of days ``days[0]`` to ``days[1]`` (excluded) of
    ``of`` (``calls`` in all, spread evenly), their changes, their counted marks and the
    finest call rollup's cells, from the engine's own fact code. Each day draws from its
    own seed, so the data does not depend on how the days are shared out. Returns the
    cells from the day after the last on (calls running past midnight), which the next
    days' calls add to: the caller adds them to what is written."""
    from omnivox.reporting.facts import call_fact, merge
    from omnivox.reporting.models import CALL_ROLLUPS
    from omnivox.reporting.upkeep import cell_of

    fine = CALL_ROLLUPS[0]
    per_day, extra = divmod(calls, of)
    store = Store(backend, url)
    await store.open()
    cells: dict[tuple[Any, ...], dict[str, float]] = {}
    rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    counted: list[tuple[Any, ...]] = []

    async def flush() -> None:
        await store.write("calls", CALL_COLUMNS, rows)
        await store.write("call_events", EVENT_COLUMNS, events)
        await store.write("report_counted_calls", COUNTED_COLUMNS, counted)
        for done in (rows, events, counted):
            done.clear()

    for d in range(*days):
        w = World(**ids, rng=random.Random(f"omnivox-bench:{d}"))
        w.numbers = (f"+1{n:010d}" for n in itertools.count(d * 10_000_000))
        day = START + timedelta(days=d)
        offsets = sorted(w.rng.uniform(0, 86400) for _ in range(per_day + (d < extra)))
        for offset in offsets:
            row, evs, record = _call(w, day + timedelta(seconds=offset))
            rows.append(row)
            events += evs
            fact = call_fact(record)
            counted.append((record.id, w.org, fact.key.interval_start))
            cell = cell_of(fine, fact.key)
            into = cells.get(cell)
            if into is None:
                cells[cell] = fact.values
            else:
                merge(into, fact.values)
            if len(rows) >= FLUSH_CALLS:
                await flush()
        await flush()
        # Later days' calls end from the next day on: every cell before it is complete.
        await store.write(fine.name, *_cell_rows(fine, cells, day + timedelta(days=1)))
        # Progress of a long generation (10 M calls take minutes), from each worker.
        print(f"  day {d + 1} of {of} written ({len(offsets)} calls)", file=sys.stderr, flush=True)
    await store.close(analyze=False)
    return cells


async def _defer_indexes(store: Store) -> list[str]:
    """Drop the indexes and constraints of ``LOADED_TABLES`` (and foreign keys pointing
    at them); return the statements that put each back as it was."""
    tables = list(LOADED_TABLES)
    if store.pg is not None:
        pg = store.pg
        constraints = await pg.fetch(
            """SELECT conrelid::regclass::text AS tbl, conname, contype,
                      pg_get_constraintdef(oid) AS def
               FROM pg_constraint
               WHERE contype IN ('p', 'u', 'f')
                 AND (conrelid::regclass::text = ANY($1) OR confrelid::regclass::text = ANY($1))
               ORDER BY contype = 'f' DESC""",
            tables,
        )
        indexes = await pg.fetch(
            """SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
               FROM pg_index i
               LEFT JOIN pg_constraint c
                 ON c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')
               WHERE i.indrelid::regclass::text = ANY($1) AND c.oid IS NULL""",
            tables,
        )
        for c in constraints:  # foreign keys first: they lean on the unique ones
            await pg.execute(f'ALTER TABLE {c["tbl"]} DROP CONSTRAINT "{c["conname"]}"')
        for i in indexes:
            await pg.execute(f"DROP INDEX {i['name']}")
        back = [i["def"] for i in indexes]
        back += [
            f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}'
            for c in reversed(constraints)  # unique ones before the foreign keys on them
        ]
        return back
    assert store.lite is not None
    marks = ", ".join("?" for _ in tables)
    found = store.lite.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608
        f" AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    for name, _ in found:
        store.lite.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _coarse_sql(backend: str, rollup: Any) -> str:
    """Fill a coarser call rollup from the finest one: the same counters summed (maxima
    kept) over the keys it drops, per its own grain."""
    from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS
    from omnivox.reporting.intervals import HOUR
    from omnivox.reporting.models import CALL_ROLLUPS

    start = "interval_start"
    if rollup.grain == HOUR:
        start = (
            "date_trunc('hour', interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
            if backend == "postgres"
            else "substr(interval_start, 1, 13) || ':00:00.000000'"
        )
    keys = ", ".join(rollup.keys)
    sums = [f"sum({c})" for c in SUM_COLUMNS] + [f"max({c})" for c in MAX_COLUMNS]
    return (
        f"INSERT INTO {rollup.name} (organization_id, interval_start, {keys},"  # noqa: S608
        f" {', '.join([*SUM_COLUMNS, *MAX_COLUMNS])})"
        f" SELECT organization_id, {start} AS s, {keys}, {', '.join(sums)}"
        f" FROM {CALL_ROLLUPS[0].name} GROUP BY organization_id, s, {keys}"
    )


async def _seed(backend: str, url: str, calls: int, days: int, workers: int) -> World:
    from sqlalchemy import insert

    from omnivox.accounts import organizations
    from omnivox.accounts.models import User
    from omnivox.accounts.schemas import OrganizationCreate
    from omnivox.agents import AgentStatus
    from omnivox.campaigns import Campaign
    from omnivox.core.db import create_engine, create_session_factory, upgrade_database
    from omnivox.core.security.principal import Principal
    from omnivox.reporting.agent_time import login_cells, state_cells
    from omnivox.reporting.models import CALL_ROLLUPS
    from omnivox.reporting.sources import disposition_codes
    from omnivox.reporting.upkeep import add_cells, state_rows
    from omnivox.routing import Queue

    upgrade_database(url)
    engine = create_engine(url)
    async with create_session_factory(engine)() as s:
        org = (
            await organizations.create_organization(
                s,
                Principal.system(""),
                OrganizationCreate(slug="bench", name="Bench", timezone=ZONE),
            )
        ).id
        w = World.new(org, random.Random(16))
        codes = await disposition_codes(s, org)
        w.sales, w.right_party = codes.sales, codes.right_party
        now = datetime.now(UTC)
        await s.execute(
            insert(User),
            [
                {
                    "id": a,
                    "organization_id": org,
                    "email": f"a{i}@bench.example.com",
                    "name": f"Agent {i:04d}",
                    "role": "agent",
                    "password_hash": "x",
                }
                for i, a in enumerate(w.agents)
            ],
        )
        states = ["available", "on_call", "wrap_up", "break", "reserved"]
        await s.execute(
            insert(AgentStatus),
            [
                {
                    "organization_id": org,
                    "user_id": a,
                    "state": states[i % len(states)],
                    "reason": "lunch" if states[i % len(states)] == "break" else None,
                    "since": now - timedelta(seconds=i),
                }
                for i, a in enumerate(w.agents)
            ],
        )
        await s.execute(
            insert(Queue),
            [
                {"id": q, "organization_id": org, "name": f"Queue {i}"}
                for i, q in enumerate(w.queues)
            ],
        )
        for i, c in enumerate(w.campaigns):
            s.add(
                Campaign(
                    id=c,
                    organization_id=org,
                    name=f"Campaign {i}",
                    dial_mode="predictive",
                    status="active",
                    window_start=datetime.min.time(),
                    window_end=datetime.max.time().replace(microsecond=0),
                    amd_false_positive_estimate=Decimal("0"),
                    abandon_rate_cap=Decimal("0.03"),
                    abandon_window_hours=24,
                )
            )
        await s.commit()

    store = Store(backend, url)
    await store.open()
    restore = await _defer_indexes(store)
    started = time.perf_counter()
    # The calls: contiguous runs of days, one per worker process on PostgreSQL (each its
    # own connection); SQLite takes one writer, so it is written here.
    fine = CALL_ROLLUPS[0]
    if backend == "postgres" and workers > 1:
        import concurrent.futures
        import multiprocessing

        cuts = [round(days * i / workers) for i in range(workers + 1)]
        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            loop = asyncio.get_running_loop()
            parts = await asyncio.gather(
                *(
                    loop.run_in_executor(
                        pool, _generate_days, backend, url, w.ids(), (a, b), calls, days
                    )
                    for a, b in itertools.pairwise(cuts)
                    if a < b
                )
            )
    else:
        parts = [await _write_days(backend, url, w.ids(), (0, days), calls, days)]
    took = time.perf_counter() - started
    print(f"  calls written in {took:.1f} s ({int(calls / took)} calls/s)")
    t0 = time.perf_counter()
    if store.pg is not None:
        await store.pg.execute("SET maintenance_work_mem TO '512MB'")
    for statement in restore:
        await store.execute(statement)
    print(f"  indexes and constraints built in {time.perf_counter() - t0:.1f} s")
    # Cells a run of days left to the next one's calls: added to what that run wrote.
    from omnivox.reporting.facts import MAX_COLUMNS

    counters, whole = _counter_columns(fine)
    leftovers: dict[tuple[Any, ...], dict[str, float]] = {}
    for part in parts:
        for cell, values in part.items():
            into = leftovers.setdefault(cell, dict.fromkeys(counters, 0.0))
            for c in counters:
                into[c] = max(into[c], values[c]) if c in MAX_COLUMNS else into[c] + values[c]
    if store.lite is not None:
        store.lite.commit()
    async with create_session_factory(engine)() as s:
        typed = {k: {c: int(v[c]) if c in whole else v[c] for c in v} for k, v in leftovers.items()}
        await add_cells(s, {fine: typed})
        await s.commit()
    await engine.dispose()
    for rollup in CALL_ROLLUPS[1:]:
        await store.execute(_coarse_sql(backend, rollup))
    # The numbers and codes the finest rollup names, as the upkeep keeps them (``add_cells``).
    await store.execute(
        "INSERT INTO report_numbers (organization_id, number) SELECT DISTINCT"
        " organization_id, number FROM report_call_intervals WHERE number <> ''"
        " ON CONFLICT DO NOTHING"  # the leftovers' numbers are there (add_cells)
    )
    await store.execute(
        "INSERT INTO report_dispositions (organization_id, disposition) SELECT DISTINCT"
        " organization_id, disposition FROM report_call_intervals WHERE disposition <> ''"
        " ON CONFLICT DO NOTHING"
    )

    # A shift a day per agent taking calls: available 8 h with a 30-minute break.
    history = []
    for a in w.callers:
        seq = 0
        for d in range(days):
            day = START + timedelta(days=d, hours=13)
            shift = [(0, "available", None), (4, "break", "lunch"), (4.5, "available", None)]
            for h, st, why in [*shift, (8, "offline", None)]:
                seq += 1
                at = day + timedelta(hours=h)
                history.append((uuid.uuid4().hex, org, a, "offline", st, why, at, "self", seq))
    await store.write("agent_state_history", HISTORY_COLUMNS, history)

    class _Row:
        __slots__ = ("at", "reason", "to_state", "user_id")

        def __init__(self, r: tuple[Any, ...]) -> None:
            self.user_id, self.to_state, self.reason, self.at = r[2], r[4], r[5], r[6]

    changes = [_Row(r) for r in history]
    end = START + timedelta(days=days + 1)
    found, logins = state_cells(changes, START, end), login_cells(changes, START, end)
    for table, srows in state_rows(org, found, logins):
        columns = list(srows[0]) if srows else []
        await store.write(str(table.__tablename__), columns, [tuple(r.values()) for r in srows])
    # Complete: a reused database is the one whose mark is there.
    await store.execute("CREATE TABLE bench_generated (world TEXT NOT NULL)")
    mark = json.dumps(w.ids())
    if store.pg is not None:
        await store.pg.execute("INSERT INTO bench_generated VALUES ($1)", mark)
    else:
        assert store.lite is not None
        store.lite.execute("INSERT INTO bench_generated VALUES (?)", (mark,))
    await store.close()
    print(f"  loaded in {time.perf_counter() - started:.1f} s from the first call")
    return w


async def _generated(backend: str, url: str) -> World | None:
    """The world of a complete generated database at ``url``, else None."""
    store = Store(backend, url)
    try:
        await store.open()
        if store.pg is not None:
            mark = await store.pg.fetchval("SELECT world FROM bench_generated")
        else:
            assert store.lite is not None
            found = store.lite.execute("SELECT world FROM bench_generated").fetchone()
            mark = found[0] if found else None
    except Exception:  # noqa: BLE001 - no database, or no mark: not complete
        return None
    finally:
        await store.close(analyze=False)
    if not mark:
        return None
    ids = json.loads(mark)
    return World(**ids, rng=random.Random())


async def _forget_measured(url: str, org: str) -> int:
    """Take the calls an earlier run's measurements added out of a reused database, and
    recount the hours they were counted in from the raw rows that remain."""
    from sqlalchemy import text

    from omnivox.core.db import create_engine, create_session_factory
    from omnivox.reporting import rebuild
    from omnivox.reporting.intervals import as_utc

    engine = create_engine(url)
    async with create_session_factory(engine)() as s:
        mine = "SELECT id FROM calls WHERE provider = :p"
        p = {"p": MEASURED_PROVIDER}
        lo, hi = (
            await s.execute(
                text(
                    "SELECT min(interval_start), max(interval_start) FROM report_counted_calls"  # noqa: S608
                    f" WHERE call_id IN ({mine})"
                ),
                p,
            )
        ).one()
        gone = 0
        # Tallies count what is there: the removed calls too (the measurement tallies).
        await s.execute(text("DELETE FROM dialer_window_tallies"))
        await s.execute(text("DELETE FROM dialer_window_marks"))
        for table, column in (
            ("call_events", "call_id"),
            ("report_counted_calls", "call_id"),
            ("calls", "id"),
        ):
            done = await s.execute(
                text(f"DELETE FROM {table} WHERE {column} IN ({mine})"),  # noqa: S608
                p,
            )
            gone = getattr(done, "rowcount", 0)
        if lo is not None:
            lo = datetime.fromisoformat(lo) if isinstance(lo, str) else lo
            hi = datetime.fromisoformat(hi) if isinstance(hi, str) else hi
            await rebuild(s, org, as_utc(lo), as_utc(hi) + timedelta(minutes=15))
        await s.commit()
    await engine.dispose()
    return gone


async def _prepare(
    backend: str, url: str, calls: int, days: int, workers: int, reuse: bool
) -> tuple[World, float | None]:
    """The generated world: the kept one at ``url`` when reusing and it is complete
    (its load seconds: None), else generated now."""
    if reuse:
        found = await _generated(backend, url)
        if found is not None:
            from omnivox.core.db import upgrade_database

            upgrade_database(url)  # tables added since it was generated
            gone = await _forget_measured(url, found.org)
            print(f"  reusing the generated database ({gone} calls of an earlier run removed)")
            found.provider = MEASURED_PROVIDER
            return found, None
    t0 = time.perf_counter()
    w = await _seed(backend, url, calls, days, workers)
    # Whatever is generated from here on is the measurements' own.
    w.rng, w.provider = random.Random(), MEASURED_PROVIDER
    return w, time.perf_counter() - t0


# --- measuring -----------------------------------------------------------------------


def _loadavg() -> str:
    """The machine's load when measured (figures from a shared machine mean little
    without it)."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def _pct(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)] * 1000, 2),
        "runs": len(ordered),
    }


async def _timed(
    runs: int, work: Callable[[], Awaitable[Any]], warm: bool = False
) -> tuple[dict[str, float], Any]:
    """``work`` run ``runs`` times; ``warm``: once more first, untimed (a live wallboard is
    rebuilt every few seconds, so its statements are compiled and its pages cached)."""
    samples, result = [], None
    if warm:
        await work()
    for _ in range(runs):
        t0 = time.perf_counter()
        result = await work()
        samples.append(time.perf_counter() - t0)
    return _pct(samples), result


@contextmanager
def _raw_windows() -> Iterator[None]:
    """The dialler's legal windows counted from the calls alone, as before the tallies."""
    from omnivox.dialer import floor

    saved = floor.marks_of

    async def none(*_: Any) -> dict[str, Any]:
        return {}

    floor.marks_of = none  # type: ignore[assignment]
    try:
        yield
    finally:
        floor.marks_of = saved  # type: ignore[assignment]


@contextmanager
def _fine_only() -> Iterator[None]:
    """The engine as it read before the coarser rollups: the 15-minute full-key table."""
    from omnivox.reporting import query
    from omnivox.reporting.models import CALL_ROLLUPS

    saved = query.CALL_ROLLUPS, query.hour_ranges
    query.CALL_ROLLUPS = CALL_ROLLUPS[:1]  # type: ignore[misc]
    query.hour_ranges = lambda *_: []  # type: ignore[assignment]
    try:
        yield
    finally:
        query.CALL_ROLLUPS, query.hour_ranges = saved  # type: ignore[misc]


async def _upkeep(
    backend: str, url: str, w: World, days: int, sessions: Any, settings: Any
) -> dict[str, Any]:
    """Step 3. Per ended call, amortised over its batch: each batch's time divided by its
    size (``batcher.count_batch``, one transaction), at the default batch size and at 20,
    interleaved with today's per-call path (``add_ended_call``, a transaction per call) on
    as many other calls, so both see the same machine load. Then the delay from a call's
    end to its batch being counted, through the ``CallBatcher`` with the default settings,
    calls ending every 2 ms (500 a second)."""
    from omnivox.core.clock import SystemClock
    from omnivox.core.events import InProcessBus
    from omnivox.reporting import add_ended_call
    from omnivox.reporting.batcher import CallBatcher, count_batch
    from omnivox.reporting.events import CallsCounted

    size = settings.report_upkeep_batch_size
    runs = 15 if backend == "postgres" else 6  # batches of each size
    plan = [size] * runs + [20] * runs
    n_stream = 2000 if backend == "postgres" else 600
    needed = 2 * sum(plan) + n_stream
    last = START + timedelta(days=days - 1, hours=12)
    fresh = [_call(w, last + timedelta(seconds=i)) for i in range(needed)]
    store = Store(backend, url)
    await store.open()
    await store.write("calls", CALL_COLUMNS, [r for r, _, _ in fresh])
    await store.write("call_events", EVENT_COLUMNS, [e for _, evs, _ in fresh for e in evs])
    await store.close()
    ids = iter([r[0] for r, _, _ in fresh])
    org = w.org

    per_batch: dict[int, list[float]] = {size: [], 20: []}
    alone: list[float] = []
    for n in plan:
        batch = {next(ids): org for _ in range(n)}
        t0 = time.perf_counter()
        counted = await count_batch(sessions, batch)
        per_batch[n].append((time.perf_counter() - t0) / n)
        assert len(counted[org]) == n
        for _ in range(n):  # as many calls one at a time, as the upkeep counted before
            t0 = time.perf_counter()
            assert await add_ended_call(sessions, org, next(ids))
            alone.append(time.perf_counter() - t0)

    bus = InProcessBus()
    added: dict[str, float] = {}
    delays: list[float] = []
    sizes: list[int] = []

    async def on_counted(event: CallsCounted) -> None:
        now = time.perf_counter()
        sizes.append(len(event.call_ids))
        delays.extend(now - added[c] for c in event.call_ids)

    bus.subscribe(CallsCounted, on_counted)
    delay = settings.report_upkeep_batch_ms / 1000
    batcher = CallBatcher(sessions, bus, SystemClock(), size=size, delay_seconds=delay)
    for _ in range(n_stream):
        call_id = next(ids)
        added[call_id] = time.perf_counter()
        batcher.add(org, call_id)
        await asyncio.sleep(0.002)
    await batcher.stop()
    assert len(delays) == n_stream
    return _pct(per_batch[size]) | {
        "what": f"batch time / batch size, batches of {size}",
        "batches_of_20": _pct(per_batch[20]),
        "baseline": _pct(alone) | {"what": "today's path: one transaction per call"},
        "end_to_counted": _pct(delays)
        | {
            "what": f"500 calls/s through the batcher, {size} calls or {delay * 1000:.0f} ms",
            "mean_batch": round(statistics.mean(sizes), 1),
        },
    }


async def _tally(sessions: Any, org: str, now: datetime) -> dict[str, Any]:
    """The dialler's window tally job as a live floor runs it: its first run (every
    campaign's window so far), then a run a slot (15 minutes) later: the job runs every
    minute, and the tallies move a slot at a time."""
    from omnivox.dialer.window_tally import tally_windows

    out: dict[str, Any] = {}
    for what, at in (("first_run", now - timedelta(minutes=15)), ("next_slot", now)):
        async with sessions() as s:
            t0 = time.perf_counter()
            tallied = await tally_windows(s, org, at)
            await s.commit()
            out[what] = {"seconds": round(time.perf_counter() - t0, 3), "calls": tallied}
    return out


async def _previous_wallboard(session: Any, org: str, now: datetime, settings: Any) -> Any:
    """The wallboard's live tiles as they were built: ``queue_stats`` per queue, every
    agent loaded as objects, and per active campaign the campaign page's figures (every
    call it ever made counted, AMD accuracy and delay, its legal window), then today's
    three reports as now."""
    from omnivox.agents import floor_agents
    from omnivox.campaigns import list_campaigns
    from omnivox.dialer import campaign_figures
    from omnivox.reporting import ReportRequest, run_report
    from omnivox.reporting.wallboard_figures import CAMPAIGN_TODAY, FLOOR_TODAY, QUEUE_TODAY
    from omnivox.routing import list_queues, queue_stats

    today = now.astimezone(ZoneInfo(ZONE)).date()
    for metrics, by in ((QUEUE_TODAY, ("queue",)), (CAMPAIGN_TODAY, ("campaign",))):
        await run_report(session, org, ReportRequest(metrics, today, today, by), settings)
    await run_report(session, org, ReportRequest(FLOOR_TODAY, today, today), settings)
    queues = {
        q.id: await queue_stats(session, org, q, now) for q in await list_queues(session, org)
    }
    agents = await floor_agents(session, org, now, floor=True)
    campaigns = {
        c.id: await campaign_figures(session, c, now, settings.amd_delay_sample_calls)
        for c in await list_campaigns(session, org)
        if c.status in ("active", "paused")
    }
    return queues, agents, campaigns


def _same_tiles(board: dict[str, Any], previous: Any) -> bool:
    """The new snapshot's live tiles equal what the previous path computed."""
    queues, agents, campaigns = previous
    same_queues = all(
        (t["waiting"], t["agents_available"])
        == (queues[t["id"]].waiting, queues[t["id"]].agents_available)
        for t in board["queues"]
    )
    same_agents = [(p["user_id"], p["state"], p["line"]) for p in board["agents"]["people"]] == [
        (a.user_id, a.state.value, a.line) for a in agents
    ]
    same_campaigns = {t["id"] for t in board["campaigns"]} == set(campaigns) and all(
        (t["abandon_rate"], t["at_cap"], t["lines_per_agent"])
        == (
            campaigns[t["id"]]["abandon_rate"],
            campaigns[t["id"]]["at_cap"],
            campaigns[t["id"]]["dial_ratio"],
        )
        for t in board["campaigns"]
    )
    return same_queues and same_agents and same_campaigns


def _naive_sql(dialect: str, sales: Sequence[str]) -> tuple[str, str]:
    """Per agent, the totals of the agent performance template straight from raw rows:
    time in each call state from consecutive applied changes, and agent state time
    clipped to the range."""
    from omnivox.telephony import TERMINAL_STATES

    if dialect == "postgresql":
        dur = "EXTRACT(EPOCH FROM ({b} - {a}))"
        least, greatest = "least", "greatest"
    else:
        dur = "((julianday({b}) - julianday({a})) * 86400.0)"
        least, greatest = "min", "max"
    step = dur.format(a="at", b="next_at")
    ended = ", ".join(f"'{s.value}'" for s in TERMINAL_STATES)
    sale = ", ".join(f"'{s}'" for s in sales) or "''"
    calls = f"""
WITH ch AS (
  SELECT e.call_id, e.to_state, e.trigger, e.at,
         lead(e.at) OVER (PARTITION BY e.call_id ORDER BY e.at, e.id) AS next_at
  FROM call_events e JOIN calls c ON c.id = e.call_id
  WHERE c.organization_id = :org AND c.ended_at >= :lo AND c.ended_at < :hi
    AND c.state IN ({ended}) AND e.applied
), per_call AS (
  SELECT call_id,
    max(CASE WHEN to_state = 'connected' THEN 1 ELSE 0 END) AS handled,
    sum(CASE WHEN to_state IN ('connected', 'transferring', 'in_conference')
        THEN coalesce({step}, 0) ELSE 0 END) AS talk,
    sum(CASE WHEN to_state = 'on_hold' THEN coalesce({step}, 0) ELSE 0 END) AS hold,
    sum(CASE WHEN to_state = 'wrap_up' THEN coalesce({step}, 0) ELSE 0 END) AS wrap,
    sum(CASE WHEN trigger IN ('transfer_completed', 'transfer_completed_to_queue')
        THEN 1 ELSE 0 END) AS transfers
  FROM ch GROUP BY call_id
)
SELECT coalesce(c.agent_id, '') AS agent, sum(p.handled) AS handled,
  sum(p.handled * p.talk) AS talk_seconds, sum(p.handled * p.hold) AS hold_seconds,
  sum(p.handled * p.wrap) AS wrap_seconds, sum(p.transfers) AS transfers,
  sum(CASE WHEN p.handled = 1 AND c.disposition_code IN ({sale}) THEN 1 ELSE 0 END)
    AS conversions
FROM calls c JOIN per_call p ON p.call_id = c.id GROUP BY 1
"""  # noqa: S608 - the only values interpolated are our own constants
    clip = dur.format(a=f"{greatest}(at, :lo)", b=f"{least}(next_at, :hi)")
    states = f"""
SELECT user_id, to_state, sum({clip}) AS seconds FROM (
  SELECT user_id, to_state, at,
         lead(at) OVER (PARTITION BY user_id ORDER BY at, seq) AS next_at
  FROM agent_state_history
  WHERE organization_id = :org AND at >= :lo_early AND at < :hi_late
) spans
WHERE to_state <> 'offline' AND next_at IS NOT NULL AND next_at > :lo AND at < :hi
GROUP BY 1, 2
"""  # noqa: S608
    return calls, states


async def _naive_agent_performance(
    session: Any, org: str, bounds: tuple[datetime, datetime], metrics: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The template's figures per agent computed from raw rows (same formulas)."""
    from sqlalchemy import text

    from omnivox.reporting import METRICS
    from omnivox.reporting.query import _format
    from omnivox.reporting.sources import sale_codes

    dialect = (await session.connection()).dialect.name
    calls_sql, states_sql = _naive_sql(dialect, sorted(await sale_codes(session, org)))
    lo, hi = bounds
    params = {"org": org, "lo": lo, "hi": hi}
    if dialect != "postgresql":
        params = {k: _lite(v) for k, v in params.items()}
    totals: dict[str, dict[str, float]] = {}
    for r in (await session.execute(text(calls_sql), params)).mappings():
        totals.setdefault(r["agent"], {}).update({k: float(r[k] or 0) for k in r if k != "agent"})
    wide = {"lo_early": lo - timedelta(days=1), "hi_late": hi + timedelta(days=1)}
    wide = wide if dialect == "postgresql" else {k: _lite(v) for k, v in wide.items()}
    for r in (await session.execute(text(states_sql), params | wide)).mappings():
        into = totals.setdefault(r["user_id"], {})
        into[f"state:{r['to_state']}"] = float(r["seconds"] or 0)
    return {
        agent: {m: _format(METRICS[m], METRICS[m].compute(t)) for m in metrics}
        for agent, t in totals.items()
    }


def _same(
    engine_rows: list[dict[str, Any]], naive: dict[str, dict[str, Any]], metrics: Sequence[str]
) -> str:
    mismatched = 0
    for row in engine_rows:
        theirs = naive.get(row["agent_id"] or "", {})
        for m in metrics:
            a, b = row[m], theirs.get(m)
            if (a is None) != (b is None) or (
                a is not None and abs(float(a) - float(b)) > 0.011 * max(1.0, abs(float(a)))
            ):
                mismatched += 1
    return f"{len(engine_rows)} agents x {len(metrics)} figures, {mismatched} differ"


async def _measure(
    backend: str, url: str, calls: int, days: int, workers: int, reuse: bool
) -> dict[str, Any]:
    from sqlalchemy import select

    from omnivox.core.config import Settings
    from omnivox.core.db import create_engine, create_session_factory
    from omnivox.reporting import ReportRequest, get_template, rebuild, run_report
    from omnivox.reporting.models import CALL_ROLLUPS, AgentStateHour, AgentStateInterval
    from omnivox.reporting.query import local_bounds
    from omnivox.reporting.wallboard import build_snapshot
    from omnivox.reporting.wallboard_figures import CAMPAIGN_TODAY, FLOOR_TODAY, QUEUE_TODAY

    w, loaded = await _prepare(backend, url, calls, days, workers, reuse)
    out: dict[str, Any] = {
        "backend": backend,
        "calls": calls,
        "days": days,
        "generate_and_load_seconds": None if loaded is None else round(loaded, 1),
        "generate_calls_per_s": None if loaded is None else int(calls / loaded),
    }
    if loaded is not None:
        print(f"  generated and loaded in {loaded:.1f} s ({out['generate_calls_per_s']} calls/s)")
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    org = w.org

    # Rebuild one day from raw rows: same rows as the generation wrote.
    day_lo = START + timedelta(days=min(3, days - 1))
    day_hi = day_lo + timedelta(days=1)
    tables: list[Any] = [r.table for r in CALL_ROLLUPS] + [AgentStateInterval, AgentStateHour]

    async def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        found = {}
        async with sessions() as s:
            for t in tables:
                stmt = select(t.__table__).where(
                    t.__table__.c.organization_id == org,
                    t.__table__.c.interval_start >= day_lo,
                    t.__table__.c.interval_start < day_hi,
                )
                found[t.__tablename__] = sorted(
                    tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                    for r in (await s.execute(stmt)).all()
                )
        return found

    generated = await snapshot()
    async with sessions() as s:
        t0 = time.perf_counter()
        rebuilt_calls = await rebuild(s, org, day_lo, day_hi)
        await s.commit()
        took = time.perf_counter() - t0
    out["rebuild_one_day"] = {
        "calls": rebuilt_calls,
        "seconds": round(took, 2),
        "calls_per_s": int(rebuilt_calls / took) if took else None,
        "same_rows_as_generated": generated == await snapshot(),
    }
    print(f"  rebuild: {out['rebuild_one_day']}")

    # Upkeep: new calls ended on the last day, counted as live upkeep counts them.
    out["upkeep_per_ended_call"] = await _upkeep(backend, url, w, days, sessions, settings)
    print(f"  upkeep: {out['upkeep_per_ended_call']}")

    first = START.date() + timedelta(days=1)
    span = min(30, days - 1)
    perf_t = get_template("agent_performance")
    perf = perf_t.request(first, first + timedelta(days=span - 1))
    qday = get_template("queue_interval").request(
        first + timedelta(days=2), first + timedelta(days=2)
    )
    camp = ReportRequest(
        ("outbound_dials", "live_answers", "outbound_connects", "conversions", "aht"),
        START.date(),
        START.date() + timedelta(days=days - 1),
        by=("campaign",),
        granularity="day",
    )

    async def report(request: ReportRequest) -> Callable[[], Awaitable[Any]]:
        async def go() -> Any:
            async with sessions() as s:
                return await run_report(s, org, request, settings)

        return go

    runs = 7
    # The wallboard's "now": the last minute of the generated data, as on a live floor
    # (no answer after now; the dialler's 24-hour windows hold a day of calls).
    stamp = START + timedelta(days=days) - timedelta(minutes=1)
    out["window_tally"] = await _tally(sessions, org, stamp)
    print(f"  window tally: {out['window_tally']}")

    async def wallboard() -> Any:
        return await build_snapshot(sessions, org, stamp, settings)

    cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("agent_performance_30d", await report(perf)),
        ("queue_interval_1d", await report(qday)),
        ("campaign_by_day_90d", await report(camp)),
        ("wallboard_snapshot_2000_agents", wallboard),
    ]
    results: dict[str, Any] = {}
    for name, work in cases:
        board = name == "wallboard_snapshot_2000_agents"
        # The snapshot is cheap and rebuilt all day: more runs, for a steadier p95.
        figure, results[name] = await _timed(3 * runs if board else runs, work, warm=board)
        with _fine_only():
            baseline, fine_result = await _timed(3 if calls <= 1_000_000 else 2, work)
        if board:
            with _raw_windows():
                raw, raw_result = await _timed(3 * runs, work, warm=True)
            out["wallboard_raw_windows"] = raw | {
                "what": "the same snapshot, legal windows counted from the calls alone",
                "same_snapshot": raw_result == results[name],
            }
        same = (
            fine_result == results[name]
            if name != "wallboard_snapshot_2000_agents"
            else fine_result["queues"] == results[name]["queues"]
        )
        out[name] = figure | {
            "baseline": baseline | {"what": "15-minute full-key rollup only", "same_figures": same}
        }
        print(f"  {name}: {out[name]}")
    people = len(results["wallboard_snapshot_2000_agents"]["agents"]["people"])
    out["wallboard_snapshot_2000_agents"]["agents_on_board"] = people
    # Of the snapshot, the part that is the report engine's (today's three reports); the
    # rest is the live figures of the owning domains (agents, queues, dialler).
    today = stamp.astimezone(ZoneInfo(ZONE)).date()
    asks = [
        ReportRequest(QUEUE_TODAY, today, today, ("queue",)),
        ReportRequest(CAMPAIGN_TODAY, today, today, ("campaign",)),
        ReportRequest(FLOOR_TODAY, today, today),
    ]

    async def engine_part() -> None:
        async with sessions() as s:
            for ask in asks:
                await run_report(s, org, ask, settings)

    engine_figure, _ = await _timed(runs, engine_part, warm=True)
    out["wallboard_snapshot_2000_agents"]["of_which_report_engine"] = engine_figure

    async def previous_wallboard() -> Any:
        with _raw_windows():
            async with sessions() as s:
                return await _previous_wallboard(s, org, stamp, settings)

    previous_figure, previous = await _timed(2 if calls <= 1_000_000 else 1, previous_wallboard)
    out["wallboard_snapshot_2000_agents"]["previous_path"] = previous_figure | {
        "what": "queue_stats per queue, agents as objects, campaign page figures per campaign",
        "same_tiles": _same_tiles(results["wallboard_snapshot_2000_agents"], previous),
        "loadavg": _loadavg(),
    }

    tz_bounds = local_bounds(perf.start, perf.end, ZoneInfo(ZONE))
    naive_runs = 3 if calls <= 1_000_000 else 1
    async with sessions() as s:
        naive_figure, naive = await _timed(
            naive_runs,
            lambda: _naive_agent_performance(s, org, tz_bounds, perf_t.metrics),
        )
    out["agent_performance_30d"]["naive_over_raw_rows"] = naive_figure | {
        "same_figures": _same(results["agent_performance_30d"].rows, naive, perf_t.metrics),
        "times_slower_p50": round(
            naive_figure["p50_ms"] / out["agent_performance_30d"]["p50_ms"], 1
        ),
    }
    await engine.dispose()
    return out


def _print_table(out: dict[str, Any]) -> None:
    print(f"\n{out['backend']}: {out['calls']:,} calls over {out['days']} days")
    print(f"{'figure':<34} {'p50 ms':>9} {'p95 ms':>9} {'target':>9} {'baseline p50/p95 ms':>22}")
    for name, target in TARGETS_MS.items():
        f = out[name]
        base = f["baseline"]
        goal = "< " + str(int(target) if target >= 1 else target)
        print(
            f"{name:<34} {f['p50_ms']:>9} {f['p95_ms']:>9} {goal:>9}"
            f" {str(base['p50_ms']) + ' / ' + str(base['p95_ms']):>22}  ({base['what']})"
        )
    previous = out["wallboard_snapshot_2000_agents"]["previous_path"]
    print(
        f"{'  wallboard, previous path':<34} {previous['p50_ms']:>9} {previous['p95_ms']:>9}"
        f"            (same tiles: {previous['same_tiles']}; load average {previous['loadavg']})"
    )
    raw = out["wallboard_raw_windows"]
    print(
        f"{'  wallboard, windows from calls':<34} {raw['p50_ms']:>9} {raw['p95_ms']:>9}"
        f"            (same snapshot: {raw['same_snapshot']}; no window tallies)"
    )
    tally = out["window_tally"]
    print(
        f"{'  window tally job':<34} first run {tally['first_run']['seconds']} s"
        f" ({tally['first_run']['calls']} calls), next slot {tally['next_slot']['seconds']} s"
        f" ({tally['next_slot']['calls']} calls)"
    )
    part = out["wallboard_snapshot_2000_agents"]["of_which_report_engine"]
    print(
        f"{'  of which the report engine':<34} {part['p50_ms']:>9} {part['p95_ms']:>9}"
        "            (the rest: agents, queues, dialler live figures)"
    )
    naive = out["agent_performance_30d"]["naive_over_raw_rows"]
    print(
        f"{'naive 30-day agent performance':<34} {naive['p50_ms']:>9} {naive['p95_ms']:>9}"
        f" {'>= 50x':>9} {str(naive['times_slower_p50']) + 'x slower':>22}"
        f"  ({naive['same_figures']})"
    )


def _kept_name(url: str, calls: int, days: int) -> str:
    """A kept database's name: its parameters, and a digest of the schema (the newest
    migration) and the generator, so either changing makes a new one."""
    import hashlib

    from alembic.script import ScriptDirectory

    from omnivox.core.db import _alembic_config

    head = ScriptDirectory.from_config(_alembic_config(url)).get_current_head()
    digest = hashlib.sha1(f"{head}:{GENERATOR}".encode()).hexdigest()[:8]  # noqa: S324
    return f"omnivox_bench_reports_{calls}c_{days}d_{digest}"


def _kept_file(calls: int, days: int) -> str:
    kept = os.path.join(tempfile.gettempdir(), "omnivox-bench")
    os.makedirs(kept, exist_ok=True)
    return os.path.join(kept, _kept_name("sqlite://", calls, days) + ".db")


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


async def _main(backend: str, calls: int, days: int, workers: int, reuse: bool) -> None:
    if backend == "sqlite":
        if reuse:
            path = _kept_file(calls, days)
            url = f"sqlite+aiosqlite:///{path}"
            if await _generated(backend, url) is None:
                _remove(path)  # an incomplete one (or none): generated again
            print(f"  database {path}")
            out = await _measure(backend, url, calls, days, workers, reuse)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite+aiosqlite:///{tmp}/bench.db"
                out = await _measure(backend, url, calls, days, workers, reuse)
    else:
        import asyncpg

        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        name = (
            _kept_name(base, calls, days)
            if reuse
            else f"omnivox_bench_reports_{uuid.uuid4().hex[:8]}"
        )
        url = f"{base}/{name}"
        admin = await asyncpg.connect(PG_ADMIN)
        there = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if there and await _generated(backend, url) is None:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # incomplete
            there = None
        if not there:
            await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        print(f"  database {name}")
        try:
            out = await _measure(backend, url, calls, days, workers, reuse)
        finally:
            if not reuse:
                admin = await asyncpg.connect(PG_ADMIN)
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()
    print(json.dumps(out, indent=2, default=str))
    _print_table(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes generating calls (PostgreSQL; SQLite writes from one)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the generated database (named by its parameters) and measure it again"
        " next time instead of generating it anew",
    )
    args = parser.parse_args()
    asyncio.run(_main(args.backend, args.calls, args.days, args.workers, args.reuse))

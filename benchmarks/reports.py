"""Reports benchmark (a first slice of issue 16's): generated calls, with their applied
state changes and agent state history, COPYed into a fresh PostgreSQL database; then

- a rebuild of the whole range from raw records (calls/s);
- the rollup upkeep of one ended call (``add_ended_call``), p50/p95 over new calls;
- a 30-day agent-performance report and one day's queue-interval report through the
  engine, p50/p95, against a naive aggregation over the raw call rows in the same run.

    .venv/bin/python benchmarks/reports.py [--calls 200000] [--days 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

PG_ADMIN = os.environ.get("OMNIVOX_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2026, 1, 5, tzinfo=UTC)
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
EVENT_COLUMNS = (
    "call_id organization_id at recorded_at event trigger from_state to_state applied payload"
)


def _call(
    rng: random.Random,
    org: str,
    agents: list[str],
    queues: list[str],
    camps: list[str],
    at: datetime,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """One call row and its applied changes: inbound handled or abandoned, or outbound."""
    cid = uuid.uuid4().hex
    inbound = rng.random() < 0.5
    steps: list[tuple[float, str, str]]
    agent: str | None = rng.choice(agents)
    if inbound:
        wait = rng.uniform(1, 120)
        steps = [(0, "answered_human", "provider_answered")]
        if rng.random() < 0.1:
            steps.append((wait, "abandoned", "provider_completed"))
            agent, state, reason, disp = None, "abandoned", "abandoned", "ABANDONED"
        else:
            talk = rng.uniform(30, 600)
            steps += [
                (wait, "connected", "agent_connected"),
                (wait + talk, "wrap_up", "provider_completed"),
                (wait + talk + rng.uniform(0, 60), "completed", "disposition"),
            ]
            state, reason, disp = (
                "completed",
                "customer_hangup",
                rng.choice(["SALE", "NOT_INTERESTED"]),
            )
        owner = ("queue", rng.choice(queues))
    else:
        ring = rng.uniform(3, 30)
        steps = [(0, "dialing", "dial_placed"), (ring, "answered_human", "provider_answered")]
        talk = rng.uniform(20, 400)
        steps += [
            (ring, "connected", "agent_connected"),
            (ring + talk, "wrap_up", "agent_hung_up"),
            (ring + talk + rng.uniform(0, 60), "completed", "disposition"),
        ]
        state, reason, disp = "completed", "agent_hangup", rng.choice(["SALE", "CALLBACK"])
        owner = ("campaign", rng.choice(camps))
    ended = next(o for o, s, _ in steps if s in ("wrap_up", "abandoned"))
    row = (
        cid,
        org,
        "inbound" if inbound else "outbound",
        owner[0],
        owner[1],
        state,
        "twilio",
        "+14155550100",
        "+14155550199",
        agent,
        f"ovx-{cid}",
        at,
        at,
        at + timedelta(seconds=ended),
        reason,
        disp,
        False,
        at,
        1,
    )
    events, previous = [], "ringing"
    for offset, to_state, trig in steps:
        when = at + timedelta(seconds=offset)
        events.append((cid, org, when, when, trig, trig, previous, to_state, True, "{}"))
        previous = to_state
    return row, events


async def _seed(url: str, calls: int, days: int) -> tuple[str, list[str], list[str], list[str]]:
    import asyncpg

    from omnivox.accounts import organizations
    from omnivox.accounts.schemas import OrganizationCreate
    from omnivox.core.db import create_engine, create_session_factory, upgrade_database
    from omnivox.core.security.principal import Principal

    upgrade_database(url)
    engine = create_engine(url)
    async with create_session_factory(engine)() as s:
        org = (
            await organizations.create_organization(
                s, Principal.system(""), OrganizationCreate(slug="bench", name="Bench")
            )
        ).id
    await engine.dispose()
    rng = random.Random(16)
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    agents = [uuid.uuid4().hex for _ in range(200)]
    queues = [uuid.uuid4().hex for _ in range(30)]
    camps = [uuid.uuid4().hex for _ in range(20)]
    now = datetime.now(UTC)
    await conn.copy_records_to_table(
        "users",
        columns=[
            "id",
            "organization_id",
            "email",
            "name",
            "role",
            "password_hash",
            "is_active",
            "created_at",
            "updated_at",
            "totp_enabled",
        ],
        records=[
            (a, org, f"a{i}@bench.example.com", f"Agent {i}", "agent", "x", True, now, now, False)
            for i, a in enumerate(agents)
        ],
    )
    span = days * 86400
    for chunk in range(0, calls, 50_000):
        rows, events = [], []
        for _ in range(min(50_000, calls - chunk)):
            row, evs = _call(
                rng, org, agents, queues, camps, START + timedelta(seconds=rng.uniform(0, span))
            )
            rows.append(row)
            events += evs
        await conn.copy_records_to_table("calls", columns=CALL_COLUMNS, records=rows)
        await conn.copy_records_to_table(
            "call_events", columns=EVENT_COLUMNS.split(), records=events
        )
    history = []
    for a in agents:  # a shift a day: available 8 h with a 30-minute break, then offline
        for d in range(days):
            day = START + timedelta(days=d, hours=8)
            for seq, (h, st, why) in enumerate(
                [
                    (0, "available", None),
                    (4, "break", "lunch"),
                    (4.5, "available", None),
                    (8, "offline", None),
                ]
            ):
                history.append(
                    (
                        uuid.uuid4().hex,
                        org,
                        a,
                        "offline",
                        st,
                        why,
                        day + timedelta(hours=h),
                        "self",
                        d * 4 + seq + 1,
                    )
                )
    await conn.copy_records_to_table(
        "agent_state_history",
        columns=[
            "id",
            "organization_id",
            "user_id",
            "from_state",
            "to_state",
            "reason",
            "at",
            "by",
            "seq",
        ],
        records=history,
    )
    await conn.execute("ANALYZE")
    await conn.close()
    return org, agents, queues, camps


def _pct(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


async def _measure(url: str, calls: int, days: int) -> dict[str, Any]:
    from sqlalchemy import text

    from omnivox.core.config import Settings
    from omnivox.core.db import create_engine, create_session_factory
    from omnivox.reporting import add_ended_call, get_template, rebuild, run_report

    org, agents, queues, camps = await _seed(url, calls, days)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    out: dict[str, Any] = {"calls": calls, "days": days}
    started = time.perf_counter()
    async with sessions() as s:
        await rebuild(s, org, START, START + timedelta(days=days + 1))
        await s.commit()
    took = time.perf_counter() - started
    out["rebuild"] = {"seconds": round(took, 1), "calls_per_s": int(calls / took)}

    # Upkeep: 1,000 more calls, each added as its CallEnded would add it.
    rng, rows, events = random.Random(7), [], []
    for _ in range(1000):
        row, evs = _call(rng, org, agents, queues, camps, START + timedelta(days=days - 1))
        rows.append(row)
        events += evs
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    await conn.copy_records_to_table("calls", columns=CALL_COLUMNS, records=rows)
    await conn.copy_records_to_table("call_events", columns=EVENT_COLUMNS.split(), records=events)
    await conn.close()
    samples = []
    for row in rows:
        t0 = time.perf_counter()
        assert await add_ended_call(sessions, org, row[0])
        samples.append(time.perf_counter() - t0)
    out["upkeep_per_ended_call"] = _pct(samples)

    first = START.date()
    perf = get_template("agent_performance").request(first, first + timedelta(days=29))
    day = get_template("queue_interval").request(
        first + timedelta(days=3), first + timedelta(days=3)
    )
    for name, request in (("agent_performance_30d", perf), ("queue_interval_1d", day)):
        timings = []
        for _ in range(7):
            async with sessions() as s:
                t0 = time.perf_counter()
                await run_report(s, org, request, settings)
                timings.append(time.perf_counter() - t0)
        out[name] = _pct(timings)
    naive = text(
        "SELECT c.agent_id, count(*), sum(EXTRACT(EPOCH FROM (c.ended_at - e.at))) "
        "FROM calls c JOIN call_events e ON e.call_id = c.id AND e.to_state = 'connected' "
        "WHERE c.organization_id = :org AND c.ended_at >= :lo AND c.ended_at < :hi GROUP BY 1"
    )
    timings = []
    for _ in range(3):
        async with sessions() as s:
            t0 = time.perf_counter()
            await s.execute(naive, {"org": org, "lo": START, "hi": START + timedelta(days=30)})
            timings.append(time.perf_counter() - t0)
    out["naive_agent_talk_30d_over_raw_rows"] = _pct(timings)
    await engine.dispose()
    return out


async def _main(calls: int, days: int) -> None:
    import asyncpg

    name = f"omnivox_bench_reports_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        print(json.dumps(await _measure(f"{base}/{name}", calls, days), indent=2))
    finally:
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(_main(args.calls, args.days))

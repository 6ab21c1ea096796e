"""Upgrading a database that already counts calls fills the coarser rollups from the
15-minute ones (migration 0025), so reports over past ranges read the same figures; on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import column, insert, select, table, text
from tests.conftest import _postgres_url

from omnivox.accounts import organizations
from omnivox.accounts.schemas import OrganizationCreate
from omnivox.core.db import (
    _alembic_config,
    create_engine,
    create_session_factory,
    upgrade_database,
)
from omnivox.core.security.principal import Principal
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS
from omnivox.reporting.models import (
    AgentStateHour,
    AgentStateInterval,
    CallAgentHour,
    CallInterval,
    CallQueueHour,
    CallQueueInterval,
)

H10 = datetime(2026, 3, 10, 10, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/upgrade.db"
        return
    yield from _postgres_url()


def _as_of_then(model: Any, row: dict[str, Any]) -> Any:
    """The model's table with only the columns of ``row``: the schema of an older revision
    (later ones added columns the model declares)."""
    return table(model.__tablename__, *(column(c, model.__table__.c[c].type) for c in row))


def _cell(at: datetime, queue: str, campaign: str, agent: str, disp: str, **v: float) -> Any:
    return {
        "interval_start": at,
        "queue_id": queue,
        "campaign_id": campaign,
        "agent_id": agent,
        "disposition": disp,
        **dict.fromkeys(SUM_COLUMNS + MAX_COLUMNS, 0),
        **v,
    }


async def test_upgrade_folds_the_counted_calls_into_the_coarser_rollups(fresh_url: str) -> None:
    upgrade_database(fresh_url, "0024")
    engine = create_engine(fresh_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as s:
            org = await organizations.create_organization(
                s, Principal.system(""), OrganizationCreate(slug="old", name="Old")
            )
            cells = [
                _cell(H10, "q1", "", "a1", "SALE", calls=1, talk_seconds=60, answered_wait_max=5),
                _cell(
                    H10.replace(minute=15),
                    "q1",
                    "",
                    "a2",
                    "",
                    calls=2,
                    talk_seconds=30,
                    answered_wait_max=9,
                ),
                _cell(
                    H10.replace(hour=11, minute=30), "", "c1", "a1", "", calls=1, talk_seconds=10
                ),
            ]
            rows = [c | {"organization_id": org.id} for c in cells]
            await s.execute(insert(_as_of_then(CallInterval, rows[0])), rows)
            state = {
                "organization_id": org.id,
                "agent_id": "a1",
                "state": "available",
                "reason": "",
            }
            await s.execute(
                insert(
                    _as_of_then(AgentStateInterval, state | {"interval_start": 0, "seconds": 0})
                ),
                [
                    state | {"interval_start": H10, "seconds": 900},
                    state | {"interval_start": H10.replace(minute=45), "seconds": 600},
                ],
            )
            await s.commit()
        upgrade_database(fresh_url)

        async def read(model: Any, keys: tuple[str, ...]) -> dict[Any, Any]:
            table = model.__table__
            async with sessions() as s:
                rows = (await s.execute(select(table))).mappings()
                return {
                    (r["interval_start"], *(r[k] for k in keys)): (
                        r["calls"],
                        r["talk_seconds"],
                        r["answered_wait_max"],
                    )
                    for r in rows
                }

        owner = ("queue_id", "campaign_id")
        assert await read(CallQueueInterval, owner) == {
            (H10, "q1", ""): (1, 60.0, 5.0),
            (H10.replace(minute=15), "q1", ""): (2, 30.0, 9.0),
            (H10.replace(hour=11, minute=30), "", "c1"): (1, 10.0, 0.0),
        }
        assert await read(CallQueueHour, owner) == {
            (H10, "q1", ""): (3, 90.0, 9.0),
            (H10.replace(hour=11), "", "c1"): (1, 10.0, 0.0),
        }
        assert await read(CallAgentHour, ("agent_id",)) == {
            (H10, "a1"): (1, 60.0, 5.0),
            (H10, "a2"): (2, 30.0, 9.0),
            (H10.replace(hour=11), "a1"): (1, 10.0, 0.0),
        }
        async with sessions() as s:
            hours = [
                (r.interval_start, r.agent_id, r.seconds)
                for r in await s.scalars(select(AgentStateHour))
            ]
        assert hours == [(H10, "a1", 1500.0)]
    finally:
        await engine.dispose()


async def test_0026_keeps_counted_calls_under_no_number_and_a_downgrade_merges_numbers(
    fresh_url: str,
) -> None:
    upgrade_database(fresh_url, "0025")
    engine = create_engine(fresh_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as s:
            org = await organizations.create_organization(
                s, Principal.system(""), OrganizationCreate(slug="old", name="Old")
            )
            old = _cell(H10, "q1", "", "a1", "", calls=2, answered_wait_max=5)
            row = old | {"organization_id": org.id}
            await s.execute(insert(_as_of_then(CallInterval, row)), [row])
            await s.commit()
        upgrade_database(fresh_url, "0026")
        async with sessions() as s:
            # Counted before: no number. The same cell with a number is a row of its own.
            calls = CallInterval.__table__.c
            [kept] = (await s.execute(select(calls.number, calls.calls))).all()
            assert tuple(kept) == ("", 2)
            new = row | {"number": "+14155550199", "calls": 1, "answered_wait_max": 9}
            await s.execute(insert(CallInterval), [new])
            await s.commit()
        # Alembic's env runs its own event loop: on a thread, as upgrade_database does.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(command.downgrade, _alembic_config(fresh_url), "0025").result()
        async with sessions() as s:
            merged = (
                await s.execute(text("SELECT calls, answered_wait_max FROM report_call_intervals"))
            ).all()
        assert [tuple(r) for r in merged] == [(3, 9.0)]
    finally:
        await engine.dispose()


async def test_0028_lists_the_numbers_counted_calls_already_used(fresh_url: str) -> None:
    """Upgrading fills ``report_numbers`` once from the finest rollup (not "" for calls
    counted before numbers were kept), so the builder lists history's numbers at once."""
    upgrade_database(fresh_url, "0027")
    engine = create_engine(fresh_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as s:
            org = await organizations.create_organization(
                s, Principal.system(""), OrganizationCreate(slug="nums", name="Nums")
            )
            base = _cell(H10, "q1", "", "a1", "", calls=1) | {"organization_id": org.id}
            rows = [
                base | {"number": n, "agent_id": a}
                for n, a in (("", "a0"), ("+14155550199", "a1"), ("+14155550199", "a2"))
            ] + [base | {"number": "+14155550100", "agent_id": "a3"}]
            await s.execute(insert(CallInterval), rows)
            await s.commit()
        upgrade_database(fresh_url, "0028")
        async with sessions() as s:
            listed = (await s.execute(text("SELECT number FROM report_numbers"))).scalars().all()
        assert sorted(listed) == ["+14155550100", "+14155550199"]
    finally:
        await engine.dispose()

"""Shared fixtures: databases on SQLite and PostgreSQL, the app, clients and factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.support import Env, run_sync

from omnivox.all_models import Base
from omnivox.app import create_app
from omnivox.core.clock import ManualClock
from omnivox.core.config import Settings
from omnivox.core.db import create_engine, create_session_factory, upgrade_database

FIXED_START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
PG_ADMIN_URL = os.environ.get("OMNIVOX_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _postgres_url() -> Iterator[str]:
    name = f"omnivox_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    try:
        run_sync(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means no server to test against
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    run_sync(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database per backend and worker; tests empty it after use."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db')}/omnivox.db"
        upgrade_database(url)
        yield url
        return
    gen = _postgres_url()
    url = next(gen)
    upgrade_database(url)
    yield url
    next(gen, None)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db1')}/omnivox.db"
    upgrade_database(url)
    return url


@pytest.fixture
def clock() -> ManualClock:
    """A fixed weekday afternoon in the US (11:00 Pacific, 14:00 Eastern), so calling
    windows and business hours decide the same way whenever the suite runs."""
    return ManualClock(start=FIXED_START)


def make_settings(database_url: str, tmp_path: object, **extra: object) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        data_dir=tmp_path,  # type: ignore[call-arg]
        env="test",
        **extra,
    )


async def _wipe(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s:
        for table in reversed(Base.metadata.sorted_tables):
            await s.execute(delete(table))
        await s.commit()


async def _make_env(database_url: str, tmp_path: object, clock: ManualClock) -> AsyncIterator[Env]:
    settings = make_settings(database_url, tmp_path)
    app = create_app(settings, clock=clock)
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        try:
            yield Env(app, client, sessions, clock, settings)
        finally:
            # What the app left running (a job a request deferred, a wallboard rebuild)
            # finishes before the loop closes: a database call still in flight then fails
            # in aiosqlite's thread and is reported against a later test.
            await app.state.job_tasks.stop()
            await app.state.call_batcher.stop()
            await app.state.wallboard.stop()
            await _wipe(sessions)
            await engine.dispose()
            await app.state.omnivox.engine.dispose()


@pytest.fixture
async def env(database_url: str, tmp_path: object, clock: ManualClock) -> AsyncIterator[Env]:
    """App on each backend (SQLite and PostgreSQL)."""
    async for e in _make_env(database_url, tmp_path, clock):
        yield e


@pytest.fixture
async def sqlite_env(sqlite_url: str, tmp_path: object, clock: ManualClock) -> AsyncIterator[Env]:
    """App on SQLite only, for tests about HTTP behaviour rather than persistence."""
    async for e in _make_env(sqlite_url, tmp_path, clock):
        yield e

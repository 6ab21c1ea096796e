"""Health, readiness, metrics, request ids and the unmigrated-database refusal."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.conftest import make_settings
from tests.support import Env

from omnivox.app import create_app
from omnivox.core.db import DatabaseNotMigrated


async def test_health_ready_and_metrics(sqlite_env: Env) -> None:
    c = sqlite_env.client
    assert (await c.get("/healthz")).json() == {"status": "ok"}
    ready = await c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
    }
    await c.get("/api/v1/users")  # a 401, counted
    metrics = (await c.get("/metrics")).text
    assert (
        'omnivox_http_requests_total{method="GET",route="/api/v1/users",status="401"} 1.0'
        in metrics
    )


async def test_request_id_is_echoed_or_made(sqlite_env: Env) -> None:
    c = sqlite_env.client
    assert (await c.get("/healthz", headers={"X-Request-ID": "abc-123"})).headers[
        "x-request-id"
    ] == "abc-123"
    made = (await c.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})).headers[
        "x-request-id"
    ]
    assert made != "bad id with spaces" and len(made) == 32
    problem = (await c.get("/api/v1/me")).json()
    assert problem["request_id"]


async def test_unmigrated_database_is_not_ready_and_refuses_to_start(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path}/empty.db", tmp_path)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        ready = await c.get("/readyz")
        assert ready.status_code == 503 and "need" in ready.json()["checks"]["migrations"]
    with pytest.raises(DatabaseNotMigrated, match="omnivox db upgrade"):
        async with app.router.lifespan_context(app):
            pass
    await app.state.omnivox.engine.dispose()


async def test_metrics_token_guards_metrics(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, metrics_token="scrape-secret")
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        refused = await c.get("/metrics")
        assert refused.status_code == 401 and refused.json()["code"] == "not-authenticated"
        ok = await c.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert ok.status_code == 200
    await app.state.omnivox.engine.dispose()

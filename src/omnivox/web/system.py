"""Health, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from omnivox.core.db import current_revision, head_revision
from omnivox.core.errors import NotAuthenticated
from omnivox.core.security import tokens
from omnivox.http import PUBLIC, State

router = APIRouter(tags=["system"])


@router.get("/healthz", dependencies=[PUBLIC])
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    dependencies=[PUBLIC],
    responses={
        503: {
            "description": "Not ready: `checks` names the failing check.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def readyz(state: State) -> Response:
    """Ready when the database answers and its schema is at this code's migration head."""
    checks: dict[str, str] = {}
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = await current_revision(state.engine), head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, need {head}"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 2
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", dependencies=[PUBLIC])
async def metrics(request: Request, state: State) -> Response:
    """Prometheus exposition; guarded by OMNIVOX_METRICS_TOKEN when one is set."""
    expected = state.settings.metrics_token.get_secret_value()
    if expected:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not tokens.same(sent, expected):
            raise NotAuthenticated("metrics need the bearer token from OMNIVOX_METRICS_TOKEN")
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

"""How a lost database connection is answered (issue 15, finding 6), without a server:
a read is retried once, a write gets 503 with Retry-After, a real SQL fault stays 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from sqlalchemy.exc import DBAPIError, ProgrammingError

from omnivox.core.db_loss import is_database_lost
from omnivox.http.db_retry import RetrySafeRequests
from omnivox.http.errors import DATABASE_LOST_HEADER, install_error_handlers


class _Terminated(Exception):
    """What asyncpg raises for a backend the server shut down (SQLSTATE 57P01)."""

    sqlstate = "57P01"


def _lost() -> DBAPIError:
    return DBAPIError("SELECT 1", {}, _Terminated("terminating connection"))


def _app() -> tuple[FastAPI, dict[str, int]]:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RetrySafeRequests)
    tries = {"read": 0, "always": 0, "write": 0}

    @app.get("/api/read")
    async def read() -> dict[str, str]:
        tries["read"] += 1
        if tries["read"] == 1:
            raise _lost()
        return {"ok": "yes"}

    @app.get("/api/always")
    async def always() -> None:
        tries["always"] += 1
        raise _lost()

    @app.post("/api/write")
    async def write() -> None:
        tries["write"] += 1
        raise _lost()

    @app.get("/api/stream")
    async def stream() -> StreamingResponse:
        tries["stream"] = tries.get("stream", 0) + 1
        if tries["stream"] == 1:
            raise _lost()

        async def rows() -> AsyncIterator[str]:
            for i in range(3):
                yield f"row {i}\n"

        return StreamingResponse(rows(), media_type="text/csv")

    @app.get("/api/bug")
    async def bug() -> None:
        raise ProgrammingError("SELEC 1", {}, Exception("syntax error at or near SELEC"))

    return app, tries


async def test_lost_connections_answer_503_and_reads_are_retried_once() -> None:
    app, tries = _app()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        read = await client.get("/api/read")
        assert read.status_code == 200 and tries["read"] == 2
        always = await client.get("/api/always")
        assert always.status_code == 503 and tries["always"] == 2  # once more, not forever
        write = await client.post("/api/write")
        assert write.status_code == 503 and tries["write"] == 1  # never retried for you
        assert write.headers["retry-after"] == "2"
        assert DATABASE_LOST_HEADER not in write.headers  # the mark stays inside
        assert DATABASE_LOST_HEADER not in always.headers
        streamed = await client.get("/api/stream")  # a retried stream completes
        assert streamed.status_code == 200 and streamed.text == "row 0\nrow 1\nrow 2\n"
        assert "database connection was lost" in write.json()["detail"]
        bug = await client.get("/api/bug")
        assert bug.status_code == 500  # a fault in what was asked is not an outage


def test_what_counts_as_a_lost_connection() -> None:
    assert is_database_lost(_lost())
    busy = DBAPIError(
        "SELECT 1",
        {},
        Exception("cannot switch to state 12; another operation (2) is in progress"),
    )
    assert is_database_lost(busy)
    assert is_database_lost(_raised_in("/venv/site-packages/asyncpg/connect_utils.py"))
    # The same refusal from anything else (Redis, the carrier) is not the database's.
    assert not is_database_lost(_raised_in("/venv/site-packages/redis/connection.py"))
    assert not is_database_lost(ConnectionRefusedError(111, "Connection refused"))
    assert not is_database_lost(ProgrammingError("x", {}, Exception("syntax error")))
    assert not is_database_lost(ValueError("connection is closed"))  # not a database error


def _raised_in(filename: str) -> BaseException:
    """A refused connection raised by code in ``filename`` (as the driver would)."""
    code = compile("raise ConnectionRefusedError(111, 'Connection refused')", filename, "exec")
    try:
        exec(code)  # noqa: S102 - a fixed statement, compiled here to carry that file name
    except ConnectionRefusedError as exc:
        return exc
    raise AssertionError("not raised")

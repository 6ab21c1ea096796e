"""A database connection lost mid-request (a failover, a restart, a killed backend).

asyncpg reports a backend the server terminated in several ways: "connection was closed
in the middle of operation", an ``AdminShutdownError`` (SQLSTATE 57P01), or — on the next
use of a connection whose backend died while idle in the pool — "cannot switch to state
…; another operation is in progress", because the protocol never left the interrupted
operation. SQLAlchemy's asyncpg dialect counts a connection as lost only when asyncpg
says it is closed, so the last two were handed back to the pool and failed the next
request (and the rollback at session close) with HTTP 500. ``mark_lost_connections``
teaches the engine to throw such connections away; ``is_database_lost`` lets the HTTP
layer answer 503 instead of 500.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

# SQLSTATE classes: 08 connection exception, 57P0x the server shutting the backend down.
_LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")
_LOST_TEXT = (
    "another operation",  # "cannot switch to state 12; another operation (2) is in progress"
    "connection was closed",
    "connection is closed",
    "terminating connection",
)


def _causes(exc: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 8:
        seen.append(exc)
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return seen


def _lost(exc: BaseException) -> bool:
    for e in _causes(exc):
        if isinstance(e, ConnectionError | TimeoutError) and not isinstance(e, sa_exc.TimeoutError):
            return True
        state = str(getattr(e, "sqlstate", "") or "")
        if state.startswith(_LOST_SQLSTATES):
            return True
        if any(text in str(e) for text in _LOST_TEXT):
            return True
    return False


def _classify(ctx: ExceptionContext) -> None:
    if not ctx.is_disconnect and _lost(ctx.original_exception):
        ctx.is_disconnect = True  # SQLAlchemy invalidates the connection, not reuses it


def mark_lost_connections(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "handle_error", _classify)


_DRIVER_PATHS = ("/asyncpg/", "/sqlalchemy/pool/", "/sqlalchemy/engine/", "/aiosqlite/")


def _from_the_driver(exc: BaseException) -> bool:
    """Raised while talking to the database (a refused connect comes as a bare OSError
    from asyncpg), not by Redis, the carrier or our own code."""
    tb = exc.__traceback__
    while tb is not None:
        if any(part in tb.tb_frame.f_code.co_filename for part in _DRIVER_PATHS):
            return True
        tb = tb.tb_next
    return False


def is_database_lost(exc: BaseException) -> bool:
    """The request failed because the database went away, not because of what it asked.
    Only errors the database driver raised count: a refused connection to anything else
    stays a 500 that is logged, and so does a bug."""
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or _lost(exc)
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    return isinstance(exc, OSError) and _from_the_driver(exc) and _lost(exc)

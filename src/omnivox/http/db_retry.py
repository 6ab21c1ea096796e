"""A read that met a lost database connection is tried once more on a fresh one.

Reads (GET, HEAD) change nothing, so trying again is safe and spares the user an error
page for a failover that took a moment. The first try's 503 (marked by the error
handler) is swallowed before anything reaches the client; a second failure is answered
as it is. Writes are never retried here: the client decides, with Retry-After.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omnivox.core.logging import get_logger
from omnivox.http.errors import DATABASE_LOST_HEADER

log = get_logger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD"})
_MARK = DATABASE_LOST_HEADER.encode()


class RetrySafeRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def unmarked(message: Message) -> None:
            if message["type"] == "http.response.start":  # the mark is ours, not the client's
                message["headers"] = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != _MARK
                ]
            await send(message)

        if scope["method"] not in SAFE_METHODS:
            await self.app(scope, receive, unmarked)
            return
        lost = False

        async def first_try(message: Message) -> None:
            nonlocal lost
            if message["type"] == "http.response.start" and any(
                k.lower() == _MARK for k, _v in message.get("headers", [])
            ):
                lost = True
            if not lost:
                await unmarked(message)

        await self.app(scope, receive, first_try)
        if not lost:
            return
        log.info("read retried after a lost database connection", path=scope["path"])
        replayed = False

        async def replay() -> Message:
            # The read's (empty) body once more, then the client's own messages, so a
            # streaming answer still hears a disconnect instead of spinning on a body.
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return await receive()

        await self.app(scope, replay, unmarked)

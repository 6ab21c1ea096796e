"""Request id, access log and metrics for every request (pure ASGI, no BaseHTTPMiddleware)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omnivox.core.logging import get_logger, request_id_var
from omnivox.core.metrics import Metrics
from omnivox.http.deps import iter_api_routes

log = get_logger("omnivox.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._templates: dict[int, str] | None = None

    def _route_template(self, scope: Scope) -> str:
        """The full path template (with router prefixes) of the matched route, for labels."""
        route = scope.get("route")
        if route is None:
            return "unmatched"
        if self._templates is None:
            self._templates = {
                id(ctx.original_route): path for _m, path, ctx in iter_api_routes(scope["app"])
            }
        return self._templates.get(id(route), getattr(route, "path", "unmatched"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            with structlog.contextvars.bound_contextvars(request_id=rid):
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = self._route_template(scope)
            method = scope["method"]
            self.metrics.http_requests.labels(method, template, str(status)).inc()
            self.metrics.http_latency.labels(method, template).observe(elapsed)
            if not scope["path"].startswith("/static/"):
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    status=status,
                    ms=round(elapsed * 1000, 1),
                )
            request_id_var.reset(token)

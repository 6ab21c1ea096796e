"""Browser security headers on every HTTP response (pure ASGI).

All front-end code is served from ``/static``, so the policy forbids inline script and
inline style outright; templates are checked for both by a test. ``connect-src 'self'``
also admits the same-origin WebSocket (CSP Level 3: ``'self'`` matches ``ws:``/``wss:``
on the page's own host and port). With Twilio, the Voice SDK signals over
``wss://*.twilio.com``, reports to ``https://eventgw*.twilio.com`` and plays its ringing
sounds from ``https://sdk.twilio.com``; those hosts are admitted only in that mode.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000; includeSubDomains"
# The softphone needs the microphone; nothing here needs the rest.
PERMISSIONS_POLICY = ", ".join(
    [
        "microphone=(self)",
        "camera=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "display-capture=()",
    ]
)


def content_security_policy(*, twilio: bool) -> str:
    connect = "'self' wss://*.twilio.com https://*.twilio.com" if twilio else "'self'"
    media = "'self' blob: https://sdk.twilio.com" if twilio else "'self' blob:"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"media-src {media}",
            f"connect-src {connect}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def api_docs_policy(page: str) -> str:
    """The interactive API docs (FastAPI's Swagger UI) load their bundle from jsDelivr and
    start it with one inline script: that page alone admits the CDN and that script's hash,
    never inline script in general."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    )
    cdn = "https://cdn.jsdelivr.net"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {cdn} {hashes}",
            f"style-src 'self' {cdn} 'unsafe-inline'",  # Swagger UI styles its widgets inline
            "img-src 'self' data: https://fastapi.tiangolo.com",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(
    *, production: bool, twilio: bool, policy: str | None = None
) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": policy or content_security_policy(twilio=twilio),
        "x-frame-options": "DENY",  # for browsers that predate frame-ancestors
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "permissions-policy": PERMISSIONS_POLICY,
    }
    if production:  # production is https-only (check_production); a laptop may be http
        headers["strict-transport-security"] = HSTS
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        production: bool,
        twilio: bool,
        api_docs: tuple[str, str] | None = None,
    ) -> None:
        """``api_docs``: the API docs page's path and HTML, which get their own policy."""
        self.app = app
        self.headers = security_headers(production=production, twilio=twilio)
        self.names = {name for name, _ in self.headers}
        self.docs_path, self.docs_headers = "", self.headers
        if api_docs:
            self.docs_path = api_docs[0]
            self.docs_headers = security_headers(
                production=production, twilio=twilio, policy=api_docs_policy(api_docs[1])
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        mine = self.docs_headers if scope["path"] == self.docs_path else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A route that sets one of these itself keeps its own value.
                own = [(k, v) for k, v in message.get("headers", []) if k.lower() in self.names]
                taken = {k.lower() for k, _ in own}
                extra = [(k, v) for k, v in mine if k not in taken]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

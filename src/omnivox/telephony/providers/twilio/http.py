"""An httpx-based asynchronous HTTP client for the ``twilio`` SDK.

The SDK's own async client uses aiohttp and cannot be pointed anywhere but Twilio. This one
runs every SDK request through an injected ``httpx.AsyncClient`` (so nothing blocks the
event loop, and tests can use an ASGI transport) and can rewrite ``https://api.twilio.com``
to another base URL. That rewrite is the *only* difference between production and sandbox
mode: the provider code above it is identical.
"""

from __future__ import annotations

import logging

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

TWILIO_API_BASE = "https://api.twilio.com"

_logger = logging.getLogger("omnivox.telephony.twilio.http")


class HttpxTwilioHttpClient(AsyncHttpClient):  # type: ignore[misc]  # untyped SDK base
    """``twilio.http.AsyncHttpClient`` over ``httpx``.

    ``base_url``: when given (sandbox mode), requests for ``https://api.twilio.com/...`` go
    to ``{base_url}/...`` instead, and any other Twilio host is refused rather than sent to
    the real Twilio with sandbox credentials.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str | None = None,
        timeout: float | None = 15.0,
    ) -> None:
        super().__init__(_logger, True, timeout)
        self._client = client
        self._base_url = base_url.rstrip("/") if base_url else None

    def rewrite(self, url: str) -> str:
        if self._base_url is None:
            return url
        if url.startswith(TWILIO_API_BASE + "/"):
            return self._base_url + url[len(TWILIO_API_BASE) :]
        raise ValueError(f"the sandbox carrier does not emulate {url}")

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK's signature
        allow_redirects: bool = False,
    ) -> Response:
        response = await self._client.request(
            method.upper(),
            self.rewrite(url),
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout if timeout is not None else self.timeout,
            follow_redirects=allow_redirects,
        )
        _logger.debug("twilio api %s %s -> %s", method, url, response.status_code)
        return Response(response.status_code, response.text, response.headers)

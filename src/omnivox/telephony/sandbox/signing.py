"""Sign and deliver webhooks exactly as Twilio does.

``X-Twilio-Signature`` is the base64 HMAC-SHA1, keyed with the account's auth token, of the
full URL followed by every POST parameter name and value, sorted by name. It is computed
here independently of the ``twilio`` SDK, so tests can use the SDK's ``RequestValidator`` as
an outside judge of it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

_log = logging.getLogger("omnivox.telephony.sandbox.webhooks")


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class Delivery:
    url: str
    params: dict[str, str]
    status_code: int | None  # None: not delivered (connection error)
    body: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender:
    """POSTs signed, form-encoded webhooks with an injected ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def post(self, url: str, params: Mapping[str, str], auth_token: str) -> Delivery:
        body = {k: v for k, v in params.items() if v is not None}
        headers = {
            "X-Twilio-Signature": twilio_signature(auth_token, url, body),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1 (Omnivox sandbox carrier)",
            "Accept": "*/*",
        }
        try:
            response = await self._http.post(url, data=body, headers=headers)
        except httpx.HTTPError as exc:
            _log.warning("sandbox webhook to %s failed: %s", url, exc)
            return Delivery(url, body, None, "", error=repr(exc))
        return Delivery(url, body, response.status_code, response.text)

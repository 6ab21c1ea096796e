"""Test support: a sandbox carrier driven by the real Twilio provider, and a stand-in app.

Nothing here is mocked: the ``twilio`` SDK sends real HTTP requests (through an httpx ASGI
transport) to the sandbox's REST router, and the sandbox sends signed webhooks to the
stand-in app, which checks each one with the SDK's ``RequestValidator`` and answers 403 to
a bad signature, as the real ingress must.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from twilio.request_validator import RequestValidator

from omnivox.core.clock import ManualClock
from omnivox.telephony.providers.twilio import TwilioCredentials, build_twilio_provider
from omnivox.telephony.providers.twilio.provider import TwilioProvider
from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.control import sandbox_control_router
from omnivox.telephony.sandbox.rest import sandbox_rest_router

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "sandbox-auth-token"
API_KEY_SID = "SK" + "1" * 32
API_KEY_SECRET = "sandbox-api-key-secret-0123456789abcdef"
APP_BASE = "http://omnivox.test"
SANDBOX_BASE = "http://sandbox.test/sandbox"
AGENT_NUMBER = "+15005550006"


@dataclass
class Hook:
    path: str
    url: str
    params: dict[str, str]
    signature_valid: bool


@dataclass
class OmnivoxStandIn:
    """Records every webhook and serves TwiML chosen by the test, per path."""

    hooks: list[Hook] = field(default_factory=list)
    twiml: dict[str, str] = field(default_factory=dict)
    validator: RequestValidator = field(default_factory=lambda: RequestValidator(AUTH_TOKEN))

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            form = await request.form()
            params = {k: str(v) for k, v in form.items()}
            url = str(request.url)
            valid = bool(
                self.validator.validate(url, params, request.headers.get("X-Twilio-Signature", ""))
            )
            self.hooks.append(Hook("/" + path, url, params, valid))
            if not valid:
                return Response(status_code=403)
            body = self.twiml.get("/" + path, "<Response/>")
            return Response(body, media_type="application/xml")

        return app

    def at(self, path: str) -> list[dict[str, str]]:
        return [h.params for h in self.hooks if h.path == path]


@dataclass
class Harness:
    clock: ManualClock
    carrier: SandboxCarrier
    provider: TwilioProvider
    omnivox: OmnivoxStandIn
    sandbox_http: httpx.AsyncClient

    def url(self, path: str) -> str:
        return APP_BASE + path

    def serve(self, path: str, twiml: str) -> str:
        self.omnivox.twiml[path] = twiml
        return self.url(path)

    def statuses(self, path: str = "/hooks/status") -> list[str]:
        return [p["CallStatus"] for p in self.omnivox.at(path)]


@asynccontextmanager
async def running_harness() -> AsyncIterator[Harness]:
    clock = ManualClock()
    omnivox = OmnivoxStandIn()
    to_omnivox = httpx.AsyncClient(transport=httpx.ASGITransport(app=omnivox.app()))
    carrier = SandboxCarrier(clock=clock, http=to_omnivox, api_base_url=SANDBOX_BASE)
    carrier.add_account(ACCOUNT_SID, AUTH_TOKEN, {API_KEY_SID: API_KEY_SECRET})
    sandbox_app = FastAPI()
    sandbox_app.include_router(sandbox_rest_router(carrier), prefix="/sandbox")
    sandbox_app.include_router(sandbox_control_router(carrier), prefix="/sandbox")
    to_sandbox = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox_app), base_url="http://sandbox.test"
    )
    credentials = TwilioCredentials(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        api_key_sid=API_KEY_SID,
        api_key_secret=API_KEY_SECRET,
    )
    provider = build_twilio_provider(credentials, to_sandbox, sandbox_base_url=SANDBOX_BASE)
    try:
        yield Harness(clock, carrier, provider, omnivox, to_sandbox)
    finally:
        await carrier.close()
        await to_omnivox.aclose()
        await to_sandbox.aclose()

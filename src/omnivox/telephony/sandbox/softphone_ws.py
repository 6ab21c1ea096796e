"""WebSocket endpoint through which agents' browsers act as sandbox softphones.

SIMULATED carrier side of the Voice SDK. Protocol (JSON text frames):

* browser -> sandbox: ``{"type": "register", "token": <Voice access token JWT>}`` first;
  then ``answer`` / ``reject`` / ``hangup`` (with ``call_sid``) and
  ``{"type": "digits", "call_sid": ..., "digits": "12#"}``.
* sandbox -> browser: ``registered`` (with ``identity``), ``incoming`` offers,
  ``call-status`` updates, ``canceled`` (offer withdrawn) and ``error``.

The token must be one the ``twilio`` SDK's ``AccessToken`` produced: HS256-signed with an
API key secret the sandbox account knows, with a Voice grant allowing incoming calls.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import jwt
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.softphones import SoftphoneSession


class TokenRejectedError(ValueError):
    pass


def verify_voice_token(carrier: SandboxCarrier, token: str) -> tuple[str, str]:
    """Return ``(account_sid, identity)`` for a valid Voice access token."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        account = carrier.accounts.get(str(claims.get("sub", "")))
        secret = account.api_keys.get(str(claims.get("iss", ""))) if account else None
        if account is None or secret is None:
            raise TokenRejectedError("unknown account or API key")
        # Expiry is checked on the sandbox clock, which may be virtual.
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
    except jwt.PyJWTError as exc:
        raise TokenRejectedError(f"invalid token: {exc}") from exc
    if header.get("cty") != "twilio-fpa;v=1":
        raise TokenRejectedError("not a Twilio access token")
    if float(claims.get("exp", 0)) < carrier.clock.now().timestamp():
        raise TokenRejectedError("token expired")
    grants = claims.get("grants") or {}
    identity = grants.get("identity")
    incoming = ((grants.get("voice") or {}).get("incoming") or {}).get("allow")
    if not identity or not incoming:
        raise TokenRejectedError("token has no Voice grant allowing incoming calls")
    return account.account_sid, str(identity)


def sandbox_softphone_router(carrier: SandboxCarrier) -> APIRouter:
    router = APIRouter(tags=["sandbox carrier"])

    @router.websocket("/softphone")
    async def softphone(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            first = await websocket.receive_json()
            account_sid, identity = verify_voice_token(carrier, str(first.get("token", "")))
        except (TokenRejectedError, ValueError, KeyError, AttributeError) as exc:
            await websocket.send_json({"type": "error", "error": str(exc)})
            await websocket.close(code=4401)
            return
        session = carrier.softphones.register(identity, account_sid)
        await websocket.send_json({"type": "registered", "identity": identity})
        try:
            await _pump(carrier, websocket, session)
        finally:
            carrier.softphones.unregister(session)

    return router


async def _pump(carrier: SandboxCarrier, websocket: WebSocket, session: SoftphoneSession) -> None:
    async def outgoing() -> None:
        while True:
            await websocket.send_json(await session.outbox.get())

    sender = asyncio.create_task(outgoing())
    try:
        while True:
            message: dict[str, Any] = await websocket.receive_json()
            error = carrier.softphones.handle(session, message)
            if error is not None:
                session.send({"type": "error", "error": error, "call_sid": message.get("call_sid")})
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender

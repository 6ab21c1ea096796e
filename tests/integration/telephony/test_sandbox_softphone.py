"""Browser softphones (Dial>Client) over the sandbox WebSocket, on a real loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from tests.integration.telephony.telephony_harness import AGENT_NUMBER, Harness
from websockets.asyncio.client import ClientConnection, connect

from omnivox.telephony.instructions import Dial, DialClient, Say
from omnivox.telephony.ports import OutboundCall
from omnivox.telephony.sandbox import sandbox_softphone_router

CUSTOMER = "+15551230009"


@pytest.fixture
async def ws_url(harness: Harness) -> AsyncIterator[str]:
    app = FastAPI()
    app.include_router(sandbox_softphone_router(harness.carrier), prefix="/sandbox")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    yield f"ws://127.0.0.1:{port}/sandbox/softphone"
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def eventually(condition: Callable[[], object], seconds: float = 3.0) -> None:
    async with asyncio.timeout(seconds):
        # Polls state changed by real socket I/O, which only real time moves.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def receive(ws: ClientConnection, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(3):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def test_softphone_registers_answers_sends_digits_and_hangs_up(
    harness: Harness, ws_url: str
) -> None:
    token = harness.provider.create_access_token("agent-7")
    twiml = [Dial(targets=(DialClient(identity="agent-7"),), timeout_seconds=20), Say(text="Bye")]
    call = OutboundCall(
        to=CUSTOMER,
        from_=AGENT_NUMBER,
        instructions=twiml,
        status_callback_url=harness.url("/hooks/status"),
    )
    async with connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "register", "token": token}))
        assert (await receive(ws, "registered"))["identity"] == "agent-7"
        placed = await harness.provider.place_call(call)
        await harness.carrier.advance(5)
        offer = await receive(ws, "incoming")
        assert offer["parent_call_sid"] == placed.sid
        leg = harness.carrier.calls[offer["call_sid"]]

        await ws.send(json.dumps({"type": "answer", "call_sid": leg.sid}))
        await eventually(lambda: leg.status == "in-progress")
        assert (await receive(ws, "call-status"))["status"] in ("ringing", "in-progress")
        await ws.send(json.dumps({"type": "digits", "call_sid": leg.sid, "digits": "5"}))
        await eventually(lambda: leg.log[-1].kind == "digits")
        await harness.carrier.advance(30)
        assert harness.carrier.calls[placed.sid].status == "in-progress"  # still bridged

        await ws.send(json.dumps({"type": "hangup", "call_sid": leg.sid}))
        await eventually(lambda: leg.status == "completed")
        await harness.carrier.advance(5)
    parent = harness.carrier.calls[placed.sid]
    assert parent.status == "completed"  # carried on after <Dial>, said bye, hung up
    assert "say" in [e.kind for e in parent.log]
    assert parent.duration_seconds >= 30


async def test_forged_token_is_refused(harness: Harness, ws_url: str) -> None:
    import jwt

    forged = jwt.encode(
        {"sub": "AC" + "0" * 32, "iss": "SK" + "1" * 32, "exp": 2_000_000_000, "grants": {}},
        "not-the-secret-but-long-enough-for-hs256",
        algorithm="HS256",
        headers={"cty": "twilio-fpa;v=1"},
    )
    async with connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "register", "token": forged}))
        assert (await receive(ws, "error"))["error"].startswith("invalid token")


async def test_unanswered_softphone_offer_times_out_as_no_answer(
    harness: Harness, ws_url: str
) -> None:
    token = harness.provider.create_access_token("agent-8")
    twiml = [Dial(targets=(DialClient(identity="agent-8"),), timeout_seconds=15)]
    call = OutboundCall(
        to=CUSTOMER, from_=AGENT_NUMBER, instructions=twiml, status_callback_url=harness.url("/s")
    )
    async with connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "register", "token": token}))
        await receive(ws, "registered")
        placed = await harness.provider.place_call(call)
        await harness.carrier.advance(5)
        offer = await receive(ws, "incoming")
        await harness.carrier.advance(20)
        assert (await receive(ws, "canceled"))["call_sid"] == offer["call_sid"]
    assert harness.carrier.calls[offer["call_sid"]].status == "no-answer"
    assert harness.carrier.calls[placed.sid].status == "completed"

"""The WebSocket hub over a real socket (uvicorn on a loopback port): session auth, hello,
delivery only to those an event's audience admits, heartbeats and sign-out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from tests.support import Env, notice
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from omnivox.accounts import auth, users
from omnivox.core.events import Audience
from omnivox.core.security.permissions import Role
from omnivox.http import SESSION_COOKIE
from omnivox.web.ws import events_router


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no start event  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def session_of(env: Env, email: str) -> str:
    async with env.sessions() as s:
        user = await users.find_user_by_email(s, email)
        assert user is not None
        policy = auth.LoginPolicy.from_settings(env.settings)
        return (
            await auth.start_session(s, user, env.clock.now(), policy, mfa_pending=False)
        ).session_id


def cookie(sid: str) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={sid}"}


async def recv(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return message


async def until_marker(ws: ClientConnection, marker: str) -> list[str]:
    """Names received before ``marker``; events arrive in publish order per connection."""
    names: list[str] = []
    while (name := (await recv(ws))["name"]) != marker:
        if name != "heartbeat":
            names.append(name)
    return names


async def close_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_unauthenticated_and_cross_site_sockets_are_closed(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "agent@acme.example.com", Role.AGENT)
    sid = await session_of(env, "agent@acme.example.com")
    async with serving(env.app) as base:  # type: ignore[arg-type]
        async with connect(f"{base}/ws/events") as ws:
            assert await close_code(ws) == 4401
        async with connect(f"{base}/ws/events", additional_headers=cookie("forged")) as ws:
            assert await close_code(ws) == 4401
        async with connect(
            f"{base}/ws/events",
            additional_headers=cookie(sid),
            origin="https://evil.example.com",  # type: ignore[arg-type]
        ) as ws:
            assert await close_code(ws) == 4403
        async with connect(f"{base}/ws/events", additional_headers=cookie(sid)) as ws:
            hello = await recv(ws)
            assert hello["name"] == "hello"
            assert hello["data"]["role"] == "agent" and hello["data"]["organization_id"] == org


async def test_each_user_receives_only_what_the_audience_allows(sqlite_env: Env) -> None:
    env = sqlite_env
    acme, other = await env.org("acme"), await env.org("other")
    people = {
        "alice": (acme, Role.AGENT),
        "bob": (acme, Role.AGENT),
        "sue": (acme, Role.SUPERVISOR),
        "rita": (acme, Role.REPORTING),
        "xavier": (other, Role.SUPERVISOR),
    }
    ids = {n: await env.user(o, f"{n}@{o}.example.com", r) for n, (o, r) in people.items()}
    sids = {n: await session_of(env, f"{n}@{o}.example.com") for n, (o, _r) in people.items()}
    alice_token = await env.token(f"alice@{acme}.example.com")
    bus = env.app.state.omnivox.bus  # type: ignore[attr-defined]
    async with serving(env.app) as base:  # type: ignore[arg-type]
        sockets = {
            n: await connect(f"{base}/ws/events", additional_headers=cookie(s))
            for n, s in sids.items()
        }
        try:
            for ws in sockets.values():
                assert (await recv(ws))["name"] == "hello"
            # A real state change through the API: to alice and to acme's supervisors.
            resp = await env.client.put(
                "/api/v1/agents/me/state", json={"state": "available"}, headers=alice_token
            )
            assert resp.status_code == 200
            now = env.clock.now()
            await bus.publish(notice("calls.stats", Audience.organization(acme, "calls:read"), now))
            await bus.publish(notice("org.notice", Audience.organization(acme), now))
            await bus.publish(notice("other.notice", Audience.organization(other), now))
            await bus.publish(notice("bob.private", Audience.user(acme, ids["bob"]), now))
            await bus.publish(notice("secret", Audience.internal(), now))
            for org in (acme, other):
                await bus.publish(notice("marker", Audience.organization(org), now))
            got = {n: await until_marker(ws, "marker") for n, ws in sockets.items()}
        finally:
            for ws in sockets.values():
                await ws.close()
    assert got == {
        "alice": ["agent.state_changed", "org.notice"],
        "bob": ["org.notice", "bob.private"],
        "sue": ["agent.state_changed", "calls.stats", "org.notice"],
        "rita": ["calls.stats", "org.notice"],
        "xavier": ["other.notice"],
    }


async def test_heartbeats_and_sign_out_closes_the_socket(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "sue@acme.example.com", Role.SUPERVISOR)
    sid = await session_of(env, "sue@acme.example.com")
    app: FastAPI = env.app  # type: ignore[assignment]
    app.include_router(events_router(heartbeat_seconds=0.1), prefix="/fast")
    async with (
        serving(app) as base,
        connect(f"{base}/fast/ws/events", additional_headers=cookie(sid)) as ws,
    ):
        assert (await recv(ws))["name"] == "hello"
        await ws.send(json.dumps({"type": "ping"}))
        names = {(await recv(ws))["name"] for _ in range(3)}
        assert {"heartbeat", "pong"} <= names
        async with env.sessions() as s:
            await auth.end_session(s, sid)
        assert await close_code(ws) == 4401


async def test_a_client_that_falls_behind_is_told_to_reconnect(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "sue@acme.example.com", Role.SUPERVISOR)
    sid = await session_of(env, "sue@acme.example.com")
    app: FastAPI = env.app  # type: ignore[assignment]
    app.include_router(events_router(queue_size=2), prefix="/tiny")
    bus = app.state.omnivox.bus
    async with (
        serving(app) as base,
        connect(f"{base}/tiny/ws/events", additional_headers=cookie(sid)) as ws,
    ):
        assert (await recv(ws))["name"] == "hello"
        for i in range(50):  # published faster than the socket drains, in one go
            await bus.publish(notice(f"e{i}", Audience.organization(org), env.clock.now()))
        assert await close_code(ws) == 4429

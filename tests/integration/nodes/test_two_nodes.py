"""Two app nodes on one database share events through Redis (OMNIVOX_REDIS_URL)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
from tests.conftest import make_settings
from tests.support import Env

from omnivox.app import create_app
from omnivox.core.events import DomainEvent
from omnivox.core.security.permissions import Role

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(REDIS) == 0


@pytest.mark.redis
async def test_an_agent_state_change_on_one_node_reaches_the_other(
    sqlite_env: Env, sqlite_url: str, tmp_path: Path
) -> None:
    if not _redis_up():
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    settings = make_settings(sqlite_url, tmp_path, redis_url="redis://127.0.0.1:6379/0")
    clock = sqlite_env.clock  # the token below was issued on this clock
    node_a, node_b = create_app(settings, clock=clock), create_app(settings, clock=clock)
    received: list[DomainEvent] = []

    async def on_b(event: DomainEvent) -> None:
        received.append(event)

    org = await sqlite_env.org("acme")
    await sqlite_env.user(org, "a@acme.example.com", Role.AGENT)
    headers = await sqlite_env.token("a@acme.example.com")
    async with node_a.router.lifespan_context(node_a), node_b.router.lifespan_context(node_b):
        node_b.state.omnivox.bus.subscribe(DomainEvent, on_b, remote=True)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=node_a), base_url="http://a"
        ) as client:
            resp = await client.put(
                "/api/v1/agents/me/state", headers=headers, json={"state": "available"}
            )
            assert resp.status_code == 200, resp.text
        for _ in range(50):
            if any(e.name == "agent.state_changed" for e in received):
                break
            await asyncio.sleep(0.05)
    changed = [e for e in received if e.name == "agent.state_changed"]
    assert changed and changed[0].data["state"] == "available"

"""The Redis event bus: two app nodes share events through the local Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tests.support import notice

from omnivox.core.events import Audience, DomainEvent
from omnivox.core.redis_bus import RESYNC_EVENT, RedisBus, decode, encode

REDIS_URL = os.environ.get("OMNIVOX_TEST_REDIS", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.redis


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}: {exc}")
    finally:
        await client.aclose()
    yield REDIS_URL


@pytest.fixture
async def nodes(redis_url: str) -> AsyncIterator[tuple[RedisBus, RedisBus]]:
    channel = f"omnivox:test:{uuid.uuid4().hex}"  # isolated from parallel test workers
    a = RedisBus(redis_url, channel=channel, node_id="node-a", max_backoff=0.2, poll_seconds=0.1)
    b = RedisBus(redis_url, channel=channel, node_id="node-b", max_backoff=0.2, poll_seconds=0.1)
    await a.start()
    await b.start()
    assert a.ready.is_set() and b.ready.is_set()
    yield a, b
    await a.stop()
    await b.stop()


def _inbox(bus: RedisBus) -> asyncio.Queue[DomainEvent]:
    queue: asyncio.Queue[DomainEvent] = asyncio.Queue()

    async def put(event: DomainEvent) -> None:
        queue.put_nowait(event)

    bus.subscribe(DomainEvent, put, remote=True)
    return queue


def _event(name: str = "test.state_changed") -> DomainEvent:
    return notice(
        name,
        Audience.user("org1", "user1", permission="agents:supervise"),
        datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=UTC),
        state="available",
        missed_count=2,
        call_id=None,
    )


async def test_an_event_published_on_node_a_reaches_node_b(
    nodes: tuple[RedisBus, RedisBus],
) -> None:
    a, b = nodes
    inbox_a, inbox_b = _inbox(a), _inbox(b)
    sent = _event()
    await a.publish(sent)
    assert await asyncio.wait_for(inbox_b.get(), 5) == sent  # audience and time intact
    assert await asyncio.wait_for(inbox_a.get(), 1) == sent  # delivered locally at once
    await asyncio.sleep(0.3)
    assert inbox_a.empty() and inbox_b.empty()  # ... and only once on each node


async def test_a_node_reconnects_and_asks_its_clients_to_resync(
    nodes: tuple[RedisBus, RedisBus], redis_url: str
) -> None:
    a, b = nodes
    inbox_b = _inbox(b)
    admin = Redis.from_url(redis_url)
    try:
        killed = await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        assert int(killed) >= 1
    finally:
        await admin.aclose()
    resync = await asyncio.wait_for(inbox_b.get(), 10)
    assert resync.name == RESYNC_EVENT and b.reconnects >= 1
    await asyncio.wait_for(a.ready.wait(), 10)
    while not inbox_b.empty():
        inbox_b.get_nowait()
    await a.publish(_event("after.reconnect"))
    got = await asyncio.wait_for(inbox_b.get(), 5)
    while got.name == RESYNC_EVENT:  # a's own reconnect may interleave; skip it
        got = await asyncio.wait_for(inbox_b.get(), 5)
    assert got.name == "after.reconnect"


async def test_malformed_messages_are_skipped(
    nodes: tuple[RedisBus, RedisBus], redis_url: str
) -> None:
    _a, b = nodes
    inbox_b = _inbox(b)
    raw = Redis.from_url(redis_url)
    try:
        await raw.publish(b.channel, "not json")
        await raw.publish(b.channel, '{"v": 99}')
        await raw.publish(b.channel, encode(_event("ok.after.garbage"), "node-x"))
    finally:
        await raw.aclose()
    assert (await asyncio.wait_for(inbox_b.get(), 5)).name == "ok.after.garbage"


def test_wire_format_round_trips() -> None:
    event = _event()
    assert decode(encode(event, "n1")) == ("n1", event)

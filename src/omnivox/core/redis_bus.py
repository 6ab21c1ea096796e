"""The Redis pub/sub event bus: fan-out between app nodes.

Same ``EventBus`` protocol as the in-process bus. ``publish`` delivers to this node's
subscribers at once (no round trip through Redis, and it still works if Redis is down),
then sends the event — audience included — as JSON on the deployment's channel. A listener
task re-publishes events from *other* nodes to local subscribers; it reconnects with
back-off when Redis goes away, logging each failure.

Redis pub/sub does not keep messages: what was published while a node was disconnected is
lost to it. After a reconnect the bus therefore delivers a local ``bus.resync`` event, and
the WebSocket hub tells browsers to re-read state from the API (the database is the truth).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from omnivox.core.config import Settings
from omnivox.core.events import (
    Audience,
    AudienceKind,
    BusResynced,
    DomainEvent,
    E,
    InProcessBus,
    Unsubscribe,
    event_from_json,
)
from omnivox.core.logging import get_logger

log = get_logger(__name__)

RESYNC_EVENT = BusResynced.NAME
WIRE_VERSION = 1


def channel_for(settings: Settings) -> str:
    """One channel per deployment: nodes sharing a database share events, and two
    deployments on one Redis never see each other's."""
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    return f"omnivox:events:{digest}"


def encode(event: DomainEvent, node_id: str) -> str:
    a = event.audience
    return json.dumps(
        {
            "v": WIRE_VERSION,
            "node": node_id,
            "name": event.name,
            "at": event.at.isoformat(),
            "audience": {
                "kind": a.kind.value,
                "organization_id": a.organization_id,
                "user_id": a.user_id,
                "permission": a.permission,
            },
            "data": event.data,
        },
        separators=(",", ":"),
    )


def decode(raw: str | bytes) -> tuple[str, DomainEvent]:
    """(sending node, event). Raises ValueError/KeyError/TypeError on a malformed message
    or an event this node's code does not know (a newer node during a rolling upgrade)."""
    msg: dict[str, Any] = json.loads(raw)
    if msg.get("v") != WIRE_VERSION:
        raise ValueError(f"unknown wire version {msg.get('v')!r}")
    aud = msg["audience"]
    audience = Audience(
        AudienceKind(aud["kind"]),
        str(aud.get("organization_id", "")),
        str(aud.get("user_id", "")),
        str(aud.get("permission", "")),
    )
    at = datetime.fromisoformat(msg["at"])
    event = event_from_json(str(msg["name"]), audience, at, dict(msg.get("data") or {}))
    return str(msg["node"]), event


class RedisBus:
    def __init__(
        self,
        url: str,
        *,
        channel: str = "omnivox:events",
        node_id: str | None = None,
        max_backoff: float = 10.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.channel = channel
        self.node_id = node_id or uuid.uuid4().hex[:12]
        self._local = InProcessBus()
        self._redis: Redis[bytes] = Redis.from_url(
            url, socket_connect_timeout=5, health_check_interval=15
        )
        self._max_backoff = max_backoff
        self._poll = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()  # set while subscribed
        self.reconnects = 0

    async def publish(self, event: DomainEvent) -> None:
        await self._local.publish(event)
        if isinstance(event, BusResynced):
            return
        try:
            await self._redis.publish(self.channel, encode(event, self.node_id))
        except (RedisError, OSError):
            # Persisted already; only other nodes' live views miss it until they re-read.
            log.exception("event not fanned out to other nodes", name=event.name)

    def subscribe(
        self, kind: type[E], handler: Callable[[E], Awaitable[None]], *, remote: bool = False
    ) -> Unsubscribe:
        return self._local.subscribe(kind, handler, remote=remote)

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Start listening; waits until subscribed (at most ``wait_seconds``; the listener
        keeps retrying after that, so a node starts even while Redis is down)."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name=f"redis-bus-{self.node_id}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), wait_seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # types-redis 4.x stubs predate aclose(); redis 5+ has it and deprecates close().
        await self._redis.aclose()  # type: ignore[attr-defined]

    async def _listen(self) -> None:
        backoff, first = 0.2, True
        while True:
            try:
                await self._listen_once(first)
            except (RedisError, OSError) as exc:
                log.warning(
                    "redis event bus disconnected; reconnecting",
                    error=f"{type(exc).__name__}: {exc}",
                    retry_in=backoff,
                    node=self.node_id,
                )
            self.ready.clear()
            first = False
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _listen_once(self, first: bool) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)
            self.ready.set()
            if not first:
                self.reconnects += 1
                log.info("redis event bus reconnected", node=self.node_id)
                await self._local.publish(
                    BusResynced(audience=Audience.internal(), at=datetime.now(UTC))
                )
            while True:
                # get_message (not listen) so the health check runs and a dead socket is seen.
                message = await pubsub.get_message(timeout=self._poll)
                if message is not None and message.get("type") == "message":
                    await self._deliver(message["data"])
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()  # type: ignore[attr-defined]

    async def _deliver(self, raw: str | bytes) -> None:
        try:
            node, event = decode(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("malformed event on the bus channel; skipped", channel=self.channel)
            return
        if node != self.node_id:  # our own events were delivered locally at publish
            await self._local.publish(event)

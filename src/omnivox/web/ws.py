"""The WebSocket event hub: ``/ws/events`` pushes live events to signed-in browsers.

Authenticated by the session cookie, exactly as pages are (API tokens are for
integrations, not live views). Each connection receives only the events whose audience
its user may see (:func:`may_receive`), as JSON ``{"name", "at", "data"}``:

* first a ``hello`` with the user's id, organisation and role;
* a ``heartbeat`` every ``heartbeat_seconds``; at each one the session is resolved again,
  so a sign-out, deactivation or role change takes effect within one heartbeat;
* ``resync`` when events may have been lost (the Redis bus reconnected, or this client
  fell too far behind): the page re-reads state from the API. The backend is the truth.

Close codes: 4401 not signed in (or signed out since), 4403 cross-site origin,
4429 the client fell too far behind (it should reconnect and re-read state).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from omnivox.accounts import reach_of
from omnivox.core.errors import PermissionDenied
from omnivox.core.events import Audience, AudienceKind, BusResynced, DomainEvent, EventBus
from omnivox.core.logging import get_logger
from omnivox.core.security.principal import Principal
from omnivox.http import SESSION_COOKIE, AppState, client_address

log = get_logger(__name__)

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_TOO_SLOW = 4429


def may_receive(principal: Principal, audience: Audience) -> bool:
    """Whether this user may see an event with ``audience``. Deny by default."""
    if audience.kind is AudienceKind.INTERNAL:
        return False
    if not audience.organization_id or audience.organization_id != principal.organization_id:
        return False
    needed = audience.permission
    holds = not needed or needed in principal.permissions  # StrEnum: compares as its value
    if audience.kind is AudienceKind.ORGANIZATION:
        return holds
    if audience.kind is AudienceKind.USER:
        # The user it is about, or whoever holds the stated permission (supervisors).
        return principal.user_id == audience.user_id or (bool(needed) and holds)
    return False


async def _resolve(state: AppState, session_id: str, origin: str | None = None) -> Principal | None:
    """The session's person, if it still may use the web UI from ``origin``."""
    if not session_id:
        return None
    async with state.sessions() as session:
        try:
            signed_in = await state.principals.by_session(
                session, session_id, state.clock.now(), origin
            )
        except PermissionDenied:  # outside the organisation's allow-list
            return None
    if signed_in is None or signed_in.mfa_pending:
        return None
    return signed_in.principal


async def _reach(state: AppState, principal: Principal) -> frozenset[str] | None:
    async with state.sessions() as session:
        return await reach_of(session, principal)


def _concerns(event: DomainEvent) -> tuple[bool, str | None]:
    """Whether the event is about an agent or a call, and which agent (None: no agent)."""
    call = getattr(event, "call", None)
    if call is not None:
        return True, getattr(call, "agent_id", None)
    user_id = getattr(event, "user_id", None)
    return (True, user_id) if isinstance(user_id, str) else (False, None)


def in_reach(reach: frozenset[str] | None, event: DomainEvent) -> bool:
    """A supervisor bounded by their teams hears about their agents and those agents'
    calls only (accounts/reach.py); other events are not about one agent."""
    if reach is None:
        return True
    about_agent, agent_id = _concerns(event)
    return not about_agent or (agent_id is not None and agent_id in reach)


def _same_origin(websocket: WebSocket, state: AppState) -> bool:
    """Browsers send Origin on WebSocket handshakes and do not apply CORS to them; without
    this check any site could read a signed-in user's events (cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser; the session cookie is still required
    origin_host = urlsplit(origin).netloc
    allowed = {websocket.headers.get("host", "")}
    if state.settings.public_base_url:
        allowed.add(urlsplit(state.settings.public_base_url).netloc)
    return origin_host in allowed


def _message(name: str, at: datetime, data: dict[str, Any] | None = None) -> str:
    return json.dumps({"name": name, "at": at.isoformat(), "data": data or {}})


class _Connection:
    """One browser: a bounded queue between the hub and the socket."""

    def __init__(self, websocket: WebSocket, principal: Principal, queue_size: int) -> None:
        self.websocket = websocket
        self.principal = principal
        self.reach: frozenset[str] | None = None  # set on connect and each heartbeat
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self.overflowed = asyncio.Event()

    def push(self, text: str) -> None:
        """Never blocks the publisher; a full queue marks the client too slow."""
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed.set()

    async def send_loop(self) -> None:
        while True:
            await self.websocket.send_text(await self.queue.get())

    async def receive_loop(self) -> None:
        while True:
            text = await self.websocket.receive_text()
            with contextlib.suppress(ValueError, AttributeError):
                if json.loads(text).get("type") == "ping":
                    with contextlib.suppress(asyncio.QueueFull):
                        self.queue.put_nowait(_message("pong", datetime.now(UTC)))


class EventHub:
    """The app's connections behind one bus subscription: each event is filtered per
    connection but serialised once, however many browsers receive it."""

    def __init__(self, bus: EventBus) -> None:
        self.connections: set[_Connection] = set()
        # Every event, from this node and others: browsers on this node may see either.
        bus.subscribe(DomainEvent, self.dispatch, remote=True)

    async def dispatch(self, event: DomainEvent) -> None:
        if isinstance(event, BusResynced):
            text = _message("resync", event.at)
            for conn in list(self.connections):
                conn.push(text)
            return
        encoded: str | None = None
        for conn in list(self.connections):
            if not (may_receive(conn.principal, event.audience) and in_reach(conn.reach, event)):
                continue
            if conn.reach is not None:  # bounded: the event as their teams may see it
                conn.push(json.dumps(event.within_reach(conn.reach).to_json()))
                continue
            encoded = encoded or json.dumps(event.to_json())
            conn.push(encoded)

    @staticmethod
    def of(app_state: Any) -> EventHub:
        """The app's hub, built with the app (``create_app``): one per app, so several apps
        with their own buses may share this router."""
        hub: EventHub = app_state.ws_hub
        return hub


async def _heartbeat(
    conn: _Connection, state: AppState, session_id: str, seconds: float, origin: str | None
) -> int:
    """Returns a close code when the session is gone."""
    while True:
        await asyncio.sleep(seconds)
        principal = await _resolve(state, session_id, origin)
        if principal is None:
            return CLOSE_NOT_SIGNED_IN
        conn.principal = principal  # a role change applies from now on
        conn.reach = await _reach(state, principal)  # and a team change
        conn.push(_message("heartbeat", state.clock.now()))


async def _overflow(conn: _Connection) -> int:
    await conn.overflowed.wait()
    return CLOSE_TOO_SLOW


def events_router(*, heartbeat_seconds: float = 25.0, queue_size: int = 256) -> APIRouter:
    router = APIRouter()

    @router.websocket("/ws/events")
    async def events(websocket: WebSocket) -> None:
        state: AppState = websocket.app.state.omnivox
        session_id = websocket.cookies.get(SESSION_COOKIE, "")
        await websocket.accept()  # a close code can only be sent on an accepted socket
        if not _same_origin(websocket, state):
            await websocket.close(CLOSE_FORBIDDEN_ORIGIN, "cross-site WebSocket refused")
            return
        origin = client_address(websocket, state.settings.trusted_proxy_networks) or None
        principal = await _resolve(state, session_id, origin)
        if principal is None:
            await websocket.close(CLOSE_NOT_SIGNED_IN, "sign in to continue")
            return
        conn = _Connection(websocket, principal, queue_size)
        conn.reach = await _reach(state, principal)
        hub = EventHub.of(websocket.app.state)
        hub.connections.add(conn)
        hello = {
            "user_id": principal.user_id,
            "organization_id": principal.organization_id,
            "role": principal.role.value,
            "name": principal.name,
        }
        await websocket.send_text(_message("hello", state.clock.now(), hello))
        tasks: list[asyncio.Task[Any]] = [
            asyncio.create_task(conn.send_loop()),
            asyncio.create_task(conn.receive_loop()),
            asyncio.create_task(_heartbeat(conn, state, session_id, heartbeat_seconds, origin)),
            asyncio.create_task(_overflow(conn)),
        ]
        code: int | None = None
        try:
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if not task.cancelled() and task.exception() is None:
                    code = task.result()
                elif isinstance(task.exception(), WebSocketDisconnect | RuntimeError | OSError):
                    code = None  # the browser went away
                elif (exc := task.exception()) is not None:
                    log.error("event socket failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            hub.connections.discard(conn)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if code is not None and websocket.client_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(code)

    return router


router = events_router()

"""Plugs the dialler into an app: engine, answer handler, bus subscriptions, lifecycle."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from omnivox.agents.handlers import AgentGate
from omnivox.core.events import Event
from omnivox.dialer.answering import CampaignAnswering
from omnivox.dialer.api import router as live_router
from omnivox.dialer.engine import DialerEngine
from omnivox.dialer.lease import Leases
from omnivox.dialer.recovery import AttemptRecovery
from omnivox.http import AppState
from omnivox.media import signing
from omnivox.telephony.runtime import TelephonyRuntime


def node_id() -> str:
    """This app, as other nodes see it in the lease table: unique per app even when two
    share a process (tests) or a restarted container reuses its host name and pid."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def register_dialer(app: FastAPI, state: AppState, runtime: TelephonyRuntime) -> DialerEngine:
    """Create the engine, answer campaign calls with it, feed it the bus, and start and stop
    it with the app (``app.state.dialer.start()`` / ``.stop()`` in the lifespan)."""
    svc = runtime.service
    gate = svc.agents if isinstance(svc.agents, AgentGate) else None
    if gate is None:
        gate = AgentGate(state.sessions, state.clock, state.bus)
    settings = state.settings
    secret = settings.secret_key.get_secret_value()

    def audio_url(ref: str) -> str:
        if ref.startswith(("http://", "https://")):
            return ref
        # An audio file of the library: a signed link the carrier can fetch.
        return signing.signed_url(
            settings.public_url, secret, ref, state.clock.now(), signing.PROMPT_TTL
        )

    answering = CampaignAnswering(svc, gate, audio_url)
    svc.answer_handlers["campaign"] = answering
    engine = DialerEngine(svc, gate, Leases(state.sessions, state.clock, node_id()), answering)
    state.bus.subscribe(engine.call_events())
    state.bus.subscribe(_lifecycle(engine))
    app.state.dialer = engine
    # Attempts a dead node left open are settled by every node's sweep (once a minute).
    recovery = AttemptRecovery(gate)
    runtime.extra_sweeps.append(recovery.sweep)
    app.state.attempt_recovery = recovery
    app.include_router(live_router)

    return engine


def _lifecycle(engine: DialerEngine) -> Callable[[Event], Awaitable[None]]:
    async def handle(event: Event) -> None:
        if event.name.startswith("campaign.") or event.name == "agent.state_changed":
            await engine.on_event(event)

    return handle

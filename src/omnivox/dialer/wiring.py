"""Builds the dialler on the call core: the answer handler for campaign calls, the engine
(one loop per campaign this node leads) and the recovery of attempts a dead node left."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

from omnivox.agents import AgentGate
from omnivox.core.config import Settings
from omnivox.dialer.answering import CampaignAnswering
from omnivox.dialer.engine import DialerEngine
from omnivox.dialer.lease import Leases
from omnivox.dialer.recovery import AttemptRecovery
from omnivox.media import MediaLinks
from omnivox.telephony import TelephonyService


def node_id() -> str:
    """This app, as other nodes see it in the lease table: unique per app even when two
    share a process (tests) or a restarted container reuses its host name and pid."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Dialer:
    answering: CampaignAnswering
    engine: DialerEngine
    recovery: AttemptRecovery


def build_dialer(settings: Settings, svc: TelephonyService, gate: AgentGate) -> Dialer:
    """The dialler. The app subscribes ``engine.follow`` to the bus, starts and stops the
    engine with its lifespan and sweeps ``recovery`` (attempts a dead node left open are
    settled by every node, once a minute)."""
    links = MediaLinks.from_settings(settings)

    def audio_url(ref: str) -> str:
        if ref.startswith(("http://", "https://")):
            return ref
        # An audio file of the library: a signed link the carrier can fetch.
        return links.url(ref, svc.clock.now())

    answering = CampaignAnswering(svc, gate, audio_url)
    engine = DialerEngine(svc, gate, Leases(svc.sessions, svc.clock, node_id()), answering)
    return Dialer(answering, engine, AttemptRecovery(gate))

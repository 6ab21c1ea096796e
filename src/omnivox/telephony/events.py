"""Events of the call core, published after commit.

Each call event carries a :class:`CallSummary` of the call as committed; its audience is the
call's agent (a user audience that also reaches holders of ``calls:read``) or, before an
agent has it, everyone in the organisation who may read calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import Field

from omnivox.core.events import Audience, DomainEvent
from omnivox.core.security.permissions import Permission
from omnivox.telephony.fsm_types import (
    TERMINAL_STATES,
    CallState,
    Direction,
    EndReason,
    OwnerKind,
    ProviderStatus,
    Trigger,
)


@dataclass(frozen=True, kw_only=True)
class OwnerRef:
    kind: OwnerKind
    id: str


@dataclass(frozen=True, kw_only=True)
class CallSummary:
    """What events and list views show of a call (JSON keys as the browser reads them)."""

    id: str
    organization_id: str
    state: CallState
    direction: Direction
    owner: OwnerRef
    agent_id: str | None
    from_: Annotated[str, Field(alias="from")]
    to: str
    end_reason: EndReason | None
    disposition: str | None
    notes: str | None
    flagged: bool
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    end_estimated: bool = False  # ended by reconciliation at the last known event

    @property
    def ended(self) -> bool:
        return self.state in TERMINAL_STATES


@dataclass(frozen=True, kw_only=True)
class LegSummary:
    id: str
    role: str
    target: str
    user_id: str | None
    status: str
    muted: bool
    on_hold: bool
    coaching: bool


@dataclass(frozen=True, kw_only=True)
class RecordingRef:
    id: str
    status: str


def call_audience(call: CallSummary) -> Audience:
    permission = Permission.CALLS_READ.value
    if call.agent_id:
        return Audience.user(call.organization_id, call.agent_id, permission)
    return Audience.organization(call.organization_id, permission)


@dataclass(frozen=True, kw_only=True)
class CallEventBase(DomainEvent):
    """Base of every call event: subscribe to it for all of them."""

    call: CallSummary


@dataclass(frozen=True, kw_only=True)
class CallCreated(CallEventBase):
    NAME = "call.created"


@dataclass(frozen=True, kw_only=True)
class CallStateChanged(CallEventBase):
    """The call's state machine moved; ``call.state`` is the state it entered."""

    NAME = "call.state_changed"
    previous: CallState
    trigger: Trigger

    @property
    def current(self) -> CallState:
        return self.call.state


@dataclass(frozen=True, kw_only=True)
class CallEnded(CallEventBase):
    """The call reached a final state (after its ``CallStateChanged``): reports and
    analytics count it here, once."""

    NAME = "call.ended"
    outcome: CallState
    end_reason: EndReason | None


@dataclass(frozen=True, kw_only=True)
class CallLegChanged(CallEventBase):
    """A conference leg (agent, supervisor, transfer target, third party) changed; an
    unanswered agent leg is read by routing as a declined or missed offer."""

    NAME = "call.leg_changed"
    leg: LegSummary
    outcome: ProviderStatus
    was_joined: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CallRecordingChanged(CallEventBase):
    NAME = "call.recording_changed"
    recording: RecordingRef


@dataclass(frozen=True, kw_only=True)
class CallPartDispositioned(CallEventBase):
    """An agent who had part of a transferred call dispositioned their part."""

    NAME = "call.part_dispositioned"
    agent_id: str
    code: str


@dataclass(frozen=True, kw_only=True)
class CallMuted(CallEventBase):
    NAME = "call.muted"


@dataclass(frozen=True, kw_only=True)
class CallUnmuted(CallEventBase):
    NAME = "call.unmuted"


@dataclass(frozen=True, kw_only=True)
class CallSupervised(CallEventBase):
    """A supervisor listens, whispers or barges."""

    NAME = "call.supervised"
    mode: str
    supervisor_id: str


def line_audience(organization_id: str, user_id: str) -> Audience:
    """The agent, and whoever supervises agents in the organisation."""
    return Audience.user(organization_id, user_id, Permission.AGENTS_SUPERVISE.value)


@dataclass(frozen=True, kw_only=True)
class LineConnected(DomainEvent):
    """The agent's softphone answered their line: a call can reach them with no click.
    ``call_id``: the call the line went straight back into (a reload mid-call)."""

    NAME = "line.connected"
    user_id: str
    call_id: str | None


@dataclass(frozen=True, kw_only=True)
class LineDropped(DomainEvent):
    """The agent's line ended (browser closed or reloaded, network gone, never answered,
    or the agent went offline: ``reason``). ``call_id``: the call it was in."""

    NAME = "line.dropped"
    user_id: str
    reason: str
    call_id: str | None


__all__ = [
    "CallCreated",
    "CallEnded",
    "CallEventBase",
    "CallLegChanged",
    "CallMuted",
    "CallPartDispositioned",
    "CallRecordingChanged",
    "CallStateChanged",
    "CallSummary",
    "CallSupervised",
    "CallUnmuted",
    "LegSummary",
    "LineConnected",
    "LineDropped",
    "OwnerRef",
    "RecordingRef",
    "call_audience",
    "line_audience",
]

"""Events of the voicemail domain, published after commit, each with its audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omnivox.core.events import Audience, DomainEvent, EventBus
from omnivox.core.security.permissions import Permission
from omnivox.voicemail.models import Voicemail


@dataclass(frozen=True, kw_only=True)
class VoicemailSummary:
    id: str
    queue_id: str | None
    box: str
    caller: str
    duration_seconds: int
    status: str
    assigned_to: str | None


def summary(vm: Voicemail) -> VoicemailSummary:
    return VoicemailSummary(
        id=vm.id,
        queue_id=vm.queue_id,
        box=vm.box,
        caller=vm.caller_number,
        duration_seconds=vm.duration_seconds,
        status=vm.status,
        assigned_to=vm.assigned_to,
    )


@dataclass(frozen=True, kw_only=True)
class VoicemailReceived(DomainEvent):
    NAME = "voicemail.received"
    voicemail: VoicemailSummary


@dataclass(frozen=True, kw_only=True)
class VoicemailChanged(DomainEvent):
    NAME = "voicemail.changed"
    voicemail: VoicemailSummary


def received(vm: Voicemail, at: datetime) -> VoicemailReceived:
    audience = Audience.organization(vm.organization_id, permission=Permission.CALLS_READ.value)
    return VoicemailReceived(audience=audience, at=at, voicemail=summary(vm))


def changed(vm: Voicemail, at: datetime) -> list[VoicemailChanged]:
    """``voicemail.changed`` for the supervisors, and for the assignee (who may lack
    calls:read and would otherwise not hear that work landed on them)."""
    data = summary(vm)
    org = Audience.organization(vm.organization_id, permission=Permission.CALLS_READ.value)
    events = [VoicemailChanged(audience=org, at=at, voicemail=data)]
    if vm.assigned_to:
        # The assignee only: a user audience with a permission also reaches its holders.
        mine = Audience.user(vm.organization_id, vm.assigned_to)
        events.append(VoicemailChanged(audience=mine, at=at, voicemail=data))
    return events


async def publish(bus: EventBus | None, *events: DomainEvent) -> None:
    if bus is not None:
        for event in events:
            await bus.publish(event)

"""Events of the voicemail domain, published after commit, each with its audience."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omnivox.core.events import Audience, Event, EventBus
from omnivox.core.security.permissions import Permission
from omnivox.voicemail.models import Voicemail


def summary(vm: Voicemail) -> dict[str, Any]:
    return {
        "id": vm.id,
        "queue_id": vm.queue_id,
        "box": vm.box,
        "caller": vm.caller_number,
        "duration_seconds": vm.duration_seconds,
        "status": vm.status,
        "assigned_to": vm.assigned_to,
    }


def received(vm: Voicemail, at: datetime) -> Event:
    return Event(
        "voicemail.received",
        Audience.organization(vm.organization_id, permission=Permission.CALLS_READ.value),
        at,
        {"voicemail": summary(vm)},
    )


def changed(vm: Voicemail, at: datetime) -> list[Event]:
    """``voicemail.changed`` for the supervisors, and for the assignee (who may lack
    calls:read and would otherwise not hear that work landed on them)."""
    data = {"voicemail": summary(vm)}
    org = Audience.organization(vm.organization_id, permission=Permission.CALLS_READ.value)
    events = [Event("voicemail.changed", org, at, data)]
    if vm.assigned_to:
        # The assignee only: a user audience with a permission also reaches its holders.
        mine = Audience.user(vm.organization_id, vm.assigned_to)
        events.append(Event("voicemail.changed", mine, at, data))
    return events


async def publish(bus: EventBus | None, *events: Event) -> None:
    if bus is not None:
        for event in events:
            await bus.publish(event)

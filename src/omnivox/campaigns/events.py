"""Events of the campaigns domain, published after commit, each with its audience."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omnivox.core.events import Audience, Event, EventBus
from omnivox.core.security.permissions import Permission


def campaign_status_changed(
    org_id: str, campaign_id: str, from_status: str, to_status: str, at: datetime
) -> Event:
    """``campaign.started`` / ``.paused`` / ``.completed``: the dialler loop listens to these."""
    name = {"active": "started", "paused": "paused", "completed": "completed"}[to_status]
    return Event(
        f"campaign.{name}",
        Audience.organization(org_id, permission=Permission.CAMPAIGNS_READ.value),
        at,
        {"campaign_id": campaign_id, "from": from_status, "to": to_status},
    )


def import_progress(org_id: str, at: datetime, data: dict[str, Any]) -> Event:
    return Event(
        "import.progress",
        Audience.organization(org_id, permission=Permission.CONTACTS_IMPORT.value),
        at,
        data,
    )


async def publish(bus: EventBus | None, event: Event) -> None:
    if bus is not None:
        await bus.publish(event)

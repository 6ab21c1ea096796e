"""Events of the campaigns domain, published after commit, each with its audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import Field

from omnivox.core.events import Audience, DomainEvent, EventBus
from omnivox.core.security.permissions import Permission


@dataclass(frozen=True, kw_only=True)
class CampaignStatusChanged(DomainEvent):
    """Base of the lifecycle events: the dialler loop listens to these (from any node)."""

    campaign_id: str
    # ``from`` is a keyword: the wire key keeps the name the browser reads.
    from_: Annotated[str, Field(alias="from")]
    to: str


@dataclass(frozen=True, kw_only=True)
class CampaignStarted(CampaignStatusChanged):
    NAME = "campaign.started"


@dataclass(frozen=True, kw_only=True)
class CampaignPaused(CampaignStatusChanged):
    NAME = "campaign.paused"


@dataclass(frozen=True, kw_only=True)
class CampaignCompleted(CampaignStatusChanged):
    NAME = "campaign.completed"


_BY_STATUS: dict[str, type[CampaignStatusChanged]] = {
    "active": CampaignStarted,
    "paused": CampaignPaused,
    "completed": CampaignCompleted,
}


def campaign_status_changed(
    org_id: str, campaign_id: str, from_status: str, to_status: str, at: datetime
) -> CampaignStatusChanged:
    return _BY_STATUS[to_status](
        audience=Audience.organization(org_id, permission=Permission.CAMPAIGNS_READ.value),
        at=at,
        campaign_id=campaign_id,
        from_=from_status,
        to=to_status,
    )


@dataclass(frozen=True, kw_only=True)
class ImportProgressed(DomainEvent):
    """A contact import moved on (each batch, and at its end)."""

    NAME = "import.progress"
    import_id: str
    list_id: str
    status: str
    rows: int
    imported: int
    duplicates: int
    rejected: int
    dnc: int
    percent: int
    error: str | None


async def publish(bus: EventBus | None, event: DomainEvent) -> None:
    if bus is not None:
        await bus.publish(event)

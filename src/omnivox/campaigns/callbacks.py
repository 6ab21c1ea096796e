"""Scheduled callbacks: personal (one agent) or campaign-wide, due at a wall-clock time in the
contact's zone, stored as UTC, dialled first when due."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import find_user_id
from omnivox.campaigns import campaigns as campaign_service
from omnivox.campaigns import lists
from omnivox.campaigns.models import CampaignList, ScheduledCallback
from omnivox.campaigns.rules import zones_in
from omnivox.campaigns.schemas import CallbackCreate
from omnivox.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal


def due_at_utc(local: datetime, zone: str) -> datetime:
    """A wall-clock time in ``zone`` as aware UTC (a time skipped by DST moves forward)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def schedule_callback(
    session: AsyncSession, actor: Principal, data: CallbackCreate, now: datetime
) -> ScheduledCallback:
    org_id = actor.organization_id
    contact = await lists.get_contact(session, org_id, data.contact_id)
    campaign = await campaign_service.get_campaign(session, org_id, data.campaign_id)
    attached = await session.scalar(
        select(CampaignList.list_id).where(
            CampaignList.campaign_id == campaign.id, CampaignList.list_id == contact.list_id
        )
    )
    if attached is None:
        raise InvalidInput.on("campaign_id", "the contact's list is not attached to this campaign")
    if data.agent_id not in (None, actor.user_id) and not actor.can(Permission.CALLS_SUPERVISE):
        raise PermissionDenied("only a supervisor schedules a callback for someone else")
    if data.agent_id is not None:
        agent = await find_user_id(session, org_id, data.agent_id)
        if agent is None:
            raise InvalidInput.on("agent_id", "unknown user in this organisation")
    if contact.status == "dnc":
        raise Conflict("the contact is on the do-not-call list")
    zone = data.timezone or zones_in(contact.timezone)[0]
    due = due_at_utc(data.due_local, zone)
    if due <= now:
        raise InvalidInput.on("due_local", f"is in the past in {zone}")
    callback = ScheduledCallback(
        organization_id=org_id,
        campaign_id=campaign.id,
        contact_id=contact.id,
        agent_id=data.agent_id,
        due_at=due,
        timezone=zone,
        notes=data.notes,
        created_by=actor.email,
        created_at=now,
    )
    session.add(callback)
    if contact.status in {"new", "retry", "done", "exhausted"}:
        contact.status = "callback"
    await session.commit()
    return callback


async def list_callbacks(
    session: AsyncSession,
    org_id: str,
    *,
    campaign_id: str | None = None,
    status: str | None = None,
    agent_id: str | None = None,
    limit: int = 200,
) -> list[ScheduledCallback]:
    query = select(ScheduledCallback).where(ScheduledCallback.organization_id == org_id)
    if campaign_id:
        query = query.where(ScheduledCallback.campaign_id == campaign_id)
    if status:
        query = query.where(ScheduledCallback.status == status)
    if agent_id:
        query = query.where(ScheduledCallback.agent_id == agent_id)
    rows = await session.scalars(query.order_by(ScheduledCallback.due_at).limit(limit))
    return list(rows.all())


async def cancel_callback(session: AsyncSession, actor: Principal, callback_id: str) -> None:
    callback = await session.scalar(
        select(ScheduledCallback).where(
            ScheduledCallback.id == callback_id,
            ScheduledCallback.organization_id == actor.organization_id,
        )
    )
    if callback is None:
        raise NotFound("callback not found")
    if (
        not actor.can(Permission.CALLS_SUPERVISE)
        and actor.user_id not in (callback.agent_id, None)
        and callback.created_by != actor.email
    ):
        raise PermissionDenied(
            "only its agent, whoever scheduled it, or a supervisor may cancel this callback"
        )
    if callback.status != "scheduled":
        raise Conflict(f"the callback is {callback.status} and can no longer be cancelled")
    callback.status = "cancelled"
    await session.commit()


async def due_callbacks(
    session: AsyncSession, campaign_id: str, now: datetime
) -> list[ScheduledCallback]:
    """Scheduled callbacks of the campaign that are due (personal ones carry agent_id)."""
    rows = await session.scalars(
        select(ScheduledCallback)
        .where(
            ScheduledCallback.campaign_id == campaign_id,
            ScheduledCallback.status == "scheduled",
            ScheduledCallback.due_at <= now,
        )
        .order_by(ScheduledCallback.due_at)
    )
    return list(rows.all())

"""What the dialler needs to know about a campaign to dial it, read in one place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import list_team_member_ids
from omnivox.campaigns import Campaign
from omnivox.core.errors import NotFound


@dataclass(frozen=True)
class DialSettings:
    """Everything the engine needs to know about a campaign to dial it."""

    campaign_id: str
    organization_id: str
    status: str
    dial_mode: str
    caller_ids: list[str]
    amd_action: str
    voicemail_audio: str
    safe_harbour_text: str
    safe_harbour_audio: str
    abandon_rate_cap: Decimal
    abandon_window_hours: int
    agent_user_ids: list[str]  # assigned agents plus members of assigned teams


async def campaign_by_id(session: AsyncSession, campaign_id: str) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign not found")
    return campaign


async def get_dial_settings(session: AsyncSession, campaign_id: str) -> DialSettings:
    c = await campaign_by_id(session, campaign_id)
    members = await list_team_member_ids(session, c.team_ids or ["-"])
    agents = sorted(set(c.agent_ids) | set(members))
    return DialSettings(
        c.id,
        c.organization_id,
        c.status,
        c.dial_mode,
        list(c.caller_ids),
        c.amd_action,
        c.voicemail_audio,
        c.safe_harbour_text,
        c.safe_harbour_audio,
        c.abandon_rate_cap,
        c.abandon_window_hours,
        agents,
    )

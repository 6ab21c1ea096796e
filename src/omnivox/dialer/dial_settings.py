"""What the dialler needs to know about a campaign to dial it, read in one place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import list_team_member_ids
from omnivox.campaigns import DEFAULT_AMD_FALSE_POSITIVE_ESTIMATE, Campaign
from omnivox.core.errors import NotFound

DAILY_WINDOW_HOURS = 24


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
    amd_enabled: bool = True
    amd_false_positive_estimate: Decimal = DEFAULT_AMD_FALSE_POSITIVE_ESTIMATE

    @property
    def daily_window(self) -> bool:
        """The UK (Ofcom) rule: the abandon rate holds over each 24 hours, not 30 days."""
        return self.abandon_window_hours <= DAILY_WINDOW_HOURS

    @property
    def counts_amd_false_positives(self) -> bool:
        """Ofcom counts people AMD hung up on as abandoned calls; the FTC's 30-day rule
        does not. A campaign's rule is told by its window (the organisation's compliance
        settings give the default: 24 h for the UK, 30 days for the US)."""
        return self.daily_window

    @property
    def rule_fp_estimate(self) -> float | None:
        """The false-positive estimate the abandon figures count (None: the rule does not
        count AMD false positives)."""
        return float(self.amd_false_positive_estimate) if self.counts_amd_false_positives else None


async def campaign_by_id(session: AsyncSession, campaign_id: str) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign not found")
    return campaign


async def get_dial_settings(session: AsyncSession, campaign_id: str) -> DialSettings:
    c = await campaign_by_id(session, campaign_id)
    # No team, no members: the common case reads no team table (the dialler asks every tick).
    members = await list_team_member_ids(session, c.team_ids) if c.team_ids else []
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
        c.amd_enabled,
        c.amd_false_positive_estimate,
    )

"""A campaign's live figures, from stored data only (calls, agent states, its status
history): the JSON of ``/api/v1/campaigns/{id}/live`` (the live floor's tiles) and the
campaign page's figures show the same numbers; the wallboard's campaign tiles read the
same ``campaigns_now`` for every active campaign at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns import Campaign
from omnivox.dialer.amd import amd_figures
from omnivox.dialer.dial_settings import DialSettings, get_dial_settings
from omnivox.dialer.floor import (
    CAMPAIGN,
    AgentsNow,
    WindowAsk,
    WindowCounts,
    campaigns_agents_now,
    windows_counts,
)
from omnivox.dialer.pacer import at_cap, cap_notice
from omnivox.telephony import TERMINAL_STATES, Call, CallState

#: A line the campaign holds: placed and not over (ringing, waiting, talking, on hold).
OPEN_STATES = tuple(s.value for s in CallState if s not in {*TERMINAL_STATES, CallState.WRAP_UP})


@dataclass(frozen=True)
class CampaignNow:
    """What the campaign's dialler sees now: its settings, its legal window, its agents
    and the lines it holds."""

    settings: DialSettings
    window: WindowCounts
    agents: AgentsNow
    open_lines: int

    @property
    def cap(self) -> float:
        return float(self.settings.abandon_rate_cap)

    @property
    def at_cap(self) -> bool:
        return at_cap(self.window, self.cap)

    @property
    def dial_ratio(self) -> float:
        """Lines held (ringing, waiting, talking) per agent ready or talking."""
        live = len(self.agents.ready) + len(self.agents.talking_since)
        return self.open_lines / live if live else 0.0


async def campaigns_now(
    db: AsyncSession, org_id: str, campaigns: Sequence[Campaign], now: datetime
) -> dict[str, CampaignNow]:
    """``CampaignNow`` of each of the organisation's ``campaigns``: the windows, agents and
    lines of all of them in one query each, whatever their number."""
    settings = {c.id: await get_dial_settings(db, c.id) for c in campaigns}
    asks = [WindowAsk(c, s.abandon_window_hours, s.rule_fp_estimate) for c, s in settings.items()]
    windows = await windows_counts(db, org_id, asks, now)
    agents = await campaigns_agents_now(
        db, org_id, {c: s.agent_user_ids for c, s in settings.items()}, now
    )
    lines = await _open_lines(db, org_id, list(settings))
    return {c: CampaignNow(s, windows[c], agents[c], lines.get(c, 0)) for c, s in settings.items()}


async def _open_lines(db: AsyncSession, org_id: str, campaign_ids: list[str]) -> dict[str, int]:
    if not campaign_ids:
        return {}
    # The open states listed (not "not terminal"): the (organisation, state) index finds
    # the few open calls instead of reading every call the campaigns ever made.
    rows = await db.execute(
        select(Call.owner_id, func.count())
        .where(
            Call.organization_id == org_id,
            Call.state.in_(OPEN_STATES),
            Call.owner_kind == CAMPAIGN,
            Call.owner_id.in_(campaign_ids),
        )
        .group_by(Call.owner_id)
    )
    return {owner: int(n) for owner, n in rows.all()}


async def campaign_figures(
    db: AsyncSession, campaign: Campaign, now: datetime, amd_delay_sample: int
) -> dict[str, Any]:
    """Dialled, answered, AMD rate, the abandon rate in the legal window against the cap
    (and what the dialler does about it; under the UK rule with AMD false positives
    included), agents by state, lines per agent, AMD's measured accuracy and delay."""
    org_id = campaign.organization_id
    live = (await campaigns_now(db, org_id, [campaign], now))[campaign.id]
    settings, window, agents = live.settings, live.window, live.agents
    mine = (
        Call.organization_id == org_id,
        Call.owner_kind == CAMPAIGN,
        Call.owner_id == campaign.id,
    )
    dialled, answered, machines = (
        await db.execute(
            select(
                func.count(),
                func.count().filter(Call.answered_at.is_not(None)),
                func.count().filter(func.coalesce(Call.end_reason, "") == "machine"),
            ).where(*mine)
        )
    ).one()
    cap = live.cap
    capped = live.at_cap
    active = settings.status == "active"
    return {
        "campaign_id": campaign.id,
        "status": settings.status,
        "dial_mode": settings.dial_mode,
        "dialled": int(dialled),
        "answered": int(answered),
        "amd_rate": int(machines) / int(answered) if answered else 0.0,
        "abandoned": window.abandons,
        "live_answers": window.live_answers,
        # The abandon rate as the law counts it: under the UK rule the people AMD hung up
        # on (reviewed ones, plus the estimate's share of unreviewed machine verdicts) count
        # as answered and abandoned.
        "abandon_rate": window.rate,
        "counts_amd_false_positives": settings.counts_amd_false_positives,
        "amd_false_positives": window.amd_false_positives,
        "amd_machine_verdicts": window.machine_verdicts,
        "amd_reviewed_people": window.reviewed_people,
        "abandon_rate_cap": cap,
        "abandon_window_hours": settings.abandon_window_hours,
        "at_cap": capped,
        # Why the campaign dials less than it could (at its cap), or stopped by itself.
        "cap_notice": cap_notice(window, cap, settings.abandon_window_hours, agents)
        if capped and active
        else None,
        "agents": agents.by_state(),
        "agents_assigned": len(settings.agent_user_ids),
        # Lines held (ringing, waiting, talking) per agent ready or talking.
        "dial_ratio": live.dial_ratio,
        "amd_enabled": settings.amd_enabled,
        "amd": await amd_figures(
            db,
            org_id,
            campaign.id,
            float(settings.amd_false_positive_estimate),
            amd_delay_sample,
        ),
    }

"""A campaign's live figures, from stored data only (calls, agent states, its status
history): the JSON of ``/api/v1/campaigns/{id}/live`` (the live floor's tiles) and the
campaign page's figures show the same numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns import Campaign
from omnivox.dialer.amd import amd_figures
from omnivox.dialer.dial_settings import get_dial_settings
from omnivox.dialer.floor import CAMPAIGN, agents_now, window_counts
from omnivox.dialer.pacer import at_cap, cap_notice
from omnivox.telephony import TERMINAL_STATES, Call, CallState


async def campaign_figures(
    db: AsyncSession, campaign: Campaign, now: datetime, amd_delay_sample: int
) -> dict[str, Any]:
    """Dialled, answered, AMD rate, the abandon rate in the legal window against the cap
    (and what the dialler does about it; under the UK rule with AMD false positives
    included), agents by state, lines per agent, AMD's measured accuracy and delay."""
    org_id = campaign.organization_id
    settings = await get_dial_settings(db, campaign.id)
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
    window = await window_counts(
        db, org_id, campaign.id, now, settings.abandon_window_hours, settings.rule_fp_estimate
    )
    agents = await agents_now(db, org_id, settings.agent_user_ids, now)
    live = len(agents.ready) + len(agents.talking_since)
    open_lines = await db.scalar(
        select(func.count()).where(*mine, Call.state.not_in([*TERMINAL_STATES, CallState.WRAP_UP]))
    )
    cap = float(settings.abandon_rate_cap)
    capped = at_cap(window, cap)
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
        "dial_ratio": (int(open_lines or 0) / live) if live else 0.0,
        "amd_enabled": settings.amd_enabled,
        "amd": await amd_figures(
            db,
            org_id,
            campaign.id,
            float(settings.amd_false_positive_estimate),
            amd_delay_sample,
        ),
    }

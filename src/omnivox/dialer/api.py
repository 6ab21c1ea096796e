"""Live campaign statistics, from stored data only (calls, attempts, agent states)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select

from omnivox.campaigns import get_dial_settings
from omnivox.campaigns.campaigns import get_campaign
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.dialer.floor import CAMPAIGN, agents_now, window_counts
from omnivox.telephony.models import Call
from omnivox.web.deps import DB, Allow, State

router = APIRouter(prefix="/api/v1/campaigns", tags=["dialer"])


@router.get("/{campaign_id}/live")
async def live_stats(
    campaign_id: str, db: DB, state: State, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> dict[str, Any]:
    campaign = await get_campaign(db, actor.organization_id, campaign_id)  # tenant check
    settings = await get_dial_settings(db, campaign.id)
    now = state.clock.now()
    mine = (
        Call.organization_id == actor.organization_id,
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
        db, actor.organization_id, campaign.id, now, settings.abandon_window_hours
    )
    agents = await agents_now(db, actor.organization_id, settings.agent_user_ids)
    live = len(agents.ready) + len(agents.talking_since)
    open_lines = await db.scalar(
        select(func.count()).where(
            *mine,
            Call.state.not_in(
                ["completed", "failed", "busy", "no_answer", "canceled", "abandoned", "wrap_up"]
            ),
        )
    )
    return {
        "campaign_id": campaign.id,
        "status": settings.status,
        "dial_mode": settings.dial_mode,
        "dialled": int(dialled),
        "answered": int(answered),
        "amd_rate": int(machines) / int(answered) if answered else 0.0,
        "abandoned": window.abandons,
        "live_answers": window.live_answers,
        "abandon_rate": window.rate,
        "abandon_rate_cap": float(settings.abandon_rate_cap),
        "abandon_window_hours": settings.abandon_window_hours,
        "at_cap": window.live_answers > 0 and window.rate >= float(settings.abandon_rate_cap),
        "agents": agents.by_state(),
        # Lines held (ringing, waiting, talking) per agent ready or talking.
        "dial_ratio": (int(open_lines or 0) / live) if live else 0.0,
    }

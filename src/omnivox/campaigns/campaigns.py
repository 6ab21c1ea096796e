"""Campaigns: create, edit, attach lists, and the lifecycle with its history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import (
    Organization,
    TeamMember,
    User,
    audit_snapshot,
    audited_update,
    disposition_codes,
    find_organization,
    known_team_ids,
    known_user_ids,
    record_audit,
)
from omnivox.campaigns import events
from omnivox.campaigns.errors import CampaignNotReady, CampaignTransitionRefused
from omnivox.campaigns.models import Campaign, CampaignList, CampaignStatusChange, ContactList
from omnivox.campaigns.schemas import DEFAULT_RETRY_RULES, CampaignCreate, CampaignUpdate
from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from omnivox.core.events import EventBus
from omnivox.core.security.permissions import ROLE_PERMISSIONS, Permission
from omnivox.core.security.principal import Principal
from omnivox.media import find_audio_id
from omnivox.routing import check_presentable_caller_ids, presentable_caller_ids

# from-status -> allowed to-statuses
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "completed"}),
    "active": frozenset({"paused", "completed"}),
    "paused": frozenset({"active", "completed"}),
    "completed": frozenset(),
}


async def list_campaigns(session: AsyncSession, org_id: str) -> list[Campaign]:
    query = select(Campaign).where(Campaign.organization_id == org_id).order_by(Campaign.name)
    return list((await session.scalars(query)).all())


async def get_campaign(session: AsyncSession, org_id: str, campaign_id: str) -> Campaign:
    found = await session.scalar(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.organization_id == org_id)
    )
    if found is None:
        raise NotFound("campaign not found")
    return found


async def list_ids_of(session: AsyncSession, campaign_id: str) -> list[str]:
    rows = await session.scalars(
        select(CampaignList.list_id).where(CampaignList.campaign_id == campaign_id)
    )
    return sorted(rows.all())


Known = Callable[[AsyncSession, str, list[str]], Awaitable[set[str]]]
"""``(session, org_id, ids)`` -> those of ``ids`` the organisation has."""


async def _known_list_ids(session: AsyncSession, org_id: str, ids: list[str]) -> set[str]:
    return set(
        (
            await session.scalars(
                select(ContactList.id).where(
                    ContactList.id.in_(ids), ContactList.organization_id == org_id
                )
            )
        ).all()
    )


async def _check_ids(
    session: AsyncSession, org_id: str, known: Known, ids: list[str], field: str
) -> None:
    if not ids:
        return
    found = await known(session, org_id, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput.on(field, f"unknown in this organisation: {', '.join(missing[:5])}")


async def _check_rules(session: AsyncSession, org_id: str, rules: list[dict[str, Any]]) -> None:
    codes = await disposition_codes(session, org_id)
    for i, rule in enumerate(rules):
        if rule["code"] not in codes:
            raise InvalidInput.on(
                f"retry_rules.{i}.code", f"unknown disposition code {rule['code']!r}"
            )


async def _validate(
    session: AsyncSession, org_id: str, values: dict[str, Any], campaign: Campaign | None
) -> None:
    if "retry_rules" in values:
        values["retry_rules"] = [{**r, "code": r["code"].upper()} for r in values["retry_rules"]]
        await _check_rules(session, org_id, values["retry_rules"])
    await _check_ids(session, org_id, known_user_ids, values.get("agent_ids") or [], "agent_ids")
    await _check_ids(session, org_id, known_team_ids, values.get("team_ids") or [], "team_ids")
    await _check_ids(session, org_id, _known_list_ids, values.get("list_ids") or [], "list_ids")
    start = values.get("window_start", campaign.window_start if campaign else None)
    end = values.get("window_end", campaign.window_end if campaign else None)
    if start is not None and end is not None and start >= end:
        raise InvalidInput.on("window_start", "must be before window_end")
    action = values.get("amd_action", campaign.amd_action if campaign else "hangup")
    audio = values.get("voicemail_audio", campaign.voicemail_audio if campaign else "")
    if action == "voicemail_drop" and not audio:
        raise InvalidInput.on("voicemail_audio", "a voicemail drop needs an audio reference")
    for field in ("voicemail_audio", "safe_harbour_audio"):
        await _check_audio(session, org_id, values.get(field) or "", field)
    if values.get("caller_ids"):
        org = await _organization(session, org_id)
        await check_presentable_caller_ids(session, org, values["caller_ids"], "caller_ids")


async def _check_audio(session: AsyncSession, org_id: str, ref: str, field: str) -> None:
    """An audio reference that is not a URL names a file of the organisation's own
    library (the dialler signs links to it for the carrier): never another tenant's."""
    if not ref or ref.startswith(("http://", "https://")):
        return
    owned = await find_audio_id(session, org_id, ref)
    if owned is None:
        raise InvalidInput.on(field, "no audio file with that id in your library")


async def _set_lists(session: AsyncSession, campaign_id: str, list_ids: list[str]) -> None:
    await session.execute(delete(CampaignList).where(CampaignList.campaign_id == campaign_id))
    for list_id in dict.fromkeys(list_ids):
        session.add(CampaignList(campaign_id=campaign_id, list_id=list_id))


async def _organization(session: AsyncSession, org_id: str) -> Organization:
    org = await find_organization(session, org_id)
    if org is None:
        raise NotFound("organisation not found")
    return org


async def create_campaign(
    session: AsyncSession, actor: Principal, data: CampaignCreate
) -> Campaign:
    org = await _organization(session, actor.organization_id)
    values = data.model_dump(exclude_none=True, mode="python")
    values.setdefault("retry_rules", [r.model_dump() for r in DEFAULT_RETRY_RULES])
    await _validate(session, org.id, values, None)
    list_ids = values.pop("list_ids", [])
    defaults: dict[str, Any] = {
        "caller_ids": list(org.default_caller_ids),
        "window_start": org.calling_window_start,
        "window_end": org.calling_window_end,
        "calling_days": list(range(7)),
        "abandon_rate_cap": org.abandon_rate_cap,
        "abandon_window_hours": org.abandon_window_hours,
    }
    given = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    campaign = Campaign(organization_id=org.id, **{**defaults, **given})
    session.add(campaign)
    await _flush_unique(session, data.name)
    await _set_lists(session, campaign.id, list_ids)
    record_audit(
        session, actor, "campaign.create", "campaign", campaign.id, after=audit_snapshot(campaign)
    )
    await session.commit()
    return campaign


async def _flush_unique(session: AsyncSession, name: str) -> None:
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a campaign named {name!r} already exists",
            problems=[FieldProblem("name", "already used")],
        ) from None


async def update_campaign(
    session: AsyncSession, actor: Principal, campaign_id: str, data: CampaignUpdate
) -> Campaign:
    campaign = await get_campaign(session, actor.organization_id, campaign_id)
    values = data.model_dump(exclude_unset=True, exclude_none=True, mode="python")
    await _validate(session, actor.organization_id, values, campaign)
    list_ids = values.pop("list_ids", None)

    async def save() -> None:
        await _flush_unique(session, campaign.name)
        if list_ids is not None:
            await _set_lists(session, campaign.id, list_ids)

    changes = {k: v.value if hasattr(v, "value") else v for k, v in values.items()}
    return await audited_update(
        session,
        actor,
        campaign,
        changes,
        action="campaign.update",
        entity_type="campaign",
        then=save,
    )


async def delete_campaign(session: AsyncSession, actor: Principal, campaign_id: str) -> None:
    campaign = await get_campaign(session, actor.organization_id, campaign_id)
    if campaign.status == "active":
        raise Conflict("pause or complete the campaign before deleting it")
    record_audit(
        session, actor, "campaign.delete", "campaign", campaign.id, before=audit_snapshot(campaign)
    )
    await session.delete(campaign)
    await session.commit()


async def change_status(
    session: AsyncSession,
    bus: EventBus | None,
    actor: Principal,
    campaign_id: str,
    to_status: str,
    now: datetime,
) -> Campaign:
    """Move the campaign through its lifecycle, record who did it, then announce it."""
    campaign = await get_campaign(session, actor.organization_id, campaign_id)
    from_status = campaign.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise CampaignTransitionRefused(f"a {from_status} campaign cannot become {to_status}")
    if to_status == "active":
        await _check_ready(session, campaign)
    campaign.status = to_status
    session.add(
        CampaignStatusChange(
            campaign_id=campaign.id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.user_id or None,
            actor_email=actor.email,
            at=now,
        )
    )
    await session.commit()
    await events.publish(
        bus,
        events.campaign_status_changed(
            campaign.organization_id, campaign.id, from_status, to_status, now
        ),
    )
    return campaign


async def _check_ready(session: AsyncSession, campaign: Campaign) -> None:
    if not campaign.caller_ids:
        raise CampaignNotReady("add at least one caller ID before starting the campaign")
    org = await _organization(session, campaign.organization_id)
    stale = sorted(set(campaign.caller_ids) - await presentable_caller_ids(session, org))
    if stale:
        raise CampaignNotReady(
            f"caller ID {stale[0]} is no longer one of the organisation's numbers or caller "
            "IDs; change the campaign's caller IDs before starting it"
        )
    lists = await session.scalar(
        select(func.count())
        .select_from(CampaignList)
        .where(CampaignList.campaign_id == campaign.id)
    )
    if not lists:
        raise CampaignNotReady("attach at least one contact list before starting the campaign")
    if not await campaign_agents(session, campaign):
        raise CampaignNotReady(
            "assign at least one agent (or a team with members) before starting the "
            "campaign: nobody would take its calls"
        )


#: Roles whose users can work calls as agents.
AGENT_ROLES = sorted(
    role.value
    for role, granted in ROLE_PERMISSIONS.items()
    if Permission.AGENT_STATE_OWN in granted
)


async def campaign_agents(session: AsyncSession, campaign: Campaign) -> list[str]:
    """Active users who can work the campaign's calls: assigned, or members of an assigned
    team, with a role that takes calls."""
    members = await session.scalars(
        select(TeamMember.user_id).where(TeamMember.team_id.in_(campaign.team_ids or ["-"]))
    )
    wanted = set(campaign.agent_ids or []) | set(members.all())
    if not wanted:
        return []
    rows = await session.scalars(
        select(User.id).where(
            User.id.in_(wanted),
            User.organization_id == campaign.organization_id,
            User.is_active.is_(True),
            User.role.in_(AGENT_ROLES),
        )
    )
    return sorted(rows.all())


async def list_assignable_agents(session: AsyncSession, org_id: str) -> list[User]:
    """The people a campaign page offers to assign: active users who take calls."""
    rows = await session.scalars(
        select(User)
        .where(User.organization_id == org_id, User.is_active.is_(True), User.role.in_(AGENT_ROLES))
        .order_by(User.name, User.id)
    )
    return list(rows.all())


async def status_history(
    session: AsyncSession, org_id: str, campaign_id: str
) -> list[CampaignStatusChange]:
    await get_campaign(session, org_id, campaign_id)
    rows = await session.scalars(
        select(CampaignStatusChange)
        .where(CampaignStatusChange.campaign_id == campaign_id)
        .order_by(CampaignStatusChange.at, CampaignStatusChange.id)
    )
    return list(rows.all())

"""Agent-driven campaign modes: who may use a campaign, which gate refuses a contact, and
preview's hold on the next contact.

Preview: an agent of an active preview campaign asks for the next contact. It comes from the
dialler's own selection (``select_dialable_contacts``: due callbacks, then priority, then
the longest waiting; the calling window in the contact's zone, DNC, max attempts, the retry
delay and the 72-hour hold after an abandoned call) and is held for that agent for
``PREVIEW_HOLD`` (a conditional UPDATE: of two agents racing for one contact exactly one
wins). A held contact is invisible to every other agent and to the automatic dialler; a hold
nobody acts on simply expires and the contact is back in the pool. Skip lets it go at once.

Calls (Call on a preview card, or a manual dial) are placed by ``manual.place_for_agent``;
when one is answered, ``answer_agent_call`` joins the agent who placed it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns import (
    ABANDON_REDIAL_HOLD,
    DIALABLE_STATUSES,
    Block,
    Campaign,
    CampaignList,
    Contact,
    ContactView,
    ScheduledCallback,
    blocks,
    get_campaign,
    get_contact,
    is_dnc,
    zones_in,
)
from omnivox.core.errors import Conflict, NotFound, PermissionDenied
from omnivox.core.security.principal import Principal
from omnivox.dialer.contacts import not_reserved, select_dialable_contacts, window_of
from omnivox.dialer.dial_settings import DialSettings, get_dial_settings
from omnivox.telephony import Call, Instruction, TelephonyService

PREVIEW_HOLD = timedelta(seconds=120)
AGENT_MODES = ("preview", "manual")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_STATUS_SENTENCES = {
    "dnc": "{phone} is on the do-not-call list (disposition {last})",
    "dialing": "the contact is being dialled now",
    "done": "the contact is done (final disposition {last})",
    "exhausted": "the contact has used every attempt its retry rules allow (last: {last})",
}


class CampaignNotDialable(Conflict):
    code = "campaign-not-dialable"


class PreviewExpired(Conflict):
    code = "preview-expired"


class ContactTaken(Conflict):
    code = "contact-taken"


# --- who may use which campaign ----------------------------------------------------------


async def campaign_for_agent(
    db: AsyncSession, actor: Principal, campaign_id: str, mode: str
) -> tuple[Campaign, DialSettings]:
    """The campaign, if the actor is one of its agents (assigned, or through a team) and it
    is an active campaign of ``mode``: 404 for another organisation's, 403 when not theirs,
    409 when paused, finished or dialled by the dialler."""
    campaign = await get_campaign(db, actor.organization_id, campaign_id)
    settings = await get_dial_settings(db, campaign.id)
    if actor.user_id not in settings.agent_user_ids:
        raise PermissionDenied("you are not assigned to this campaign")
    if campaign.dial_mode != mode:
        raise CampaignNotDialable(
            f"{campaign.name} is a {campaign.dial_mode} campaign, not a {mode} one"
        )
    if campaign.status != "active":
        raise CampaignNotDialable(f"{campaign.name} is {campaign.status}, not active")
    return campaign, settings


async def campaigns_of_agent(db: AsyncSession, actor: Principal) -> list[Campaign]:
    """The preview and manual campaigns the actor works on (any status), by name."""
    rows = await db.scalars(
        select(Campaign)
        .where(
            Campaign.organization_id == actor.organization_id,
            Campaign.dial_mode.in_(AGENT_MODES),
            Campaign.status != "completed",
        )
        .order_by(Campaign.name)
    )
    mine = []
    for campaign in rows.all():
        if actor.user_id in (await get_dial_settings(db, campaign.id)).agent_user_ids:
            mine.append(campaign)
    return mine


def campaign_lists(campaign_id: str) -> Select[str]:
    return select(CampaignList.list_id).where(CampaignList.campaign_id == campaign_id)


async def campaign_contact(
    db: AsyncSession, org_id: str, campaign: Campaign, contact_id: str
) -> Contact:
    contact = await get_contact(db, org_id, contact_id)  # 404 for another organisation's
    attached = await db.scalar(
        select(CampaignList.list_id).where(
            CampaignList.campaign_id == campaign.id, CampaignList.list_id == contact.list_id
        )
    )
    if attached is None:
        raise NotFound("the contact is not in this campaign's lists")
    return contact


# --- the gates, with the reason ------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    reason: str | None  # None: the contact may be dialled now
    callback_id: str | None = None  # a due callback this call fulfils


def held_by(contact: Contact, user_id: str, now: datetime) -> bool:
    return (
        contact.reserved_by == user_id
        and contact.reserved_until is not None
        and contact.reserved_until > now
    )


async def check_contact(
    db: AsyncSession, campaign: Campaign, contact: Contact, now: datetime, agent_id: str
) -> Verdict:
    """Every gate of the dialler's selection, for one contact, with the first refusal as a
    sentence the agent can act on."""
    if (
        contact.reserved_until is not None
        and contact.reserved_until > now
        and contact.reserved_by != agent_id
    ):
        return Verdict("another agent is previewing this contact")
    callback = await db.scalar(
        select(ScheduledCallback)
        .where(
            ScheduledCallback.contact_id == contact.id,
            ScheduledCallback.campaign_id == campaign.id,
            ScheduledCallback.status == "scheduled",
            ScheduledCallback.due_at <= now,
            or_(ScheduledCallback.agent_id.is_(None), ScheduledCallback.agent_id == agent_id),
        )
        .order_by(ScheduledCallback.due_at)
        .limit(1)
    )
    if contact.status == "callback" and callback is None:
        return Verdict(await _callback_pending(db, campaign, contact))
    on_dnc = await is_dnc(db, campaign.organization_id, campaign.id, contact.phone)
    view = ContactView(
        contact.phone,
        contact.timezone,
        contact.status,
        contact.attempts,
        contact.next_attempt_at,
        contact.last_abandoned_at,
    )
    found = blocks(
        view,
        window=window_of(campaign),
        max_attempts=campaign.max_attempts,
        dnc=(contact.phone,) if on_dnc else (),
        now=now,
        callback_due=callback is not None,
    )
    if not found:
        return Verdict(None, callback.id if callback is not None else None)
    return Verdict(_sentence(found[0], campaign, contact, now))


async def _callback_pending(db: AsyncSession, campaign: Campaign, contact: Contact) -> str:
    due = await db.scalar(
        select(ScheduledCallback.due_at)
        .where(
            ScheduledCallback.contact_id == contact.id,
            ScheduledCallback.campaign_id == campaign.id,
            ScheduledCallback.status == "scheduled",
        )
        .order_by(ScheduledCallback.due_at)
        .limit(1)
    )
    if due is None:
        return "the contact waits for a callback that is no longer scheduled"
    return f"the contact waits for a scheduled callback ({due:%Y-%m-%d %H:%M} UTC)"


def _sentence(block: Block, campaign: Campaign, contact: Contact, now: datetime) -> str:
    if block is Block.STATUS:
        return _STATUS_SENTENCES.get(
            contact.status, "the contact cannot be dialled: it is {s}"
        ).format(s=contact.status, phone=contact.phone, last=contact.last_disposition or "—")
    if block is Block.DNC:
        return f"{contact.phone} is on the do-not-call list"
    if block is Block.OUTSIDE_WINDOW:
        days = ", ".join(_DAYS[d] for d in sorted(campaign.calling_days))
        zone = zones_in(contact.timezone)[0] if contact.timezone else "UTC"
        local = now.astimezone(ZoneInfo(zone))
        return (
            f"outside the calling window: it is {local:%a %H:%M} in the contact's time zone "
            f"({contact.timezone}); the campaign calls {campaign.window_start:%H:%M}-"
            f"{campaign.window_end:%H:%M} on {days}"
        )
    if block is Block.MAX_ATTEMPTS:
        return (
            f"the contact has had {contact.attempts} attempts, the campaign's maximum "
            f"is {campaign.max_attempts}"
        )
    if block is Block.NOT_YET_DUE:
        assert contact.next_attempt_at is not None
        return f"the next attempt is not due before {contact.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    assert contact.last_abandoned_at is not None
    until = contact.last_abandoned_at + ABANDON_REDIAL_HOLD
    return (
        "a call to this contact was abandoned less than 72 hours ago; it may be dialled "
        f"again from {until:%Y-%m-%d %H:%M} UTC"
    )


# --- preview holds ---------------------------------------------------------------------------


async def release_holds(db: AsyncSession, agent_id: str, contact_id: str | None = None) -> int:
    """Let the agent's held contacts (or one of them) go back to the pool. Commits."""
    query = update(Contact).where(Contact.reserved_by == agent_id)
    if contact_id is not None:
        query = query.where(Contact.id == contact_id)
    result = await db.execute(
        query.values(reserved_by=None, reserved_until=None).execution_options(
            synchronize_session=False
        )
    )
    await db.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _hold(db: AsyncSession, contact_id: str, agent_id: str, now: datetime) -> bool:
    result = await db.execute(
        update(Contact)
        .where(
            Contact.id == contact_id,
            Contact.status.in_(DIALABLE_STATUSES),
            not_reserved(now),
        )
        .values(reserved_by=agent_id, reserved_until=now + PREVIEW_HOLD)
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def next_preview(
    db: AsyncSession,
    campaign: Campaign,
    agent_id: str,
    now: datetime,
    exclude: Collection[str] = (),
    never: Collection[str] = (),
) -> Contact | None:
    """The contact held for the agent in this campaign (still dialable), or the next one
    the dialler's selection gives, now held for them; None when there is none now.

    ``exclude``: contacts the agent skipped earlier, offered again only when nothing else
    can be; ``never``: the contact being skipped right now."""
    held = await db.scalar(
        select(Contact)
        .where(
            Contact.reserved_by == agent_id,
            Contact.reserved_until > now,
            Contact.list_id.in_(campaign_lists(campaign.id)),
        )
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if (
        held is not None
        and held.id not in never
        and (await check_contact(db, campaign, held, now, agent_id)).reason is None
    ):
        return held
    await release_holds(db, agent_id)  # one preview at a time
    candidates = await select_dialable_contacts(
        db, campaign.id, now, 5 + len(exclude) + len(never), agent_ids=[agent_id]
    )
    fresh = [c for c in candidates if c.contact_id not in exclude and c.contact_id not in never]
    again = [c for c in candidates if c.contact_id in exclude and c.contact_id not in never]
    for candidate in fresh + again:
        if await _hold(db, candidate.contact_id, agent_id, now):
            return await db.get(Contact, candidate.contact_id, populate_existing=True)
    return None


# --- the answer ----------------------------------------------------------------------------


async def answer_agent_call(svc: TelephonyService, call: Call) -> Sequence[Instruction]:
    """A preview or manual call was answered: the agent who placed it (reserved for it since
    the dial) joins the conference. No safe-harbour timer and no AMD: nobody else is
    waited for, and a person dialled this contact on purpose."""
    assert call.agent_id is not None
    await svc.add_agent_leg(call, call.agent_id)
    return (svc.customer_conference(call, waits_for_agent=False, wait_url=""),)

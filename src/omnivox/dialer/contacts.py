"""Which contacts the dialler may dial now, and taking one for a call.

Selection applies every gate that needs no telephony — the calling window in the contact's
own zone, DNC (organisation and campaign), max attempts, the retry delay and the 72-hour
hold after an abandoned call — in SQL, then re-checks each candidate with the pure gates
(``campaigns.rules``). A contact held for an agent's preview is nobody else's to dial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.campaigns import (
    ABANDON_REDIAL_HOLD,
    DIALABLE_STATUSES,
    DNC_ORG_SCOPE,
    CallingWindow,
    Campaign,
    CampaignList,
    Contact,
    ContactView,
    DncEntry,
    ScheduledCallback,
    blocks,
    open_zone_keys,
)
from omnivox.dialer.dial_settings import campaign_by_id


@dataclass(frozen=True)
class DialCandidate:
    contact_id: str
    phone: str
    timezone: str
    priority: int
    callback_id: str | None = None
    agent_id: str | None = None  # a personal callback: only this agent may take it


def window_of(campaign: Campaign) -> CallingWindow:
    return CallingWindow(
        campaign.window_start, campaign.window_end, frozenset(campaign.calling_days)
    )


def _not_dnc(campaign: Campaign) -> ColumnElement[bool]:
    return ~exists().where(
        DncEntry.organization_id == campaign.organization_id,
        DncEntry.scope.in_([DNC_ORG_SCOPE, campaign.id]),
        DncEntry.phone == Contact.phone,
    )


def previewing_agents(org_id: str, now: datetime) -> Select[str | None]:
    """The agents of the organisation holding a live preview: they are about to dial it,
    so neither routing nor another campaign's dialler counts them ready."""
    return select(Contact.reserved_by).where(
        Contact.organization_id == org_id,
        Contact.reserved_by.is_not(None),
        Contact.reserved_until > now,
    )


def not_reserved(now: datetime) -> ColumnElement[bool]:
    """No agent holds the contact for a preview (an expired hold counts as none)."""
    return or_(Contact.reserved_until.is_(None), Contact.reserved_until <= now)


async def claim_contact(
    session: AsyncSession,
    contact_id: str,
    now: datetime,
    *,
    agent_id: str | None = None,
    commit: bool = True,
) -> bool:
    """Take the contact for one call, atomically: it must still be dialable and not held
    for another agent's preview (``agent_id`` may use its own hold, which ends here).
    Exactly one of two racing claims wins; the winner's contact is ``dialing``. Commits
    unless ``commit`` is False: the dialler commits the claim with the attempt it opens, so
    a contact is never ``dialing`` without an open attempt (``dialer/recovery.py``)."""
    free = not_reserved(now)
    if agent_id is not None:
        free = or_(free, Contact.reserved_by == agent_id)
    result = await session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.status.in_(DIALABLE_STATUSES), free)
        .values(status="dialing", reserved_by=None, reserved_until=None)
        .execution_options(synchronize_session=False)
    )
    won = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if commit or not won:
        await session.commit()
    return won


def _view(c: Contact) -> ContactView:
    return ContactView(
        c.phone, c.timezone, c.status, c.attempts, c.next_attempt_at, c.last_abandoned_at
    )


async def select_dialable_contacts(
    session: AsyncSession,
    campaign_id: str,
    now: datetime,
    limit: int,
    *,
    agent_guaranteed: bool = False,
    agent_ids: Sequence[str] | None = None,
) -> list[DialCandidate]:
    """Up to ``limit`` contacts to dial now: due callbacks first (by due time), then by
    priority (highest first), then the longest waiting. ``agent_ids``, when given, limits
    personal callbacks to those agents; ``agent_guaranteed`` lifts the 72-hour hold after
    an abandoned call (an agent is reserved for this call)."""
    campaign = await campaign_by_id(session, campaign_id)
    list_ids = select(CampaignList.list_id).where(CampaignList.campaign_id == campaign.id)
    zones = await session.scalars(
        select(Contact.timezone)
        .where(Contact.list_id.in_(list_ids), Contact.status.in_(DIALABLE_STATUSES))
        .distinct()
    )
    window = window_of(campaign)
    open_keys = open_zone_keys(window, zones.all(), now)
    if limit <= 0 or not open_keys:
        return []
    gates = [
        Contact.list_id.in_(list_ids),
        Contact.timezone.in_(open_keys),
        Contact.status.in_(DIALABLE_STATUSES),
        _not_dnc(campaign),
        not_reserved(now),
    ]
    if not agent_guaranteed:
        gates.append(
            or_(
                Contact.last_abandoned_at.is_(None),
                Contact.last_abandoned_at <= now - ABANDON_REDIAL_HOLD,
            )
        )
    picked = await _due_callbacks(session, campaign, gates, now, limit, agent_ids)
    taken = {p[0].id for p in picked}
    rest = await session.scalars(
        select(Contact)
        .where(
            *gates,
            Contact.status.in_(["new", "retry"]),
            Contact.attempts < campaign.max_attempts,
            or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= now),
            Contact.id.not_in(taken) if taken else and_(True),
        )
        .order_by(
            Contact.priority.desc(),
            func.coalesce(Contact.next_attempt_at, Contact.created_at),
            Contact.id,
        )
        .limit(limit - len(picked))
    )
    picked += [(c, None) for c in rest.all()]
    return _recheck(picked, campaign, window, now, agent_guaranteed)


def _recheck(
    picked: Sequence[tuple[Contact, ScheduledCallback | None]],
    campaign: Campaign,
    window: CallingWindow,
    now: datetime,
    agent_guaranteed: bool,
) -> list[DialCandidate]:
    """The SQL is the gate; the pure rules are the definition: re-check before handing out."""
    out = []
    for contact, callback in picked:
        if blocks(
            _view(contact),
            window=window,
            max_attempts=campaign.max_attempts,
            dnc=(),
            now=now,
            callback_due=callback is not None,
            agent_guaranteed=agent_guaranteed,
        ):
            continue
        out.append(
            DialCandidate(
                contact.id,
                contact.phone,
                contact.timezone,
                contact.priority,
                callback.id if callback else None,
                callback.agent_id if callback else None,
            )
        )
    return out


async def _due_callbacks(
    session: AsyncSession,
    campaign: Campaign,
    gates: list[ColumnElement[bool]],
    now: datetime,
    limit: int,
    agent_ids: Sequence[str] | None,
) -> list[tuple[Contact, ScheduledCallback | None]]:
    query = (
        select(Contact, ScheduledCallback)
        .join(ScheduledCallback, ScheduledCallback.contact_id == Contact.id)
        .where(
            *gates,
            ScheduledCallback.campaign_id == campaign.id,
            ScheduledCallback.status == "scheduled",
            ScheduledCallback.due_at <= now,
        )
        .order_by(ScheduledCallback.due_at, ScheduledCallback.id)
        .limit(limit)
    )
    if agent_ids is not None:
        query = query.where(
            or_(ScheduledCallback.agent_id.is_(None), ScheduledCallback.agent_id.in_(agent_ids))
        )
    seen: set[str] = set()
    out: list[tuple[Contact, ScheduledCallback | None]] = []
    for contact, callback in (await session.execute(query)).all():
        if contact.id not in seen:
            seen.add(contact.id)
            out.append((contact, callback))
    return out

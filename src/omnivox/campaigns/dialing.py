"""What the dialler engine calls: which contacts to dial now, and what an outcome does.

Selection applies every gate that needs no telephony — the calling window in the contact's
own zone, DNC (organisation and campaign), max attempts, the retry delay and the 72-hour
hold after an abandoned call — in SQL, then re-checks each candidate with the pure gates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts.models import Disposition, TeamMember
from omnivox.campaigns import dnc
from omnivox.campaigns.errors import UnknownDisposition
from omnivox.campaigns.models import (
    Campaign,
    CampaignList,
    Contact,
    ContactAttempt,
    DncEntry,
    ScheduledCallback,
)
from omnivox.campaigns.rules import (
    ABANDON_REDIAL_HOLD,
    DIALABLE_STATUSES,
    CallingWindow,
    ContactProgress,
    ContactView,
    DispositionInfo,
    Outcome,
    RetryRule,
    apply_outcome,
    blocks,
    open_zone_keys,
)
from omnivox.core.errors import NotFound


@dataclass(frozen=True)
class DialCandidate:
    contact_id: str
    phone: str
    timezone: str
    priority: int
    callback_id: str | None = None
    agent_id: str | None = None  # a personal callback: only this agent may take it


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


async def _campaign(session: AsyncSession, campaign_id: str) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign not found")
    return campaign


async def get_dial_settings(session: AsyncSession, campaign_id: str) -> DialSettings:
    c = await _campaign(session, campaign_id)
    members = await session.scalars(
        select(TeamMember.user_id).where(TeamMember.team_id.in_(c.team_ids or ["-"]))
    )
    agents = sorted(set(c.agent_ids) | set(members.all()))
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


def window_of(campaign: Campaign) -> CallingWindow:
    return CallingWindow(
        campaign.window_start, campaign.window_end, frozenset(campaign.calling_days)
    )


def _not_dnc(campaign: Campaign) -> ColumnElement[bool]:
    return ~exists().where(
        DncEntry.organization_id == campaign.organization_id,
        DncEntry.scope.in_([dnc.ORG_SCOPE, campaign.id]),
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


NOT_PLACED = "NOT_PLACED"  # an attempt's mark when its call never left Omnivox


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
    campaign = await _campaign(session, campaign_id)
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
    out = []
    for contact, callback in picked:
        # The SQL is the gate; the pure rules are the definition: re-check before handing out.
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


async def begin_attempt(
    session: AsyncSession,
    campaign_id: str,
    contact_id: str,
    now: datetime,
    *,
    call_id: str | None = None,
    agent_id: str | None = None,
    callback_id: str | None = None,
) -> ContactAttempt:
    """The dialler is placing a call: the contact is in flight until its outcome."""
    campaign = await _campaign(session, campaign_id)
    contact = await session.get(Contact, contact_id)
    if contact is None or contact.organization_id != campaign.organization_id:
        raise NotFound("contact not found")
    contact.status = "dialing"
    if callback_id is not None:
        callback = await session.get(ScheduledCallback, callback_id)
        if callback is not None and callback.contact_id == contact.id:
            callback.status = "dialing"
    attempt = ContactAttempt(
        organization_id=campaign.organization_id,
        contact_id=contact.id,
        campaign_id=campaign.id,
        call_id=call_id,
        agent_id=agent_id,
        at=now,
    )
    session.add(attempt)
    await session.commit()
    return attempt


async def set_attempt_call(session: AsyncSession, attempt_id: str, call_id: str) -> None:
    attempt = await session.get(ContactAttempt, attempt_id)
    if attempt is None:
        raise NotFound("attempt not found")
    attempt.call_id = call_id
    await session.commit()


async def release_unplaced_attempt(
    session: AsyncSession, attempt: ContactAttempt, now: datetime
) -> None:
    """An attempt whose call was never placed (its node died first): the contact goes back
    to the list as it was, no attempt counted. Commits."""
    contact = await session.get(Contact, attempt.contact_id)
    if contact is not None and contact.status == "dialing":
        contact.status = "retry" if contact.attempts else "new"
    attempt.completed_at = now
    attempt.disposition = NOT_PLACED
    await session.commit()


async def _disposition(session: AsyncSession, org_id: str, code: str) -> DispositionInfo:
    row = await session.scalar(
        select(Disposition).where(Disposition.organization_id == org_id, Disposition.code == code)
    )
    if row is None:
        raise UnknownDisposition(f"unknown disposition code {code!r}")
    return DispositionInfo(row.code, row.category, row.is_final)


async def record_attempt_outcome(
    session: AsyncSession,
    contact_id: str,
    disposition_code: str,
    now: datetime,
    *,
    campaign_id: str,
    call_id: str | None = None,
    agent_id: str | None = None,
) -> Outcome:
    """Apply the campaign's retry rules to the contact after an attempt ended; a do-not-call
    disposition puts the number on the organisation's list. Commits."""
    campaign = await _campaign(session, campaign_id)
    contact = await session.get(Contact, contact_id)
    if contact is None or contact.organization_id != campaign.organization_id:
        raise NotFound("contact not found")
    info = await _disposition(session, campaign.organization_id, disposition_code.upper())
    rules = [RetryRule(**r) for r in campaign.retry_rules]
    progress = ContactProgress(contact.attempts, dict(contact.disposition_counts or {}))
    outcome = apply_outcome(progress, info, rules, campaign.max_attempts, now)
    contact.status = outcome.status
    contact.attempts = outcome.attempts
    contact.disposition_counts = outcome.disposition_counts
    contact.next_attempt_at = outcome.next_attempt_at
    contact.last_attempt_at = now
    contact.last_disposition = info.code
    if outcome.abandoned:
        contact.last_abandoned_at = now
    if outcome.add_to_dnc:
        by = f"disposition by {agent_id}" if agent_id else "disposition"
        await dnc.add_if_missing(
            session, contact.organization_id, contact.phone, "disposition", by, now
        )
    await _complete_attempt(session, contact, campaign.id, info.code, now, call_id, agent_id)
    await session.commit()
    return outcome


async def _complete_attempt(
    session: AsyncSession,
    contact: Contact,
    campaign_id: str,
    code: str,
    now: datetime,
    call_id: str | None,
    agent_id: str | None,
) -> None:
    attempt = await session.scalar(
        select(ContactAttempt)
        .where(
            ContactAttempt.contact_id == contact.id,
            ContactAttempt.campaign_id == campaign_id,
            ContactAttempt.completed_at.is_(None),
        )
        .order_by(ContactAttempt.at.desc())
        .limit(1)
    )
    if attempt is None:
        attempt = ContactAttempt(
            organization_id=contact.organization_id,
            contact_id=contact.id,
            campaign_id=campaign_id,
            at=now,
        )
        session.add(attempt)
    attempt.disposition = code
    attempt.completed_at = now
    attempt.call_id = call_id or attempt.call_id
    attempt.agent_id = agent_id or attempt.agent_id
    dialing = await session.scalars(
        select(ScheduledCallback).where(
            ScheduledCallback.contact_id == contact.id,
            ScheduledCallback.campaign_id == campaign_id,
            ScheduledCallback.status == "dialing",
        )
    )
    for callback in dialing.all():
        callback.status = "done"

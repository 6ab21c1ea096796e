"""The dialler's record of each attempt: opened when a call is placed, completed with its
outcome, which applies the campaign's retry rules to the contact (``campaigns.rules``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import find_disposition
from omnivox.campaigns import (
    Contact,
    ContactAttempt,
    ContactProgress,
    DispositionInfo,
    Outcome,
    RetryRule,
    ScheduledCallback,
    UnknownDisposition,
    add_to_dnc_if_missing,
    apply_outcome,
)
from omnivox.core.errors import NotFound
from omnivox.dialer.dial_settings import campaign_by_id

NOT_PLACED = "NOT_PLACED"  # an attempt's mark when its call never left Omnivox


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
    campaign = await campaign_by_id(session, campaign_id)
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
    row = await find_disposition(session, org_id, code)
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
    campaign = await campaign_by_id(session, campaign_id)
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
        await add_to_dnc_if_missing(
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


async def find_attempt_of_call(
    session: AsyncSession, org_id: str, call_id: str
) -> ContactAttempt | None:
    """The attempt a call was placed for (None: not a campaign call)."""
    return await session.scalar(
        select(ContactAttempt).where(
            ContactAttempt.organization_id == org_id, ContactAttempt.call_id == call_id
        )
    )

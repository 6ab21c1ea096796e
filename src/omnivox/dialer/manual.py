"""An agent places a campaign call: Call on a preview card, or a manual dial.

Immediately before the call the campaign's status, the agent's assignment, the contact's
gates (window in the contact's zone, DNC, max attempts, retry delay, 72-hour abandon hold)
and, for preview, the agent's hold are re-checked; the contact is then claimed atomically
(``claim_contact``: never dialled twice, never under another agent's preview), the attempt
is recorded (``begin_attempt``) and the call placed with the agent attached and reserved,
without AMD. Its outcome goes through ``outcomes.record_outcome`` like every dialler call.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.agents import AgentGate, find_state
from omnivox.campaigns import Contact, ContactAttempt, ScheduledCallback
from omnivox.core.errors import Conflict
from omnivox.core.security.principal import Principal
from omnivox.dialer.attempts import begin_attempt, set_attempt_call
from omnivox.dialer.contacts import claim_contact
from omnivox.dialer.dial_rules import DialRefused
from omnivox.dialer.outcomes import TERMINAL, record_outcome
from omnivox.dialer.preview import (
    ContactTaken,
    PreviewExpired,
    Verdict,
    campaign_contact,
    campaign_for_agent,
    campaign_lists,
    check_contact,
    held_by,
    release_holds,
)
from omnivox.telephony import AgentUnavailable, Call, Owner, OwnerKind, TelephonyService, summary_of

SEARCH_LIMIT = 25
_caller_ids = itertools.count()


@dataclass(frozen=True)
class Placed:
    call: Call
    contact_id: str
    attempt_id: str


async def place_for_agent(
    svc: TelephonyService,
    gate: AgentGate,
    actor: Principal,
    campaign_id: str,
    contact_id: str,
    mode: str,
) -> Placed:
    """Dial the contact for the actor (``mode``: preview or manual); a refused gate raises
    ``DialRefused`` (409) naming it, and nothing is recorded."""
    now, me = svc.clock.now(), actor.user_id
    async with svc.sessions() as db:
        campaign, settings = await campaign_for_agent(db, actor, campaign_id, mode)
        contact = await campaign_contact(db, actor.organization_id, campaign, contact_id)
        if mode == "preview" and not held_by(contact, me, now):
            raise PreviewExpired(
                "this contact is no longer held for you (a preview is held for "
                "2 minutes); take the next contact"
            )
        verdict = await check_contact(db, campaign, contact, now, me)
        if verdict.reason is not None:
            if mode == "preview":
                await release_holds(db, me, contact.id)
            raise DialRefused(verdict.reason)
        await _require_available(db, actor)
        if not settings.caller_ids:
            raise Conflict(f"{campaign.name} has no caller ID; ask a supervisor to add one")
        previous_status, phone = contact.status, contact.phone
        if not await claim_contact(db, contact.id, now, agent_id=me, commit=False):
            raise ContactTaken("the contact was just taken by another agent or the dialler")
        attempt = await begin_attempt(
            db, campaign.id, contact.id, now, agent_id=me, callback_id=verdict.callback_id
        )
        attempt_id = attempt.id
    caller_id = settings.caller_ids[next(_caller_ids) % len(settings.caller_ids)]
    try:
        call = await svc.place_outbound_call(
            actor.organization_id,
            Owner(OwnerKind.CAMPAIGN, campaign.id),
            to=phone,
            from_=caller_id,
            agent_id=me,
        )
    except AgentUnavailable:
        # Taken by an inbound offer between the check and the call: nothing was dialled.
        await _undo(svc, attempt_id, contact.id, previous_status, verdict)
        raise
    async with svc.sessions() as db:
        await set_attempt_call(db, attempt_id, call.id)
        fresh = await db.get(Call, call.id, populate_existing=True)
        summary = summary_of(fresh) if fresh is not None else None
    if summary is not None and summary.state in TERMINAL:
        # Refused by the carrier before the attempt was linked: record it here (engine.py
        # does the same).
        await record_outcome(gate, summary, svc.clock.now())
    return Placed(fresh or call, contact.id, attempt_id)


async def _require_available(db: AsyncSession, actor: Principal) -> None:
    state = await find_state(db, actor.organization_id, actor.user_id)
    if state != "available":
        shown = (state or "offline").replace("_", " ")
        raise AgentUnavailable(f"you are {shown}; set yourself available before placing a call")


async def _undo(
    svc: TelephonyService, attempt_id: str, contact_id: str, status: str, verdict: Verdict
) -> None:
    async with svc.sessions() as db:
        await db.execute(delete(ContactAttempt).where(ContactAttempt.id == attempt_id))
        contact = await db.get(Contact, contact_id, populate_existing=True)
        if contact is not None and contact.status == "dialing":
            contact.status = status
        if verdict.callback_id is not None:
            callback = await db.get(ScheduledCallback, verdict.callback_id)
            if callback is not None and callback.status == "dialing":
                callback.status = "scheduled"
        await db.commit()


async def search(
    db: AsyncSession, actor: Principal, campaign_id: str, term: str, now: datetime
) -> list[tuple[Contact, Verdict]]:
    """Contacts of the manual campaign matching ``term`` (number, name, e-mail; empty: the
    first by priority), each with whether it may be dialled now and, if not, why."""
    campaign, _settings = await campaign_for_agent(db, actor, campaign_id, "manual")
    query = select(Contact).where(
        Contact.organization_id == actor.organization_id,
        Contact.list_id.in_(campaign_lists(campaign.id)),
        Contact.status != "staged",
    )
    term = term.strip()
    if term:
        like = f"%{term}%"
        full_name = func.trim(Contact.first_name + " " + Contact.last_name)
        query = query.where(
            or_(
                Contact.phone.like(like),
                Contact.first_name.ilike(like),
                Contact.last_name.ilike(like),
                full_name.ilike(like),
                Contact.email.ilike(like),
            )
        )
    rows = await db.scalars(
        query.order_by(Contact.priority.desc(), Contact.created_at, Contact.id).limit(SEARCH_LIMIT)
    )
    return [(c, await check_contact(db, campaign, c, now, actor.user_id)) for c in rows.all()]

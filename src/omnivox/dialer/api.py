"""Live campaign statistics, from stored data only (calls, attempts, agent states), the
agent's routes for preview and manual campaigns (preview.py, manual.py), and the agent's
own dialling: click-to-call under the manual-dial law, and a call's campaign contact."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import or_, select

from omnivox.accounts import get_organization
from omnivox.agents import holds_call
from omnivox.campaigns import (
    AttemptRead,
    Campaign,
    Contact,
    ContactRead,
    contact_history,
    get_campaign,
    get_contact,
)
from omnivox.core.errors import InvalidInput, NotFound
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.dialer import amd, manual, preview
from omnivox.dialer.attempts import find_attempt_of_call
from omnivox.dialer.dial_rules import check_manual_dial
from omnivox.dialer.engine import DialerEngine
from omnivox.dialer.figures import campaign_figures
from omnivox.dialer.models import AmdReview
from omnivox.http import DB, Allow, State
from omnivox.routing import check_presentable_caller_ids
from omnivox.telephony import (
    Call,
    CallCreate,
    CallRead,
    Owner,
    OwnerKind,
    call_summary,
    get_visible_call,
    runtime_of,
)

router = APIRouter(prefix="/api/v1", tags=["dialer"])


@router.get("/campaigns/{campaign_id}/live")
async def live_stats(
    campaign_id: str, db: DB, state: State, actor: Principal = Allow(P.CAMPAIGNS_READ)
) -> dict[str, Any]:
    campaign = await get_campaign(db, actor.organization_id, campaign_id)  # tenant check
    return await campaign_figures(
        db, campaign, state.clock.now(), state.settings.amd_delay_sample_calls
    )


# --- preview and manual campaigns: the agent's routes ----------------------------------------

Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class AgentCampaignRead(BaseModel):
    id: str
    name: str
    dial_mode: str
    status: str
    script: str


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Contacts this agent skipped in this sitting: offered to them again only when no
    # other contact can be.
    exclude: list[Id] = Field(default_factory=list, max_length=200)


class ContactCard(BaseModel):
    campaign_id: str
    contact: ContactRead
    held_until: datetime | None
    attempts: list[AttemptRead]
    calls: list[CallRead]  # earlier calls with the number, newest first


class PreviewRead(BaseModel):
    card: ContactCard | None
    message: str


class ManualContactRead(BaseModel):
    contact: ContactRead
    dialable: bool
    reason: str | None


class PlacedRead(BaseModel):
    call: CallRead
    contact_id: str
    attempt_id: str


def _engine(request: Request) -> DialerEngine:
    engine: DialerEngine = request.app.state.dialer
    return engine


async def _card(db: DB, org_id: str, campaign: Campaign, contact: Contact) -> ContactCard:
    attempts = await contact_history(db, org_id, contact.id)
    calls = await db.scalars(
        select(Call)
        .where(
            Call.organization_id == org_id,
            or_(Call.to_number == contact.phone, Call.from_number == contact.phone),
        )
        .order_by(Call.created_at.desc())
        .limit(20)
    )
    return ContactCard(
        campaign_id=campaign.id,
        contact=ContactRead.model_validate(contact),
        held_until=contact.reserved_until,
        attempts=[AttemptRead.model_validate(a) for a in attempts],
        calls=[CallRead.model_validate(call_summary(c)) for c in calls],
    )


async def _offer(
    db: DB,
    actor: Principal,
    campaign: Campaign,
    now: datetime,
    exclude: list[str],
    never: tuple[str, ...] = (),
) -> PreviewRead:
    contact = await preview.next_preview(db, campaign, actor.user_id, now, exclude, never)
    if contact is None:
        return PreviewRead(
            card=None,
            message="No contact can be called now (calling window, do-not-call list, "
            "attempts and retry times all apply); try again later.",
        )
    card = await _card(db, actor.organization_id, campaign, contact)
    return PreviewRead(card=card, message="")


@router.get("/agent-dialing/campaigns", response_model=list[AgentCampaignRead])
async def my_campaigns(
    db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> list[AgentCampaignRead]:
    """The preview and manual campaigns the caller works on (not completed)."""
    return [
        AgentCampaignRead(
            id=c.id, name=c.name, dial_mode=c.dial_mode, status=c.status, script=c.script
        )
        for c in await preview.campaigns_of_agent(db, actor)
    ]


@router.post("/campaigns/{campaign_id}/preview/next", response_model=PreviewRead)
async def preview_next(
    campaign_id: str,
    db: DB,
    state: State,
    data: PreviewIn | None = None,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> PreviewRead:
    """The contact held for the caller, or the next one, now held for them (2 minutes)."""
    campaign, _ = await preview.campaign_for_agent(db, actor, campaign_id, "preview")
    return await _offer(db, actor, campaign, state.clock.now(), (data or PreviewIn()).exclude)


@router.post("/campaigns/{campaign_id}/preview/{contact_id}/skip", response_model=PreviewRead)
async def preview_skip(
    campaign_id: str,
    contact_id: str,
    db: DB,
    state: State,
    data: PreviewIn | None = None,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> PreviewRead:
    """Let the previewed contact go (no attempt is counted) and offer the next one."""
    now = state.clock.now()
    campaign, _ = await preview.campaign_for_agent(db, actor, campaign_id, "preview")
    contact = await preview.campaign_contact(db, actor.organization_id, campaign, contact_id)
    if (
        contact.reserved_by not in (None, actor.user_id)
        and contact.reserved_until is not None
        and contact.reserved_until > now
    ):
        raise preview.ContactTaken("another agent holds this contact; it is not yours to skip")
    await preview.release_holds(db, actor.user_id, contact.id)
    exclude = (data or PreviewIn()).exclude
    return await _offer(db, actor, campaign, now, exclude, never=(contact.id,))


@router.post(
    "/campaigns/{campaign_id}/preview/{contact_id}/call",
    response_model=PlacedRead,
    status_code=201,
)
async def preview_call(
    campaign_id: str, contact_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> PlacedRead:
    """Call the contact held for the caller; their softphone joins when the contact answers."""
    return await _place(request, actor, campaign_id, contact_id, "preview")


@router.get("/campaigns/{campaign_id}/manual/contacts", response_model=list[ManualContactRead])
async def manual_contacts(
    campaign_id: str,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_CONTROL),
    q: str = Query("", max_length=100, description="number, name or e-mail"),
) -> list[ManualContactRead]:
    """Contacts of a manual campaign, each with whether it may be dialled now and why not."""
    found = await manual.search(db, actor, campaign_id, q, state.clock.now())
    return [
        ManualContactRead(
            contact=ContactRead.model_validate(c), dialable=v.reason is None, reason=v.reason
        )
        for c, v in found
    ]


@router.post(
    "/campaigns/{campaign_id}/manual/{contact_id}/dial",
    response_model=PlacedRead,
    status_code=201,
)
async def manual_dial(
    campaign_id: str, contact_id: str, request: Request, actor: Principal = Allow(P.CALLS_CONTROL)
) -> PlacedRead:
    """Dial a contact of a manual campaign; refused (409) with the gate that refuses it."""
    return await _place(request, actor, campaign_id, contact_id, "manual")


async def _place(
    request: Request, actor: Principal, campaign_id: str, contact_id: str, mode: str
) -> PlacedRead:
    engine = _engine(request)
    placed = await manual.place_for_agent(
        engine.svc, engine.gate, actor, campaign_id, contact_id, mode
    )
    return PlacedRead(
        call=CallRead.model_validate(call_summary(placed.call)),
        contact_id=placed.contact_id,
        attempt_id=placed.attempt_id,
    )


# --- the agent's own dialling: click-to-call, and the contact a campaign call reached ----------


class CallContactRead(BaseModel):
    campaign_id: str
    contact: ContactRead


@router.post("/calls", response_model=CallRead, status_code=201, tags=["calls"])
async def place_call(
    data: CallCreate, request: Request, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallRead:
    """Click-to-call: dial ``to``; when the customer answers, the caller's softphone joins."""
    org = await get_organization(db, actor.organization_id)
    caller_id = data.from_
    if caller_id is None:
        if not org.default_caller_ids:
            raise InvalidInput.on("from", "give a caller ID or set the organisation's default")
        caller_id = org.default_caller_ids[0]
    await check_presentable_caller_ids(db, org, [caller_id], "from")
    await check_manual_dial(db, org, data.to, runtime_of(request).service.clock.now())
    svc = runtime_of(request).service
    call = await svc.place_outbound_call(
        actor.organization_id,
        Owner(OwnerKind.AGENT, actor.user_id),
        to=data.to,
        from_=caller_id,
        agent_id=actor.user_id,
    )
    return CallRead.model_validate(call_summary(call))


@router.get("/calls/{call_id}/contact", response_model=CallContactRead, tags=["calls"])
async def call_contact(
    call_id: str, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> CallContactRead:
    """The campaign contact a dialler call was placed to, for the customer card."""
    call = await get_visible_call(db, actor, call_id, holds_call)
    attempt = await find_attempt_of_call(db, actor.organization_id, call.id)
    if attempt is None:
        raise NotFound("this call was not placed to a campaign contact")
    contact = await get_contact(db, actor.organization_id, attempt.contact_id)
    return CallContactRead(
        campaign_id=attempt.campaign_id, contact=ContactRead.model_validate(contact)
    )


# --- AMD reviews: how AMD's accuracy is measured (amd.py) -------------------------------------


class AmdReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # machine_passed: AMD passed a machine to the agent; person_after_machine: AMD called a
    # person a machine; machine_confirmed: a machine verdict checked and right.
    verdict: Literal["machine_passed", "person_after_machine", "machine_confirmed"]


class AmdReviewRead(BaseModel):
    call_id: str
    campaign_id: str
    verdict: str
    answered_by: str
    reviewer_id: str | None
    reviewed_at: datetime


def _review_read(review: AmdReview) -> AmdReviewRead:
    return AmdReviewRead(
        call_id=review.call_id,
        campaign_id=review.campaign_id,
        verdict=review.verdict,
        answered_by=review.answered_by,
        reviewer_id=review.reviewer_id,
        reviewed_at=review.reviewed_at,
    )


@router.post("/calls/{call_id}/amd-review", response_model=AmdReviewRead, tags=["calls"])
async def review_amd(
    call_id: str,
    data: AmdReviewIn,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> AmdReviewRead:
    """The call's agent or a supervisor says whether AMD was right; a second review of the
    same call replaces the first."""
    review = await amd.review_call(db, actor, call_id, data.verdict, state.clock.now())
    return _review_read(review)


class MachineCallRead(BaseModel):
    call_id: str
    to: str
    answered_at: datetime | None
    answered_by: str
    agent_id: str | None
    review: str | None
    recordings: list[str]


@router.get("/campaigns/{campaign_id}/amd/machine-calls", response_model=list[MachineCallRead])
async def machine_calls(
    campaign_id: str, db: DB, state: State, actor: Principal = Allow(P.CALLS_SUPERVISE)
) -> list[MachineCallRead]:
    """The campaign's latest calls AMD classified as machines, to review (recordings)."""
    campaign = await get_campaign(db, actor.organization_id, campaign_id)  # tenant check
    rows = await amd.machine_classified_calls(
        db, actor.organization_id, campaign.id, state.settings.amd_review_list_calls
    )
    return [MachineCallRead.model_validate(r, from_attributes=True) for r in rows]

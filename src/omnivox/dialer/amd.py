"""How accurate answering-machine detection is, measured from reviews and call records.

Agents mark AMD's mistakes on their own calls (a machine AMD passed to them; a person they
reached before AMD called the call a machine and took it back); supervisors review the
campaign's machine-classified calls (recordings where there are any) and mark each a person
or a machine. One review per call: a second replaces the first. From these and the call
history a campaign's page shows its measured false-positive and false-negative rates and
the delay AMD adds before a person hears an agent (docs/dialer.md, "AMD measurement").
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import reach_of, within
from omnivox.core.errors import Conflict, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.dialer.floor import CAMPAIGN
from omnivox.dialer.models import (
    MACHINE_CONFIRMED,
    MACHINE_PASSED,
    PERSON_AFTER_MACHINE,
    AmdReview,
)
from omnivox.telephony import AnsweredBy, Call, CallEventRow, CallLeg, Recording, Trigger

# AMD's verdicts that mean "a person" (``unknown``: Twilio could not tell; the dialler
# treats it as a person, so it goes to an agent).
PERSON_VERDICTS = (AnsweredBy.HUMAN.value, AnsweredBy.UNKNOWN.value)
MACHINE_VERDICTS = tuple(v.value for v in AnsweredBy if v.is_machine)


async def review_call(
    session: AsyncSession,
    actor: Principal,
    call_id: str,
    verdict: str,
    now: datetime,
    campaign_id: str | None = None,
) -> AmdReview:
    """Record (or replace) the actor's verdict on AMD's verdict for a campaign call (of
    ``campaign_id`` when given: the review page of one campaign)."""
    call = await session.scalar(
        select(Call).where(Call.id == call_id, Call.organization_id == actor.organization_id)
    )
    if call is None or (campaign_id is not None and call.owner_id != campaign_id):
        raise NotFound("call not found")
    if not await _may_review(session, actor, call):
        raise PermissionDenied(
            "this is not your call: only its agent or a supervisor can review its AMD verdict"
        )
    _check_verdict(call, verdict)
    review = await session.scalar(select(AmdReview).where(AmdReview.call_id == call.id))
    if review is None:
        review = AmdReview(
            organization_id=call.organization_id,
            call_id=call.id,
            campaign_id=call.owner_id,
            verdict=verdict,
            reviewer_id=actor.user_id,
            answered_by=call.answered_by or "",
            reviewed_at=now,
        )
        session.add(review)
        try:
            await session.commit()
            return review
        except IntegrityError:  # reviewed at the same moment by someone else: replace it
            await session.rollback()
            review = await session.scalar(select(AmdReview).where(AmdReview.call_id == call_id))
            if review is None:
                raise
    review.verdict = verdict
    review.reviewer_id = actor.user_id
    review.reviewed_at = now
    await session.commit()
    return review


async def _may_review(session: AsyncSession, actor: Principal, call: Call) -> bool:
    """The call's agent (also one it was taken back from while ringing: on its legs), or a
    supervisor of the organisation."""
    if call.agent_id == actor.user_id:
        return True
    if actor.can(Permission.CALLS_SUPERVISE):
        # A supervisor bounded by teams reviews their agents' calls, and calls that
        # never reached an agent (most machine verdicts).
        if call.agent_id is None or within(await reach_of(session, actor), call.agent_id):
            return True
        raise PermissionDenied("this call's agent is not in your teams")
    leg = await session.scalar(
        select(CallLeg.id).where(CallLeg.call_id == call.id, CallLeg.user_id == actor.user_id)
    )
    return leg is not None


def _check_verdict(call: Call, verdict: str) -> None:
    if call.owner_kind != CAMPAIGN:
        raise Conflict("only a campaign call placed by the dialler has an AMD verdict to review")
    said = call.answered_by
    if not said:
        raise Conflict(
            "AMD gave no verdict on this call (placed without machine detection, or the "
            "verdict has not arrived yet): there is nothing to review"
        )
    machine = said in MACHINE_VERDICTS
    if verdict == MACHINE_PASSED and machine:
        raise Conflict(
            f"AMD classified this call as a machine ({said}); if a person answered, "
            f"mark it {PERSON_AFTER_MACHINE}"
        )
    if verdict == MACHINE_PASSED and call.agent_id is None:
        raise Conflict("this call never reached an agent: AMD passed nothing to review")
    if verdict in (PERSON_AFTER_MACHINE, MACHINE_CONFIRMED) and not machine:
        raise Conflict(
            f"AMD classified this call as a person ({said}); if it was a machine, "
            f"mark it {MACHINE_PASSED}"
        )


# --- the campaign's measured accuracy --------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """``hits`` of ``sample``; ``value`` None when nothing was reviewed yet."""

    hits: int
    sample: int

    @property
    def value(self) -> float | None:
        return self.hits / self.sample if self.sample else None

    def as_dict(self) -> dict[str, Any]:
        return {"rate": self.value, "count": self.hits, "sample": self.sample}


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


async def amd_figures(
    db: AsyncSession, org_id: str, campaign_id: str, estimate: float, delay_sample: int
) -> dict[str, Any]:
    """The campaign's AMD accuracy (from reviews) and delay (from call history)."""
    mine = (
        Call.organization_id == org_id,
        Call.owner_kind == CAMPAIGN,
        Call.owner_id == campaign_id,
    )
    verdict = AmdReview.verdict
    machine = Call.answered_by.in_(MACHINE_VERDICTS)
    passed = and_(Call.answered_by.in_(PERSON_VERDICTS), Call.agent_id.is_not(None))
    row = (
        await db.execute(
            select(
                func.count().filter(machine),
                func.count().filter(machine, verdict == PERSON_AFTER_MACHINE),
                func.count().filter(machine, verdict == MACHINE_CONFIRMED),
                func.count().filter(passed),
                func.count().filter(passed, verdict == MACHINE_PASSED),
            )
            .select_from(Call)
            .outerjoin(AmdReview, AmdReview.call_id == Call.id)
            .where(*mine)
        )
    ).one()
    machines, people, confirmed, to_agents, passed_machines = (int(v) for v in row)
    return {
        "false_positive_estimate": estimate,
        # Reviewed people among the reviewed machine verdicts.
        "false_positive": Rate(people, people + confirmed).as_dict(),
        "machine_verdicts": machines,
        # Machines agents marked among the calls AMD passed to them as people.
        "false_negative": Rate(passed_machines, to_agents).as_dict(),
        "delay": await _delays(db, mine, delay_sample),
    }


async def _delays(db: AsyncSession, mine: tuple[Any, ...], sample: int) -> dict[str, Any]:
    """From the campaign's latest ``sample`` answered calls: answer → agent connected, for
    people with an AMD verdict and for calls placed without AMD; answer → AMD's verdict."""
    connected = (
        select(func.min(CallEventRow.at))
        .where(
            CallEventRow.call_id == Call.id,
            CallEventRow.trigger == Trigger.AGENT_CONNECTED.value,
            CallEventRow.applied.is_(True),
        )
        .scalar_subquery()
    )
    decided = (
        select(func.min(CallEventRow.at))
        .where(
            CallEventRow.call_id == Call.id,
            CallEventRow.trigger.in_([Trigger.AMD_HUMAN.value, Trigger.AMD_MACHINE.value]),
        )
        .scalar_subquery()
    )
    rows = (
        await db.execute(
            select(Call.answered_at, Call.answered_by, connected, decided)
            .where(*mine, Call.answered_at.is_not(None))
            .order_by(Call.answered_at.desc())
            .limit(sample)
        )
    ).all()
    with_amd: list[float] = []
    without: list[float] = []
    verdicts: list[float] = []
    for answered, said, connect_at, decide_at in rows:
        if answered is None:
            continue
        if decide_at is not None:
            verdicts.append((decide_at - answered).total_seconds())
        if connect_at is None:
            continue
        wait = (connect_at - answered).total_seconds()
        if said is None:
            without.append(wait)
        elif said in PERSON_VERDICTS:
            with_amd.append(wait)
    on, off = _median(with_amd), _median(without)
    return {
        "calls": len(rows),
        "to_agent_with_amd_s": on,
        "to_agent_with_amd_n": len(with_amd),
        "to_agent_without_amd_s": off,
        "to_agent_without_amd_n": len(without),
        # What AMD adds before a person hears an agent (None without both groups).
        "added_s": None if on is None or off is None else on - off,
        "verdict_after_answer_s": _median(verdicts),
        "verdict_n": len(verdicts),
    }


# --- the supervisor's review list ------------------------------------------------------------


@dataclass(frozen=True)
class MachineCall:
    call_id: str
    to: str
    answered_at: datetime | None
    answered_by: str
    agent_id: str | None
    review: str | None
    recordings: list[str]


async def machine_classified_calls(
    db: AsyncSession, org_id: str, campaign_id: str, limit: int
) -> list[MachineCall]:
    """The campaign's latest calls AMD classified as machines, with their review and
    recording links: what a supervisor listens to and marks."""
    rows = (
        await db.execute(
            select(Call, AmdReview.verdict)
            .outerjoin(AmdReview, AmdReview.call_id == Call.id)
            .where(
                Call.organization_id == org_id,
                Call.owner_kind == CAMPAIGN,
                Call.owner_id == campaign_id,
                Call.answered_by.in_(MACHINE_VERDICTS),
            )
            .order_by(Call.answered_at.desc())
            .limit(limit)
        )
    ).all()
    ids = [call.id for call, _ in rows]
    links: dict[str, list[str]] = {}
    if ids:
        for call_id, url in (
            await db.execute(
                select(Recording.call_id, Recording.url).where(
                    Recording.call_id.in_(ids), Recording.url.is_not(None)
                )
            )
        ).all():
            if url:
                links.setdefault(call_id, []).append(url)
    return [
        MachineCall(
            call.id,
            call.to_number,
            call.answered_at,
            call.answered_by or "",
            call.agent_id,
            review,
            links.get(call.id, []),
        )
        for call, review in rows
    ]

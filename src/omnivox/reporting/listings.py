"""Contacts and agent activity for export, read in keyset pages (one page in memory):

* contacts: each campaign's contacts (through its lists) with their status, attempts and
  last outcome, read through the campaigns surface;
* agent activity: each change of an agent's state in the range, with how long the state
  lasted (to the agent's next change, even past the range; blank while it still runs)
  and the break reason, read through the agents surface.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import get_organization, list_users
from omnivox.agents import AgentStateHistory
from omnivox.campaigns import CampaignList, Contact, list_campaigns
from omnivox.core.errors import InvalidInput
from omnivox.reporting.access import check_agent_filter
from omnivox.reporting.intervals import as_utc
from omnivox.reporting.names import resolve_filters
from omnivox.reporting.query import local_bounds

KINDS: tuple[str, ...] = ("calls", "contacts", "agent-activity")
CONTACT_COLUMNS = [
    "campaign",
    "campaign_id",
    "list_id",
    "contact_id",
    "phone",
    "first_name",
    "last_name",
    "status",
    "attempts",
    "last_attempt",
    "last_disposition",
    "next_attempt",
]
ACTIVITY_COLUMNS = [
    "agent",
    "agent_id",
    "state",
    "reason",
    "start",
    "end",
    "duration_seconds",
    "by",
]
_BATCH = 1000


@dataclass(frozen=True)
class Listing:
    """What to list for one organisation, checked: the range's UTC bounds (None: all),
    the resolved filters and the agents the reader may see (None: all)."""

    org_id: str
    tz: ZoneInfo
    bounds: tuple[datetime, datetime] | None
    filters: Mapping[str, str]
    agents: frozenset[str] | None


async def prepare(
    session: AsyncSession,
    org_id: str,
    kind: str,
    dates: tuple[date, date] | None,
    filters: Mapping[str, str],
    agents: frozenset[str] | None,
    max_days: int,
) -> Listing:
    allowed = {"contacts": ("campaign",), "agent-activity": ("agent",)}[kind]
    for key in filters:
        if key not in allowed:
            raise InvalidInput.on("filter", f"{kind} are filtered by {', '.join(allowed)} only")
    tz = ZoneInfo((await get_organization(session, org_id)).timezone)
    bounds = None
    if dates is not None:
        start, end = dates
        if end < start:
            raise InvalidInput.on("to", f"the range ends ({end}) before it starts ({start})")
        if (end - start).days + 1 > max_days:
            raise InvalidInput.on(
                "to", f"a range covers at most {max_days} days (OMNIVOX_REPORT_MAX_DAYS)"
            )
        bounds = local_bounds(start, end, tz)
    elif kind == "agent-activity":
        raise InvalidInput.on("from", "agent activity needs a range (from and to)")
    resolved = await resolve_filters(session, org_id, filters)
    check_agent_filter(agents, resolved)
    return Listing(org_id, tz, bounds, resolved, agents)


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return as_utc(at).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at else ""


async def contacts(session: AsyncSession, listing: Listing) -> AsyncIterator[dict[str, Any]]:
    """Each campaign's contacts; with a range, those last attempted within it."""
    names = {c.id: c.name for c in await list_campaigns(session, listing.org_id)}
    scope = [Contact.organization_id == listing.org_id]
    if "campaign" in listing.filters:
        scope.append(CampaignList.campaign_id == listing.filters["campaign"])
    if listing.bounds is not None:
        scope += [
            Contact.last_attempt_at >= listing.bounds[0],
            Contact.last_attempt_at < listing.bounds[1],
        ]
    after: tuple[str, str] | None = None
    while True:
        stmt = (
            select(CampaignList.campaign_id, Contact)
            .join(Contact, Contact.list_id == CampaignList.list_id)
            .where(*scope)
        )
        if after is not None:
            stmt = stmt.where(
                or_(
                    CampaignList.campaign_id > after[0],
                    and_(CampaignList.campaign_id == after[0], Contact.id > after[1]),
                )
            )
        page = (
            await session.execute(stmt.order_by(CampaignList.campaign_id, Contact.id).limit(_BATCH))
        ).all()
        for campaign_id, c in page:
            yield {
                "campaign": names.get(campaign_id, campaign_id),
                "campaign_id": campaign_id,
                "list_id": c.list_id,
                "contact_id": c.id,
                "phone": c.phone,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "status": c.status,
                "attempts": c.attempts,
                "last_attempt": _local(c.last_attempt_at, listing.tz),
                "last_disposition": c.last_disposition,
                "next_attempt": _local(c.next_attempt_at, listing.tz),
            }
            session.expunge(c)
        if len(page) < _BATCH:
            return
        after = (page[-1][0], page[-1][1].id)


async def agent_activity(session: AsyncSession, listing: Listing) -> AsyncIterator[dict[str, Any]]:
    """Each state change in the range, agent by agent in time order, with its duration."""
    assert listing.bounds is not None, "prepare() requires a range for agent activity"
    lo, hi = listing.bounds
    t = AgentStateHistory
    users = {u.id: u.name for u in await list_users(session, listing.org_id)}
    scope = [t.organization_id == listing.org_id, t.at >= lo, t.at < hi]
    if "agent" in listing.filters:
        scope.append(t.user_id == listing.filters["agent"])
    if listing.agents is not None:
        scope.append(t.user_id.in_(listing.agents))
    pending: AgentStateHistory | None = None
    after: AgentStateHistory | None = None
    while True:
        stmt = select(t).where(*scope)
        if after is not None:
            key = (after.user_id, after.at, after.seq, after.id)
            stmt = stmt.where(
                or_(
                    t.user_id > key[0],
                    and_(t.user_id == key[0], t.at > key[1]),
                    and_(t.user_id == key[0], t.at == key[1], t.seq > key[2]),
                    and_(t.user_id == key[0], t.at == key[1], t.seq == key[2], t.id > key[3]),
                )
            )
        page = list(
            await session.scalars(stmt.order_by(t.user_id, t.at, t.seq, t.id).limit(_BATCH))
        )
        for row in page:
            if pending is not None:
                ends = (
                    row.at
                    if row.user_id == pending.user_id
                    else await _next_change(session, pending, hi)
                )
                yield _activity(pending, ends, users, listing.tz)
                session.expunge(pending)
            pending = row
        if len(page) < _BATCH:
            break
        after = page[-1]
    if pending is not None:
        yield _activity(pending, await _next_change(session, pending, hi), users, listing.tz)


async def _next_change(
    session: AsyncSession, row: AgentStateHistory, hi: datetime
) -> datetime | None:
    """When the agent's state after ``row`` (the last in the range) changed next."""
    found: datetime | None = await session.scalar(
        select(func.min(AgentStateHistory.at)).where(
            AgentStateHistory.organization_id == row.organization_id,
            AgentStateHistory.user_id == row.user_id,
            AgentStateHistory.at >= hi,
        )
    )
    return found


def _activity(
    row: AgentStateHistory, ends: datetime | None, users: Mapping[str, str], tz: ZoneInfo
) -> dict[str, Any]:
    seconds = (as_utc(ends) - as_utc(row.at)).total_seconds() if ends is not None else None
    return {
        "agent": users.get(row.user_id, row.user_id),
        "agent_id": row.user_id,
        "state": row.to_state,
        "reason": row.reason,
        "start": _local(row.at, tz),
        "end": _local(ends, tz),
        "duration_seconds": round(seconds, 1) if seconds is not None else None,
        "by": row.by,
    }

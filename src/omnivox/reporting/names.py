"""Who and what a report's rows are about: the organisation's agents, teams, queues,
campaigns and numbers by id (for labels), the teams each agent belongs to (a report
split by team folds agents into them), and filters resolved to ids — naming only the
organisation's own, so a filter naming another tenant's queue, campaign, agent, team or
number is refused."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import User, disposition_codes, get_organization, list_teams, list_users
from omnivox.campaigns import list_campaigns
from omnivox.core.errors import InvalidInput
from omnivox.reporting.models import ReportDisposition, ReportNumber
from omnivox.routing import InboundNumber, list_queues, presentable_caller_ids
from omnivox.telephony import SYSTEM_DISPOSITIONS

#: The label of the row of agents in no team (and of calls no agent took).
NO_TEAM = "(no team)"
#: What a friendly name shared by several numbers resolves to: no one number.
_AMBIGUOUS = "\0ambiguous"


@dataclass(frozen=True)
class Names:
    """Labels by id per entity dimension; queues' service-level targets (seconds); the
    teams of each agent (when a report splits by team)."""

    labels: Mapping[str, Mapping[str, str]]
    targets: Mapping[str, float]
    teams: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, dimension: str, value: str) -> str:
        return self.labels.get(dimension, {}).get(value, value)

    def teams_of(self, agent_id: str) -> tuple[str, ...]:
        """The agent's teams; ``("",)`` (no team) for one in none, or for no agent."""
        return self.teams.get(agent_id) or ("",)


async def load_names(
    session: AsyncSession, org_id: str, dimensions: Collection[str] | None = None
) -> Names:
    """Labels for ``dimensions`` (all when None) and every queue's target: a report not
    split by agent need not read 2,000 users."""
    wanted = set(dimensions) if dimensions is not None else {"agent", "campaign"}
    # Two columns, not 2,000 user objects with their skills.
    users: dict[str, str] = {}
    if "agent" in wanted:
        found = await session.execute(
            select(User.id, User.name).where(User.organization_id == org_id)
        )
        users = {uid: name for uid, name in found}
    queues = await list_queues(session, org_id)
    campaigns = await list_campaigns(session, org_id) if "campaign" in wanted else []
    labels: dict[str, Mapping[str, str]] = {
        "agent": users,
        "queue": {q.id: q.name for q in queues},
        "campaign": {c.id: c.name for c in campaigns},
    }
    teams: dict[str, tuple[str, ...]] = {}
    if "team" in wanted:
        listed = await list_teams(session, org_id)
        labels["team"] = {t.id: t.name for t in listed}
        for t in sorted(listed, key=lambda t: t.name):
            for member in t.members:
                teams[member.user_id] = (*teams.get(member.user_id, ()), t.id)
    if "number" in wanted:
        labels["number"] = await number_labels(session, org_id)
    return Names(labels, {q.id: q.service_level_seconds for q in queues}, teams)


async def number_labels(session: AsyncSession, org_id: str) -> dict[str, str]:
    """The organisation's numbers (E.164) with their friendly names, where they have one."""
    rows = await session.execute(
        select(InboundNumber.number, InboundNumber.friendly_name).where(
            InboundNumber.organization_id == org_id
        )
    )
    return {number: name for number, name in rows if name}


async def team_agents(session: AsyncSession, org_id: str, team_id: str) -> frozenset[str]:
    """The members of one of the organisation's teams (resolved by ``resolve_filters``)."""
    listed = await list_teams(session, org_id)
    return frozenset(m.user_id for t in listed if t.id == team_id for m in t.members)


async def resolve_filters(
    session: AsyncSession, org_id: str, filters: Mapping[str, str]
) -> dict[str, str]:
    """Each filter's value as the id (or code) the rollups hold; an agent by id or e-mail,
    a team, queue or campaign by id or name, a disposition by code, a number as E.164
    or by its friendly name."""
    resolved: dict[str, str] = {}
    for key, value in filters.items():
        if key == "disposition":
            found = await _disposition(session, org_id, value)
        else:
            choices = await _choices(session, org_id, key)
            found = choices.get(value) or choices.get(value.casefold())
        if found is None:
            raise InvalidInput.on("filter", f"{key}: no {key} {value!r} in this organisation")
        if found == _AMBIGUOUS:
            raise InvalidInput.on(
                "filter", f"{key}: {value!r} names more than one number; give the number itself"
            )
        resolved[key] = found
    return resolved


async def _choices(session: AsyncSession, org_id: str, key: str) -> dict[str, str]:
    if key == "agent":
        users = await list_users(session, org_id)
        return {u.id: u.id for u in users} | {u.email.casefold(): u.id for u in users}
    if key == "queue":
        queues = await list_queues(session, org_id)
        return {q.id: q.id for q in queues} | {q.name.casefold(): q.id for q in queues}
    if key == "team":
        teams = await list_teams(session, org_id)
        return {t.id: t.id for t in teams} | {t.name.casefold(): t.id for t in teams}
    if key == "number":
        return await _numbers(session, org_id)
    if key == "campaign":
        campaigns = await list_campaigns(session, org_id)
        return {c.id: c.id for c in campaigns} | {c.name.casefold(): c.id for c in campaigns}
    return {}  # no such filter: nothing it could name


async def _disposition(session: AsyncSession, org_id: str, value: str) -> str | None:
    """A disposition code as calls hold it: one of the organisation's catalogue (active
    or not) or of the codes the call state machine sets itself (``abandoned``, …), read
    without touching the rollups; else one the organisation's counted calls still hold
    though the catalogue no longer does (a disposition deleted after calls used it),
    from ``report_dispositions``, which the upkeep keeps with the finest rollup."""
    wanted = list(dict.fromkeys((value, value.casefold())))
    known = (await disposition_codes(session, org_id)) | SYSTEM_DISPOSITIONS
    for code in wanted:
        if code in known:
            return code
    for code in wanted:
        held = await session.get(ReportDisposition, (org_id, code))
        if held is not None:
            return code
    return None


async def org_numbers(session: AsyncSession, org_id: str) -> dict[str, str]:
    """The organisation's numbers with their labels (friendly name, else the number): its
    own and listed caller IDs, its campaigns' caller IDs and any its counted calls used
    (a number since released still has history)."""
    org = await get_organization(session, org_id)
    found = set(await presentable_caller_ids(session, org))
    found |= {n for c in await list_campaigns(session, org_id) for n in c.caller_ids}
    counted = await session.scalars(
        select(ReportNumber.number).where(ReportNumber.organization_id == org_id)
    )
    found |= {n for n in counted if n}
    named = await number_labels(session, org_id)
    return {n: named.get(n, n) for n in sorted(found)}


async def _numbers(session: AsyncSession, org_id: str) -> dict[str, str]:
    labelled = await org_numbers(session, org_id)
    by_name: dict[str, str] = {}
    for n, label in labelled.items():
        if label != n:  # friendly names are free text: two numbers may share one
            name = label.casefold()
            by_name[name] = _AMBIGUOUS if name in by_name else n
    return {n: n for n in labelled} | by_name

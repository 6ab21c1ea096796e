"""Who and what a report's rows are about: the organisation's agents, queues and campaigns
by id (for labels), and filters resolved to ids — naming only the organisation's own, so
a filter naming another tenant's queue, campaign or agent is refused."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import User, disposition_codes, list_users
from omnivox.campaigns import list_campaigns
from omnivox.core.errors import InvalidInput
from omnivox.reporting.models import CallInterval
from omnivox.routing import list_queues


@dataclass(frozen=True)
class Names:
    """Labels by id per entity dimension; queues' service-level targets (seconds)."""

    labels: Mapping[str, Mapping[str, str]]
    targets: Mapping[str, float]

    def label(self, dimension: str, value: str) -> str:
        return self.labels.get(dimension, {}).get(value, value)


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
    return Names(
        labels={
            "agent": users,
            "queue": {q.id: q.name for q in queues},
            "campaign": {c.id: c.name for c in campaigns},
        },
        targets={q.id: q.service_level_seconds for q in queues},
    )


async def resolve_filters(
    session: AsyncSession, org_id: str, filters: Mapping[str, str]
) -> dict[str, str]:
    """Each filter's value as the id (or code) the rollups hold; an agent by id or e-mail,
    a queue or campaign by id or name, a disposition by code."""
    resolved: dict[str, str] = {}
    for key, value in filters.items():
        choices = await _choices(session, org_id, key)
        found = choices.get(value) or choices.get(value.casefold())
        if found is None:
            raise InvalidInput.on("filter", f"{key}: no {key} {value!r} in this organisation")
        resolved[key] = found
    return resolved


async def _choices(session: AsyncSession, org_id: str, key: str) -> dict[str, str]:
    if key == "agent":
        users = await list_users(session, org_id)
        return {u.id: u.id for u in users} | {u.email.casefold(): u.id for u in users}
    if key == "queue":
        queues = await list_queues(session, org_id)
        return {q.id: q.id for q in queues} | {q.name.casefold(): q.id for q in queues}
    if key == "campaign":
        campaigns = await list_campaigns(session, org_id)
        return {c.id: c.id for c in campaigns} | {c.name.casefold(): c.id for c in campaigns}
    # Dispositions: the catalogue's codes and the system's ones calls were given.
    counted = await session.scalars(
        select(CallInterval.disposition).where(CallInterval.organization_id == org_id).distinct()
    )
    codes = (await disposition_codes(session, org_id)) | {c for c in counted if c}
    return {c: c for c in codes}

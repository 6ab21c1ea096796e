"""Which numbers an organisation may present as caller ID.

Presenting a number the caller does not own is spoofing (unlawful for telemarketing in
most places, and refused by Twilio). An organisation may present its own numbers (those
routed to it here) and the caller IDs its administrators list in the business settings
(for instance numbers verified with the carrier). A number that belongs to another
organisation here is never presentable, not even by listing it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization
from omnivox.core.errors import InvalidInput
from omnivox.routing.models import InboundNumber


async def own_numbers(session: AsyncSession, org_id: str) -> set[str]:
    rows = await session.scalars(
        select(InboundNumber.number).where(InboundNumber.organization_id == org_id)
    )
    return set(rows)


async def presentable(session: AsyncSession, org: Organization) -> set[str]:
    """The organisation's numbers and its listed caller IDs, less any listed number that
    is another organisation's own (the settings live in ``accounts``, which cannot see
    numbers, so the check is made here, where caller IDs are used)."""
    owners = await _owners(session, org.default_caller_ids)
    listed = {n for n in org.default_caller_ids if owners.get(n, org.id) == org.id}
    return await own_numbers(session, org.id) | listed


async def check_presentable(
    session: AsyncSession, org: Organization, numbers: Iterable[str], field: str
) -> None:
    """Refuse (422 on ``field``) any number the organisation may not present."""
    wanted = list(dict.fromkeys(numbers))
    owners = await _owners(session, wanted)
    for number in wanted:
        owner = owners.get(number)
        if owner is not None and owner != org.id:
            raise InvalidInput.on(field, f"{number} belongs to another organisation")
        if owner is None and number not in org.default_caller_ids:
            raise InvalidInput.on(
                field,
                f"{number} is not one of the organisation's numbers or caller IDs "
                "(list it in the organisation's settings, under caller IDs, first)",
            )


async def _owners(session: AsyncSession, numbers: Iterable[str]) -> dict[str, str]:
    """Number -> the organisation it is routed to here, for those that are."""
    wanted = set(numbers)
    if not wanted:
        return {}
    rows = await session.execute(
        select(InboundNumber.number, InboundNumber.organization_id).where(
            InboundNumber.number.in_(wanted)
        )
    )
    return {number: org_id for number, org_id in rows.all()}

"""What later domains hold of an organisation's skills, people and numbers, asked before
deleting them (and before listing caller IDs).

Accounts comes first in the domain order, so it does not look at the tables that refer to
its rows (a queue's required skills, a number routed to a person: kept by id, with no
foreign key). Its deletes take a :class:`ReferenceGuard` instead, which names what still
refers to the row; routing implements it and the composition root (``create_app``) supplies
it. A delete that something still needs is refused (409) naming what blocks it. The same
guard says which numbers belong to another organisation, so an organisation's settings
cannot list them as its caller IDs.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class ReferenceGuard(Protocol):
    """Names what still refers to a skill or a person, in display order ([] when nothing)."""

    async def queues_requiring_skill(
        self, session: AsyncSession, org_id: str, skill_id: str
    ) -> list[str]:
        """Names of the organisation's queues that require the skill."""
        ...

    async def numbers_routed_to_person(
        self, session: AsyncSession, org_id: str, user_id: str
    ) -> list[str]:
        """The organisation's numbers that ring the person or take their voicemail."""
        ...

    async def numbers_of_other_organizations(
        self, session: AsyncSession, org_id: str, numbers: list[str]
    ) -> list[str]:
        """Those of ``numbers`` routed to an organisation other than ``org_id``."""
        ...

"""What other domains read of accounts' tables: queries only; each takes a session and
never commits. Routing, campaigns, voicemail, telephony and the dialler ask these instead of
querying organisations, users, teams, skills, business hours and dispositions themselves."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts.models import (
    BusinessHours,
    Disposition,
    Organization,
    Skill,
    Team,
    TeamMember,
    User,
    UserSkill,
)


async def find_organization(session: AsyncSession, organization_id: str) -> Organization | None:
    return await session.get(Organization, organization_id)


async def find_user(session: AsyncSession, user_id: str) -> User | None:
    """The user with that id in any organisation (callers check the organisation)."""
    return await session.get(User, user_id)


async def find_user_id(session: AsyncSession, org_id: str, user_id: str) -> str | None:
    """``user_id`` if the organisation has such a user (active or not), else ``None``."""
    return await session.scalar(
        select(User.id).where(User.id == user_id, User.organization_id == org_id)
    )


async def find_active_user(session: AsyncSession, org_id: str, user_id: str) -> User | None:
    return await session.scalar(
        select(User).where(
            User.id == user_id,
            User.organization_id == org_id,
            User.is_active.is_(True),
        )
    )


async def list_active_users(session: AsyncSession, org_id: str) -> list[User]:
    """The organisation's active users, by name."""
    users = await session.scalars(
        select(User)
        .where(User.organization_id == org_id, User.is_active.is_(True))
        .order_by(User.name)
    )
    return list(users)


async def known_user_ids(session: AsyncSession, org_id: str, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are users of the organisation."""
    return set(
        await session.scalars(
            select(User.id).where(User.id.in_(ids), User.organization_id == org_id)
        )
    )


async def known_team_ids(session: AsyncSession, org_id: str, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are teams of the organisation."""
    return set(
        await session.scalars(
            select(Team.id).where(Team.id.in_(ids), Team.organization_id == org_id)
        )
    )


async def known_skill_ids(session: AsyncSession, org_id: str, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are skills of the organisation."""
    return set(
        await session.scalars(
            select(Skill.id).where(Skill.id.in_(ids), Skill.organization_id == org_id)
        )
    )


async def skill_levels(session: AsyncSession, user_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """``{user id: {skill id: proficiency}}`` for those users (users without skills absent)."""
    levels: dict[str, dict[str, int]] = {}
    for s in await session.scalars(select(UserSkill).where(UserSkill.user_id.in_(user_ids))):
        levels.setdefault(s.user_id, {})[s.skill_id] = s.proficiency
    return levels


async def list_business_hours(session: AsyncSession, organization_id: str) -> list[BusinessHours]:
    """The organisation's weekly opening intervals (unordered; see ``get_business_hours``
    for the ordered, validated view)."""
    rows = await session.scalars(
        select(BusinessHours).where(BusinessHours.organization_id == organization_id)
    )
    return list(rows)


async def disposition_codes(session: AsyncSession, org_id: str) -> set[str]:
    """The codes of the organisation's dispositions."""
    return set(
        (
            await session.scalars(
                select(Disposition.code).where(Disposition.organization_id == org_id)
            )
        ).all()
    )


async def find_disposition(session: AsyncSession, org_id: str, code: str) -> Disposition | None:
    return await session.scalar(
        select(Disposition).where(Disposition.organization_id == org_id, Disposition.code == code)
    )


async def list_team_member_ids(session: AsyncSession, team_ids: Iterable[str]) -> list[str]:
    """The users who are members of those teams (a member of two appears twice)."""
    rows = await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id.in_(team_ids)))
    return list(rows)

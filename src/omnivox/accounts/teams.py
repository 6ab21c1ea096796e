"""Teams and skills of an organisation."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit
from omnivox.accounts.models import Skill, Team, TeamMember, User
from omnivox.accounts.references import ReferenceGuard
from omnivox.accounts.schemas import (
    SkillCreate,
    SkillUpdate,
    TeamCreate,
    TeamMembersWrite,
    TeamRead,
    TeamUpdate,
)
from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from omnivox.core.security.principal import Principal

Named = TypeVar("Named", Team, Skill)


def team_to_read(team: Team) -> TeamRead:
    return TeamRead(
        id=team.id,
        name=team.name,
        description=team.description,
        member_ids=sorted(m.user_id for m in team.members),
    )


async def _get(session: AsyncSession, model: type[Named], org_id: str, obj_id: str) -> Named:
    obj = await session.scalar(
        select(model).where(model.id == obj_id, model.organization_id == org_id)
    )
    if obj is None:
        raise NotFound(f"{model.__name__.lower()} not found")
    return obj


async def _list(session: AsyncSession, model: type[Named], org_id: str) -> list[Named]:
    query = select(model).where(model.organization_id == org_id).order_by(model.name)
    return list((await session.scalars(query)).all())


async def _save_named(session: AsyncSession, kind: str, name: str, *, flush: bool = False) -> None:
    """Commit (or only flush), turning the unique-name violation into a 409."""
    try:
        await (session.flush() if flush else session.commit())
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a {kind} named {name!r} already exists",
            problems=[FieldProblem("name", "already used")],
        ) from None


async def list_teams(session: AsyncSession, org_id: str) -> list[Team]:
    return await _list(session, Team, org_id)


async def get_team(session: AsyncSession, org_id: str, team_id: str) -> Team:
    return await _get(session, Team, org_id, team_id)


async def create_team(session: AsyncSession, actor: Principal, data: TeamCreate) -> Team:
    team = Team(organization_id=actor.organization_id, **data.model_dump())
    session.add(team)
    await _save_named(session, "team", data.name, flush=True)
    audit.record(session, actor, "team.create", "team", team.id, after=audit.snapshot(team))
    await session.commit()
    await session.refresh(team, ["members"])
    return team


async def update_team(
    session: AsyncSession, actor: Principal, team_id: str, data: TeamUpdate
) -> Team:
    team = await get_team(session, actor.organization_id, team_id)
    before = audit.snapshot(team)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(team, field, value)
    audit.record(
        session, actor, "team.update", "team", team.id, before=before, after=audit.snapshot(team)
    )
    await _save_named(session, "team", team.name)
    await session.refresh(team, ["members"])
    return team


async def set_team_members(
    session: AsyncSession, actor: Principal, team_id: str, data: TeamMembersWrite
) -> Team:
    team = await get_team(session, actor.organization_id, team_id)
    wanted = set(data.user_ids)
    known = (
        set(
            await session.scalars(
                select(User.id).where(
                    User.id.in_(wanted), User.organization_id == actor.organization_id
                )
            )
        )
        if wanted
        else set()
    )
    if unknown := sorted(wanted - known):
        raise InvalidInput.on("user_ids", f"unknown user ids: {', '.join(unknown)}")
    before = sorted(m.user_id for m in team.members)
    team.members = [TeamMember(user_id=u) for u in sorted(wanted)]
    audit.record(
        session,
        actor,
        "team.members",
        "team",
        team.id,
        before={"members": before},
        after={"members": sorted(wanted)},
    )
    await session.commit()
    await session.refresh(team, ["members"])
    return team


async def delete_team(session: AsyncSession, actor: Principal, team_id: str) -> None:
    team = await get_team(session, actor.organization_id, team_id)
    audit.record(session, actor, "team.delete", "team", team.id, before=audit.snapshot(team))
    await session.delete(team)
    await session.commit()


async def list_skills(session: AsyncSession, org_id: str) -> list[Skill]:
    return await _list(session, Skill, org_id)


async def get_skill(session: AsyncSession, org_id: str, skill_id: str) -> Skill:
    return await _get(session, Skill, org_id, skill_id)


async def create_skill(session: AsyncSession, actor: Principal, data: SkillCreate) -> Skill:
    skill = Skill(organization_id=actor.organization_id, **data.model_dump())
    session.add(skill)
    await _save_named(session, "skill", data.name, flush=True)
    audit.record(session, actor, "skill.create", "skill", skill.id, after=audit.snapshot(skill))
    await session.commit()
    return skill


async def update_skill(
    session: AsyncSession, actor: Principal, skill_id: str, data: SkillUpdate
) -> Skill:
    skill = await get_skill(session, actor.organization_id, skill_id)
    before = audit.snapshot(skill)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(skill, field, value)
    audit.record(
        session,
        actor,
        "skill.update",
        "skill",
        skill.id,
        before=before,
        after=audit.snapshot(skill),
    )
    await _save_named(session, "skill", skill.name)
    return skill


async def delete_skill(
    session: AsyncSession, actor: Principal, skill_id: str, *, guard: ReferenceGuard
) -> None:
    skill = await get_skill(session, actor.organization_id, skill_id)
    # Queues keep their required skills as JSON keyed by skill id (no foreign key), so the
    # reference is checked here; agents' proficiencies go with the skill (ON DELETE CASCADE).
    if requiring := await guard.queues_requiring_skill(session, actor.organization_id, skill.id):
        which = ", ".join(repr(name) for name in requiring)
        raise Conflict(
            f"the skill is required by queue{'s' if len(requiring) > 1 else ''} {which}; "
            "remove it there first"
        )
    audit.record(session, actor, "skill.delete", "skill", skill.id, before=audit.snapshot(skill))
    await session.delete(skill)
    await session.commit()

"""Admin pages for users, teams and skills: list, create, edit, delete in place (HTMX)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import teams, users
from omnivox.accounts.api.deps import Guard
from omnivox.accounts.models import Skill, Team, User
from omnivox.accounts.schemas import (
    SkillCreate,
    SkillLevel,
    SkillUpdate,
    TeamCreate,
    TeamMembersWrite,
    TeamUpdate,
    UserCreate,
    UserSkillsWrite,
    UserUpdate,
)
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.http import CrudPages, add_crud_pages, in_org, parse

router = APIRouter(prefix="/admin")


def _grantable_roles(actor: Principal) -> list[str]:
    return [
        r.value for r in Role if r is not Role.PLATFORM_ADMIN or actor.role is Role.PLATFORM_ADMIN
    ]


async def _users_context(db: AsyncSession, actor: Principal) -> dict[str, Any]:
    return {
        "users": await users.list_users(db, actor.organization_id),
        "skills": await teams.list_skills(db, actor.organization_id),
        "roles": _grantable_roles(actor),
    }


async def _create_user(db: AsyncSession, actor: Principal, form: dict[str, Any]) -> User:
    return await users.create_user(db, actor, parse(UserCreate, form))


async def _update_user(
    db: AsyncSession, actor: Principal, user_id: str, data: dict[str, Any]
) -> User:
    levels = [
        SkillLevel(skill_id=key.removeprefix("skill_"), proficiency=int(value))
        for key, value in data.items()
        if key.startswith("skill_") and value.isdigit()
    ]
    update = parse(
        UserUpdate,
        {
            "name": data.get("name"),
            "role": data.get("role"),
            "is_active": data.get("is_active") == "on",
            **({"password": data["password"]} if data.get("password") else {}),
        },
    )
    skills_write = parse(UserSkillsWrite, {"skills": [lvl.model_dump() for lvl in levels]})
    await users.update_user(db, actor, user_id, update)
    return await users.set_user_skills(db, actor, user_id, skills_write)


add_crud_pages(
    router,
    CrudPages[User](
        path="/users",
        noun="user",
        read=P.USERS_READ,
        write=P.USERS_WRITE,
        page_template="admin/users.html",
        table_template="partials/users_table.html",
        context=_users_context,
        get=in_org(users.get_user),
        create=_create_user,
        update=_update_user,
        delete=users.delete_user,
        delete_needs={"guard": Guard},
        label=lambda user: user.email,
    ),
)


async def _teams_context(db: AsyncSession, actor: Principal) -> dict[str, Any]:
    return {
        "teams": await teams.list_teams(db, actor.organization_id),
        "users": await users.list_users(db, actor.organization_id),
    }


async def _create_team(db: AsyncSession, actor: Principal, data: dict[str, Any]) -> Team:
    members = data.pop("user_ids", [])
    team = await teams.create_team(db, actor, parse(TeamCreate, data))
    if members:
        await teams.set_team_members(
            db, actor, team.id, parse(TeamMembersWrite, {"user_ids": members})
        )
    return team


async def _update_team(
    db: AsyncSession, actor: Principal, team_id: str, data: dict[str, Any]
) -> Team:
    members = parse(TeamMembersWrite, {"user_ids": data.pop("user_ids", [])})
    team = await teams.update_team(db, actor, team_id, parse(TeamUpdate, data))
    await teams.set_team_members(db, actor, team_id, members)
    return team


add_crud_pages(
    router,
    CrudPages[Team](
        path="/teams",
        noun="team",
        read=P.TEAMS_READ,
        write=P.TEAMS_WRITE,
        page_template="admin/teams.html",
        table_template="partials/teams_table.html",
        context=_teams_context,
        get=in_org(teams.get_team),
        create=_create_team,
        update=_update_team,
        delete=teams.delete_team,
        label=lambda team: f"team {team.name}",
        form_lists=("user_ids",),
    ),
)


async def _skills_context(db: AsyncSession, actor: Principal) -> dict[str, Any]:
    return {"skills": await teams.list_skills(db, actor.organization_id)}


async def _create_skill(db: AsyncSession, actor: Principal, form: dict[str, Any]) -> Skill:
    return await teams.create_skill(db, actor, parse(SkillCreate, form))


async def _update_skill(
    db: AsyncSession, actor: Principal, skill_id: str, form: dict[str, Any]
) -> Skill:
    return await teams.update_skill(db, actor, skill_id, parse(SkillUpdate, form))


add_crud_pages(
    router,
    CrudPages[Skill](
        path="/skills",
        noun="skill",
        read=P.SKILLS_READ,
        write=P.SKILLS_WRITE,
        page_template="admin/skills.html",
        table_template="partials/skills_table.html",
        context=_skills_context,
        get=in_org(teams.get_skill),
        create=_create_skill,
        update=_update_skill,
        delete=teams.delete_skill,
        delete_needs={"guard": Guard},
        label=lambda skill: f"skill {skill.name}",
    ),
)

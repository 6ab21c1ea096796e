"""Admin pages for users, teams and skills: list, create, edit, delete in place (HTMX)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from omnivox.accounts import teams, users
from omnivox.accounts.api.deps import Guard
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
from omnivox.web.deps import DB, Allow
from omnivox.web.views.forms import form_dict, parse, render

router = APIRouter(prefix="/admin")


def _grantable_roles(actor: Principal) -> list[str]:
    return [
        r.value for r in Role if r is not Role.PLATFORM_ADMIN or actor.role is Role.PLATFORM_ADMIN
    ]


async def _users_table(
    request: Request, db: DB, actor: Principal, message: str = "", editing: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "partials/users_table.html",
        actor,
        users=await users.list_users(db, actor.organization_id),
        skills=await teams.list_skills(db, actor.organization_id),
        roles=_grantable_roles(actor),
        editing=editing,
        message=message,
    )


@router.get("/users")
async def users_page(
    request: Request, db: DB, actor: Principal = Allow(P.USERS_READ)
) -> HTMLResponse:
    return render(
        request,
        "admin/users.html",
        actor,
        users=await users.list_users(db, actor.organization_id),
        skills=await teams.list_skills(db, actor.organization_id),
        roles=_grantable_roles(actor),
        editing=None,
        message="",
    )


@router.post("/users")
async def create_user(
    request: Request, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> HTMLResponse:
    user = await users.create_user(db, actor, parse(UserCreate, await form_dict(request)))
    return await _users_table(request, db, actor, f"Created {user.email}.")


@router.get("/users/{user_id}/edit")
async def edit_user(
    user_id: str, request: Request, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> HTMLResponse:
    await users.get_user(db, actor.organization_id, user_id)
    return await _users_table(request, db, actor, editing=user_id)


@router.post("/users/{user_id}")
async def update_user(
    user_id: str, request: Request, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> HTMLResponse:
    data = await form_dict(request)
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
    user = await users.set_user_skills(db, actor, user_id, skills_write)
    return await _users_table(request, db, actor, f"Saved {user.email}.")


@router.post("/users/{user_id}/delete")
async def delete_user(
    user_id: str, request: Request, db: DB, guard: Guard, actor: Principal = Allow(P.USERS_WRITE)
) -> HTMLResponse:
    await users.delete_user(db, actor, user_id, guard=guard)
    return await _users_table(request, db, actor, "User deleted.")


async def _teams_table(
    request: Request, db: DB, actor: Principal, message: str = "", editing: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "partials/teams_table.html",
        actor,
        teams=await teams.list_teams(db, actor.organization_id),
        users=await users.list_users(db, actor.organization_id),
        editing=editing,
        message=message,
    )


@router.get("/teams")
async def teams_page(
    request: Request, db: DB, actor: Principal = Allow(P.TEAMS_READ)
) -> HTMLResponse:
    return render(
        request,
        "admin/teams.html",
        actor,
        teams=await teams.list_teams(db, actor.organization_id),
        users=await users.list_users(db, actor.organization_id),
        editing=None,
        message="",
    )


@router.post("/teams")
async def create_team(
    request: Request, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> HTMLResponse:
    data = await form_dict(request, lists=("user_ids",))
    members = data.pop("user_ids", [])
    team = await teams.create_team(db, actor, parse(TeamCreate, data))
    if members:
        await teams.set_team_members(
            db, actor, team.id, parse(TeamMembersWrite, {"user_ids": members})
        )
    return await _teams_table(request, db, actor, f"Created team {team.name}.")


@router.get("/teams/{team_id}/edit")
async def edit_team(
    team_id: str, request: Request, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> HTMLResponse:
    await teams.get_team(db, actor.organization_id, team_id)
    return await _teams_table(request, db, actor, editing=team_id)


@router.post("/teams/{team_id}")
async def update_team(
    team_id: str, request: Request, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> HTMLResponse:
    data = await form_dict(request, lists=("user_ids",))
    members = parse(TeamMembersWrite, {"user_ids": data.pop("user_ids", [])})
    team = await teams.update_team(db, actor, team_id, parse(TeamUpdate, data))
    await teams.set_team_members(db, actor, team_id, members)
    return await _teams_table(request, db, actor, f"Saved team {team.name}.")


@router.post("/teams/{team_id}/delete")
async def delete_team(
    team_id: str, request: Request, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> HTMLResponse:
    await teams.delete_team(db, actor, team_id)
    return await _teams_table(request, db, actor, "Team deleted.")


async def _skills_table(
    request: Request, db: DB, actor: Principal, message: str = "", editing: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "partials/skills_table.html",
        actor,
        skills=await teams.list_skills(db, actor.organization_id),
        editing=editing,
        message=message,
    )


@router.get("/skills")
async def skills_page(
    request: Request, db: DB, actor: Principal = Allow(P.SKILLS_READ)
) -> HTMLResponse:
    return render(
        request,
        "admin/skills.html",
        actor,
        skills=await teams.list_skills(db, actor.organization_id),
        editing=None,
        message="",
    )


@router.post("/skills")
async def create_skill(
    request: Request, db: DB, actor: Principal = Allow(P.SKILLS_WRITE)
) -> HTMLResponse:
    skill = await teams.create_skill(db, actor, parse(SkillCreate, await form_dict(request)))
    return await _skills_table(request, db, actor, f"Created skill {skill.name}.")


@router.get("/skills/{skill_id}/edit")
async def edit_skill(
    skill_id: str, request: Request, db: DB, actor: Principal = Allow(P.SKILLS_WRITE)
) -> HTMLResponse:
    await teams.get_skill(db, actor.organization_id, skill_id)
    return await _skills_table(request, db, actor, editing=skill_id)


@router.post("/skills/{skill_id}")
async def update_skill(
    skill_id: str, request: Request, db: DB, actor: Principal = Allow(P.SKILLS_WRITE)
) -> HTMLResponse:
    skill = await teams.update_skill(
        db, actor, skill_id, parse(SkillUpdate, await form_dict(request))
    )
    return await _skills_table(request, db, actor, f"Saved skill {skill.name}.")


@router.post("/skills/{skill_id}/delete")
async def delete_skill(
    skill_id: str,
    request: Request,
    db: DB,
    guard: Guard,
    actor: Principal = Allow(P.SKILLS_WRITE),
) -> HTMLResponse:
    await teams.delete_skill(db, actor, skill_id, guard=guard)
    return await _skills_table(request, db, actor, "Skill deleted.")

"""Users, teams and skills."""

from __future__ import annotations

from fastapi import APIRouter, Response

from omnivox.accounts import teams, users
from omnivox.accounts.api.deps import Guard
from omnivox.accounts.schemas import (
    SkillCreate,
    SkillRead,
    SkillUpdate,
    TeamCreate,
    TeamMembersWrite,
    TeamRead,
    TeamUpdate,
    UserCreate,
    UserRead,
    UserSkillsWrite,
    UserUpdate,
)
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.web.deps import DB, Allow

router = APIRouter(tags=["people"])


@router.get("/users", response_model=list[UserRead])
async def list_users(db: DB, actor: Principal = Allow(P.USERS_READ)) -> list[UserRead]:
    return [users.to_read(u) for u in await users.list_users(db, actor.organization_id)]


@router.post("/users", response_model=UserRead, status_code=201)
async def create_user(
    data: UserCreate, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> UserRead:
    return users.to_read(await users.create_user(db, actor, data))


@router.get("/users/{user_id}", response_model=UserRead)
async def read_user(user_id: str, db: DB, actor: Principal = Allow(P.USERS_READ)) -> UserRead:
    return users.to_read(await users.get_user(db, actor.organization_id, user_id))


@router.patch("/users/{user_id}", response_model=UserRead)
async def update_user(
    user_id: str, data: UserUpdate, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> UserRead:
    return users.to_read(await users.update_user(db, actor, user_id, data))


@router.put("/users/{user_id}/skills", response_model=UserRead)
async def set_user_skills(
    user_id: str, data: UserSkillsWrite, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> UserRead:
    return users.to_read(await users.set_user_skills(db, actor, user_id, data))


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(
    user_id: str, db: DB, guard: Guard, actor: Principal = Allow(P.USERS_WRITE)
) -> Response:
    await users.delete_user(db, actor, user_id, guard=guard)
    return Response(status_code=204)


@router.get("/teams", response_model=list[TeamRead])
async def list_teams(db: DB, actor: Principal = Allow(P.TEAMS_READ)) -> list[TeamRead]:
    return [teams.team_to_read(t) for t in await teams.list_teams(db, actor.organization_id)]


@router.post("/teams", response_model=TeamRead, status_code=201)
async def create_team(
    data: TeamCreate, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> TeamRead:
    return teams.team_to_read(await teams.create_team(db, actor, data))


@router.get("/teams/{team_id}", response_model=TeamRead)
async def read_team(team_id: str, db: DB, actor: Principal = Allow(P.TEAMS_READ)) -> TeamRead:
    return teams.team_to_read(await teams.get_team(db, actor.organization_id, team_id))


@router.patch("/teams/{team_id}", response_model=TeamRead)
async def update_team(
    team_id: str, data: TeamUpdate, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> TeamRead:
    return teams.team_to_read(await teams.update_team(db, actor, team_id, data))


@router.put("/teams/{team_id}/members", response_model=TeamRead)
async def set_team_members(
    team_id: str, data: TeamMembersWrite, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> TeamRead:
    return teams.team_to_read(await teams.set_team_members(db, actor, team_id, data))


@router.delete("/teams/{team_id}", status_code=204)
async def delete_team(team_id: str, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)) -> Response:
    await teams.delete_team(db, actor, team_id)
    return Response(status_code=204)


@router.get("/skills", response_model=list[SkillRead])
async def list_skills(db: DB, actor: Principal = Allow(P.SKILLS_READ)) -> list[SkillRead]:
    return [SkillRead.model_validate(s) for s in await teams.list_skills(db, actor.organization_id)]


@router.post("/skills", response_model=SkillRead, status_code=201)
async def create_skill(
    data: SkillCreate, db: DB, actor: Principal = Allow(P.SKILLS_WRITE)
) -> SkillRead:
    return SkillRead.model_validate(await teams.create_skill(db, actor, data))


@router.get("/skills/{skill_id}", response_model=SkillRead)
async def read_skill(skill_id: str, db: DB, actor: Principal = Allow(P.SKILLS_READ)) -> SkillRead:
    return SkillRead.model_validate(await teams.get_skill(db, actor.organization_id, skill_id))


@router.patch("/skills/{skill_id}", response_model=SkillRead)
async def update_skill(
    skill_id: str, data: SkillUpdate, db: DB, actor: Principal = Allow(P.SKILLS_WRITE)
) -> SkillRead:
    return SkillRead.model_validate(await teams.update_skill(db, actor, skill_id, data))


@router.delete("/skills/{skill_id}", status_code=204)
async def delete_skill(
    skill_id: str, db: DB, guard: Guard, actor: Principal = Allow(P.SKILLS_WRITE)
) -> Response:
    await teams.delete_skill(db, actor, skill_id, guard=guard)
    return Response(status_code=204)

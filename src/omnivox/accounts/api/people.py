"""Users, teams and skills."""

from __future__ import annotations

from fastapi import APIRouter

from omnivox.accounts import api_tokens, teams, users
from omnivox.accounts.api.deps import Guard
from omnivox.accounts.models import Skill, Team, User
from omnivox.accounts.schemas import (
    ApiTokenRead,
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
from omnivox.http import DB, Allow, JsonCrud, State, add_json_crud, in_org

router = APIRouter(tags=["people"])

add_json_crud(
    router,
    JsonCrud[User](
        path="/users",
        noun="user",
        read_model=UserRead,
        read=P.USERS_READ,
        write=P.USERS_WRITE,
        list_rows=in_org(users.list_users),
        create=users.create_user,
        create_model=UserCreate,
        get=in_org(users.get_user),
        update=users.update_user,
        update_model=UserUpdate,
        delete=users.delete_user,
        delete_needs={"guard": Guard},
        dump=lambda _db, user: users.to_read(user),
    ),
)


@router.put("/users/{user_id}/skills", response_model=UserRead)
async def set_user_skills(
    user_id: str, data: UserSkillsWrite, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> UserRead:
    return users.to_read(await users.set_user_skills(db, actor, user_id, data))


@router.get("/users/{user_id}/tokens", response_model=list[ApiTokenRead])
async def user_tokens(
    user_id: str, db: DB, actor: Principal = Allow(P.USERS_WRITE)
) -> list[ApiTokenRead]:
    """A person's API tokens, for an administrator: scope, last use and where from."""
    user = await users.get_user(db, actor.organization_id, user_id)
    return [ApiTokenRead.model_validate(t) for t in await api_tokens.list_api_tokens(db, user.id)]


@router.delete("/users/{user_id}/tokens/{token_id}", response_model=ApiTokenRead)
async def revoke_user_token(
    user_id: str, token_id: str, db: DB, state: State, actor: Principal = Allow(P.USERS_WRITE)
) -> ApiTokenRead:
    user = await users.get_user(db, actor.organization_id, user_id)
    token = await api_tokens.revoke_api_token(db, actor, user.id, token_id, state.clock.now())
    return ApiTokenRead.model_validate(token)


add_json_crud(
    router,
    JsonCrud[Team](
        path="/teams",
        noun="team",
        read_model=TeamRead,
        read=P.TEAMS_READ,
        write=P.TEAMS_WRITE,
        list_rows=in_org(teams.list_teams),
        create=teams.create_team,
        create_model=TeamCreate,
        get=in_org(teams.get_team),
        update=teams.update_team,
        update_model=TeamUpdate,
        delete=teams.delete_team,
        dump=lambda _db, team: teams.team_to_read(team),
    ),
)


@router.put("/teams/{team_id}/members", response_model=TeamRead)
async def set_team_members(
    team_id: str, data: TeamMembersWrite, db: DB, actor: Principal = Allow(P.TEAMS_WRITE)
) -> TeamRead:
    return teams.team_to_read(await teams.set_team_members(db, actor, team_id, data))


add_json_crud(
    router,
    JsonCrud[Skill](
        path="/skills",
        noun="skill",
        read_model=SkillRead,
        read=P.SKILLS_READ,
        write=P.SKILLS_WRITE,
        list_rows=in_org(teams.list_skills),
        create=teams.create_skill,
        create_model=SkillCreate,
        get=in_org(teams.get_skill),
        update=teams.update_skill,
        update_model=SkillUpdate,
        delete=teams.delete_skill,
        delete_needs={"guard": Guard},
    ),
)

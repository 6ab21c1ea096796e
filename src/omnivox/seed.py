"""The demo organisation a newcomer signs in to on a fresh machine."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import organizations, teams, users
from omnivox.accounts.schemas import (
    OrganizationCreate,
    OrganizationUpdate,
    SkillCreate,
    TeamCreate,
    TeamMembersWrite,
    UserCreate,
    UserSkillsWrite,
)
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal

DEMO_SLUG = "demo"
DEMO_PEOPLE: list[tuple[str, str, Role]] = [
    ("platform", "Platform Operator", Role.PLATFORM_ADMIN),
    ("admin", "Ada Admin", Role.ORG_ADMIN),
    ("supervisor", "Sam Supervisor", Role.SUPERVISOR),
    ("agent1", "Alex Agent", Role.AGENT),
    ("agent2", "Bea Agent", Role.AGENT),
]


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    role: Role


def new_password() -> str:
    return secrets.token_urlsafe(12) + "-7"


async def seed_demo(session: AsyncSession) -> list[Login] | None:
    """Create the demo organisation; None if it already exists (passwords are not stored)."""
    if await organizations.find_organization_by_slug(session, DEMO_SLUG):
        return None
    bootstrap = Principal.system("")
    org = await organizations.create_organization(
        session,
        bootstrap,
        OrganizationCreate(slug=DEMO_SLUG, name="Demo Contact Center", timezone="America/New_York"),
    )
    actor = Principal.system(org.id)
    logins: list[Login] = []
    created = {}
    for local, name, role in DEMO_PEOPLE:
        login = Login(f"{local}@demo.example.com", new_password(), role)
        system_admin = Principal(
            actor.user_id, org.id, actor.email, actor.name, Role.PLATFORM_ADMIN, "system"
        )
        created[local] = await users.create_user(
            session,
            system_admin,
            UserCreate(email=login.email, name=name, role=role, password=login.password),
        )
        logins.append(login)
    english = await teams.create_skill(session, actor, SkillCreate(name="English"))
    spanish = await teams.create_skill(session, actor, SkillCreate(name="Spanish"))
    team = await teams.create_team(session, actor, TeamCreate(name="Sales floor"))
    await teams.set_team_members(
        session,
        actor,
        team.id,
        TeamMembersWrite(user_ids=[created["agent1"].id, created["agent2"].id]),
    )
    await users.set_user_skills(
        session,
        actor,
        created["agent1"].id,
        UserSkillsWrite.model_validate({"skills": [{"skill_id": english.id, "proficiency": 8}]}),
    )
    await users.set_user_skills(
        session,
        actor,
        created["agent2"].id,
        UserSkillsWrite.model_validate(
            {
                "skills": [
                    {"skill_id": english.id, "proficiency": 6},
                    {"skill_id": spanish.id, "proficiency": 9},
                ]
            }
        ),
    )
    await _demo_inbound(session, actor, [created["agent1"].id, created["agent2"].id])
    return logins


DEMO_NUMBER = "+15005550006"


async def _demo_inbound(session: AsyncSession, actor: Principal, agent_ids: list[str]) -> None:
    """A queue served by both agents, a number routed to it, and round-the-clock hours, so
    a newcomer can ring the demo from the supervisor page's sandbox panel at any hour."""
    from omnivox.accounts.schemas import BusinessHoursWrite
    from omnivox.routing import queues
    from omnivox.routing.references import RoutingReferences
    from omnivox.routing.schemas import MembersWrite, NumberWrite, QueueWrite

    await organizations.replace_business_hours(
        session,
        actor,
        BusinessHoursWrite.model_validate(
            {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}
        ),
    )
    queue = await queues.save_queue(
        session,
        actor,
        QueueWrite(name="Support", announce_every_seconds=45, callback_enabled=True),
    )
    await queues.set_members(
        session,
        actor,
        queue.id,
        MembersWrite.model_validate({"members": [{"user_id": a} for a in agent_ids]}),
    )
    await queues.add_number(
        session,
        actor,
        NumberWrite(number=DEMO_NUMBER, friendly_name="Demo support line", target_id=queue.id),
    )
    # The demo's own number is its caller ID, so the desktop can dial out at once.
    await organizations.update_organization(
        session,
        actor,
        actor.organization_id,
        OrganizationUpdate(default_caller_ids=[DEMO_NUMBER]),
        guard=RoutingReferences(),
    )

"""Test support: the app under test with factories for organisations, users and tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.accounts import api_tokens, auth, organizations, users
from omnivox.accounts.models import Organization, Team, TeamMember
from omnivox.accounts.schemas import ApiTokenCreate, OrganizationCreate, UserCreate
from omnivox.core.clock import ManualClock
from omnivox.core.config import Settings
from omnivox.core.events import Audience, DomainEvent
from omnivox.core.security.permissions import Role, permissions_of
from omnivox.core.security.principal import Principal

T = TypeVar("T")
PASSWORD = "correct-horse-9"


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a fresh thread: safe even where a loop is already running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class Env:
    """The app under test with handles a test needs."""

    app: object
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    clock: ManualClock
    settings: Settings

    async def counted(self) -> int:
        """Wait until every call that has ended is in the rollups: the live upkeep counts
        them in batches, after a short delay (``reporting.batcher``)."""
        return int(await self.app.state.call_batcher.flush())  # type: ignore[attr-defined]

    async def org(self, slug: str, tz: str = "UTC") -> str:
        async with self.sessions() as s:
            org = await organizations.create_organization(
                s,
                Principal.system(""),
                OrganizationCreate(slug=slug, name=slug.title(), timezone=tz),
            )
            return org.id

    async def user(self, org_id: str, email: str, role: Role) -> str:
        async with self.sessions() as s:
            actor = Principal("", org_id, "system", "System", Role.PLATFORM_ADMIN, "system")
            user = await users.create_user(
                s,
                actor,
                UserCreate(email=email, name=email.split("@")[0], role=role, password=PASSWORD),
            )
            return user.id

    async def bound_to_teams(
        self, org_id: str, members: list[str], team_id: str | None = None, name: str = "Team"
    ) -> str:
        """Supervisors of the organisation see their teams' agents only; ``members`` join
        the team ``team_id`` (a new one named ``name`` when None). The team's id."""
        async with self.sessions() as s:
            await s.execute(
                update(Organization)
                .where(Organization.id == org_id)
                .values(supervisor_scope="teams")
            )
            if team_id is None:
                team = Team(organization_id=org_id, name=name)
                s.add(team)
                await s.flush()
                team_id = team.id
            s.add_all([TeamMember(team_id=team_id, user_id=m) for m in members])
            await s.commit()
        return team_id

    async def token(self, email: str, *, whole_role: bool = False, **scope: Any) -> dict[str, str]:
        """API headers of a token with the default scope (the role, less tokens:manage),
        of everything the role may do (``whole_role``, as a browser session), or of
        ``scope`` (fields of ``ApiTokenCreate``: ``scope=``, ``permissions=``, …)."""
        async with self.sessions() as s:
            user = await users.find_user_by_email(s, email)
            assert user is not None
            if whole_role:
                everything = sorted(p.value for p in permissions_of(Role(user.role)))
                scope = {"scope": "custom", "permissions": everything}
            data = ApiTokenCreate(name="test", **scope)
            _t, secret = await api_tokens.create_api_token(
                s, auth.principal_of(user, "system"), data, self.clock.now()
            )
            return {"Authorization": f"Bearer {secret}"}


@dataclass(frozen=True, kw_only=True)
class _Notice(DomainEvent):
    details: dict[str, Any] = field(default_factory=dict)


_NOTICES: dict[str, type[_Notice]] = {}


def notice(name: str, audience: Audience, at: datetime, **details: Any) -> DomainEvent:
    """A typed event of its own wire name, for tests of the bus and the WebSocket hub."""
    cls = _NOTICES.get(name)
    if cls is None:
        cls = dataclass(frozen=True, kw_only=True)(
            type(f"Notice_{len(_NOTICES)}", (_Notice,), {"NAME": name, "__module__": __name__})
        )
        _NOTICES[name] = cls
    return cls(audience=audience, at=at, details=details)

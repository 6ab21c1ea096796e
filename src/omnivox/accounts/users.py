"""Users of an organisation and their skills."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import api_tokens, audit
from omnivox.accounts.models import Skill, User, UserSession, UserSkill
from omnivox.accounts.references import ReferenceGuard
from omnivox.accounts.schemas import SkillLevel, UserCreate, UserRead, UserSkillsWrite, UserUpdate
from omnivox.core.db import utcnow
from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.passwords import hash_password
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal


def to_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        is_active=user.is_active,
        totp_enabled=user.totp_enabled,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
        skills=[SkillLevel(skill_id=s.skill_id, proficiency=s.proficiency) for s in user.skills],
    )


def _check_role_grant(actor: Principal, role: Role) -> None:
    if role is Role.PLATFORM_ADMIN and actor.role is not Role.PLATFORM_ADMIN:
        raise PermissionDenied("only a platform admin can grant the platform_admin role")


def _check_may_manage(actor: Principal, user: User) -> None:
    """An org admin must not take over a platform admin (e.g. by resetting their password)."""
    if user.role == Role.PLATFORM_ADMIN.value and actor.role is not Role.PLATFORM_ADMIN:
        raise PermissionDenied("only a platform admin can change a platform admin's account")


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def list_users(session: AsyncSession, organization_id: str) -> list[User]:
    query = select(User).where(User.organization_id == organization_id).order_by(User.name)
    return list((await session.scalars(query)).all())


async def get_user(session: AsyncSession, organization_id: str, user_id: str) -> User:
    user = await session.scalar(
        select(User).where(User.id == user_id, User.organization_id == organization_id)
    )
    if user is None:
        raise NotFound("user not found")
    return user


async def create_user(
    session: AsyncSession, actor: Principal, data: UserCreate, organization_id: str | None = None
) -> User:
    _check_role_grant(actor, data.role)
    email = data.email.strip().lower()
    if await find_user_by_email(session, email):
        raise Conflict(
            f"a user with e-mail {email} already exists",
            problems=[FieldProblem("email", "already registered")],
        )
    user = User(
        organization_id=organization_id or actor.organization_id,
        email=email,
        name=data.name,
        role=data.role.value,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    await session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        after=audit.snapshot(user),
        organization_id=user.organization_id,
    )
    await session.commit()
    await session.refresh(user, ["skills"])
    return user


async def update_user(
    session: AsyncSession, actor: Principal, user_id: str, data: UserUpdate
) -> User:
    user = await get_user(session, actor.organization_id, user_id)
    _check_may_manage(actor, user)
    before = audit.snapshot(user)
    changes = data.model_dump(exclude_unset=True)
    if data.role is not None:
        _check_role_grant(actor, data.role)
        if user.id == actor.user_id and data.role is not Role(user.role):
            raise Conflict("you cannot change your own role")
        user.role = data.role.value
    if data.is_active is False and user.id == actor.user_id:
        raise Conflict("you cannot deactivate yourself")
    if changes.get("name"):
        user.name = changes["name"]
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            # Re-enabling the account later must not bring its old tokens back.
            await api_tokens.revoke_all(session, user.id, utcnow(), "the user was disabled")
    if data.password is not None:
        user.password_hash = hash_password(data.password)
        # A reset (e.g. of a compromised account) ends every session and API token.
        await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        await api_tokens.revoke_all(
            session, user.id, utcnow(), f"the password was reset by {actor.email}"
        )
    audit.record(
        session, actor, "user.update", "user", user.id, before=before, after=audit.snapshot(user)
    )
    await session.commit()
    await session.refresh(user, ["skills"])
    return user


async def delete_user(
    session: AsyncSession, actor: Principal, user_id: str, *, guard: ReferenceGuard
) -> None:
    user = await get_user(session, actor.organization_id, user_id)
    _check_may_manage(actor, user)
    if user.id == actor.user_id:
        raise Conflict("you cannot delete yourself")
    # A number routed to the person (direct line or personal voicemail box) names them by
    # id with no foreign key: deleting them would leave callers with nowhere to go.
    if numbers := await guard.numbers_routed_to_person(session, actor.organization_id, user.id):
        raise Conflict(
            f"number{'s' if len(numbers) > 1 else ''} {', '.join(numbers)} "
            f"route{'' if len(numbers) > 1 else 's'} to this person; send "
            f"{'them' if len(numbers) > 1 else 'it'} elsewhere first"
        )
    audit.record(session, actor, "user.delete", "user", user.id, before=audit.snapshot(user))
    await session.delete(user)
    await session.commit()


async def set_user_skills(
    session: AsyncSession, actor: Principal, user_id: str, data: UserSkillsWrite
) -> User:
    user = await get_user(session, actor.organization_id, user_id)
    wanted = {s.skill_id: s.proficiency for s in data.skills}
    if wanted:
        known = set(
            await session.scalars(
                select(Skill.id).where(
                    Skill.id.in_(wanted), Skill.organization_id == actor.organization_id
                )
            )
        )
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise InvalidInput.on("skills", f"unknown skill ids: {', '.join(unknown)}")
    before = {s.skill_id: s.proficiency for s in user.skills}
    user.skills = [UserSkill(skill_id=k, proficiency=v) for k, v in wanted.items()]
    audit.record(
        session,
        actor,
        "user.skills",
        "user",
        user.id,
        before={"skills": before},
        after={"skills": wanted},
    )
    await session.commit()
    await session.refresh(user, ["skills"])
    return user

"""Sign-in: passwords with throttling (``throttle``), TOTP second factor, sessions and API
tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import api_tokens, audit, throttle
from omnivox.accounts.models import ApiToken, Organization, User, UserSession
from omnivox.accounts.schemas import PasswordChange
from omnivox.accounts.standing import may_act
from omnivox.core.config import Settings
from omnivox.core.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from omnivox.core.security import tokens
from omnivox.core.security.passwords import hash_password, needs_rehash, verify_password
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal, Via

TOTP_ISSUER = "Omnivox"


@dataclass(frozen=True)
class LoginPolicy:
    throttling: throttle.ThrottlePolicy = field(default_factory=throttle.ThrottlePolicy)
    session_ttl: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        return cls(
            throttling=throttle.ThrottlePolicy.from_settings(settings),
            session_ttl=timedelta(hours=settings.session_hours),
        )


@dataclass(frozen=True)
class NewSession:
    session_id: str  # the cookie value; only its digest is stored
    csrf_token: str
    mfa_pending: bool


def principal_of(
    user: User, via: Via, csrf_token: str = "", token: ApiToken | None = None
) -> Principal:
    return Principal(
        user.id,
        user.organization_id,
        user.email,
        user.name,
        Role(user.role),
        via,
        csrf_token,
        scope=api_tokens.scope_of(token) if token is not None else None,
        token_id=token.id if token is not None else None,
    )


async def authenticate(
    session: AsyncSession,
    email: str,
    password: str,
    now: datetime,
    policy: LoginPolicy,
    address: str = "",
) -> User:
    """The user for these credentials, or a sign-in error; a failure grows the delays of
    this account and of the client ``address`` (``throttle``)."""
    await throttle.check(session, email, address, now, policy.throttling)
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        await throttle.register_failure(session, email, address, now, policy.throttling)
        raise NotAuthenticated("Wrong e-mail or password.")
    org = await session.get(Organization, user.organization_id)
    if org is None or not org.is_active:
        raise NotAuthenticated("This organisation is disabled; contact your administrator.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    await throttle.clear_account(session, user.email, address)
    return user


def second_factor_required(org: Organization | None, user: User) -> bool:
    """The organisation requires it of everyone, or of this user's role."""
    return org is not None and (org.require_2fa or user.role in (org.require_2fa_roles or []))


async def needs_second_factor(session: AsyncSession, user: User) -> bool:
    org = await session.get(Organization, user.organization_id)
    return user.totp_enabled or second_factor_required(org, user)


async def start_session(
    session: AsyncSession,
    user: User,
    now: datetime,
    policy: LoginPolicy,
    *,
    mfa_pending: bool,
    ip: str = "",
) -> NewSession:
    sid, csrf = tokens.new_session_id(), tokens.new_csrf_token()
    session.add(
        UserSession(
            id_hash=tokens.digest(sid),
            user_id=user.id,
            csrf_token=csrf,
            mfa_pending=mfa_pending,
            created_at=now,
            expires_at=now + policy.session_ttl,
            ip=ip,
        )
    )
    if not mfa_pending:
        user.last_login_at = now
    await session.commit()
    return NewSession(sid, csrf, mfa_pending)


async def resolve_session(
    session: AsyncSession, session_id: str, now: datetime
) -> tuple[UserSession, User] | None:
    row = await session.get(UserSession, tokens.digest(session_id))
    if row is None or row.expires_at <= now:
        return None
    user = await session.get(User, row.user_id)
    if not await _may_act(session, user):
        return None
    assert user is not None
    return row, user


_may_act = may_act


async def end_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(
        delete(UserSession).where(UserSession.id_hash == tokens.digest(session_id))
    )
    await session.commit()


def _totp_ok(user: User, code: str, now: datetime) -> int | None:
    """The time step the code matched (±1 step of drift), or None; each step works once."""
    if not user.totp_secret:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if tokens.same(totp.at(candidate * totp.interval), code.strip()):
            if user.totp_last_step is not None and candidate <= user.totp_last_step:
                return None
            return candidate
    return None


async def complete_second_factor(
    session: AsyncSession, session_id: str, code: str, now: datetime, policy: LoginPolicy
) -> User:
    """Verify (or, for enrolment, enable) the TOTP code and clear the pending flag."""
    resolved = await resolve_session(session, session_id, now)
    if resolved is None:
        raise NotAuthenticated("Your sign-in expired; sign in again.")
    row, user = resolved
    # Codes are guessed like passwords: the same counters, at the address that signed in.
    await throttle.check(session, user.email, row.ip, now, policy.throttling)
    step = _totp_ok(user, code, now)
    if step is None:
        await throttle.register_failure(session, user.email, row.ip, now, policy.throttling)
        raise NotAuthenticated("That code is not valid; check your authenticator's clock.")
    user.totp_last_step, user.totp_enabled = step, True
    row.mfa_pending = False
    user.last_login_at = now
    await session.commit()
    return user


def browser_only(actor: Principal, what: str) -> None:
    """Credentials (password, second factor) change only from a signed-in browser: an API
    token, even one of the whole role, must not be a way to take the account over."""
    if actor.via == "token":
        raise PermissionDenied(f"{what} needs a signed-in browser session, not an API token")


def begin_totp_enrolment(user: User) -> tuple[str, str]:
    """A fresh secret (kept until confirmed by a valid code) and its otpauth:// URI. An
    enabled secret is never shown again."""
    if user.totp_enabled:
        raise Conflict("two-factor sign-in is already enabled; turn it off to enrol again")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    return user.totp_secret, uri


async def enable_totp(session: AsyncSession, actor: Principal, code: str, now: datetime) -> None:
    browser_only(actor, "enabling two-factor sign-in")
    user = await _own_user(session, actor)
    if user.totp_enabled:
        raise Conflict("two-factor sign-in is already enabled")
    step = _totp_ok(user, code, now)
    if step is None:
        raise InvalidInput.on("code", "not valid for the secret being enrolled")
    user.totp_enabled, user.totp_last_step = True, step
    audit.record(session, actor, "user.totp_enable", "user", user.id)
    await session.commit()


async def disable_totp(session: AsyncSession, actor: Principal, code: str, now: datetime) -> None:
    browser_only(actor, "turning two-factor sign-in off")
    user = await _own_user(session, actor)
    org = await session.get(Organization, user.organization_id)
    if second_factor_required(org, user):
        raise Conflict("your organisation requires two-factor sign-in for your role")
    if not user.totp_enabled or _totp_ok(user, code, now) is None:
        raise InvalidInput.on("code", "not valid")
    user.totp_enabled, user.totp_secret, user.totp_last_step = False, None, None
    audit.record(session, actor, "user.totp_disable", "user", user.id)
    await session.commit()


async def _own_user(session: AsyncSession, actor: Principal) -> User:
    user = await session.get(User, actor.user_id)
    if user is None:
        raise NotAuthenticated("your account no longer exists")
    return user


async def change_password(
    session: AsyncSession, actor: Principal, data: PasswordChange, now: datetime
) -> int:
    """Returns how many API tokens were revoked with the old password."""
    browser_only(actor, "changing your password")
    user = await _own_user(session, actor)
    if not verify_password(user.password_hash, data.current_password):
        raise InvalidInput.on("current_password", "is wrong")
    if data.new_password == data.current_password:
        raise InvalidInput.on("new_password", "must differ from the current password")
    user.password_hash = hash_password(data.new_password)
    # Other browsers signed in as this user are signed out, and their API tokens die with
    # the password they were made under.
    await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    revoked = await api_tokens.revoke_all(session, user.id, now, "the password was changed")
    audit.record(session, actor, "user.password_change", "user", user.id)
    await session.commit()
    return revoked

"""API tokens: scoped within their user's role, bounded in life by the organisation (and
by the token that made them), and revoked with the credentials they came from.

A leaked token used to be able to mint a ten-year token that survived its own revocation
and its user's password change. Now: a token carries only the permissions its scope
names; only a scope naming ``tokens:manage`` may create tokens, and what it creates is no
wider and lives no longer than itself; a password change, an admin's reset and disabling
the user revoke every token of theirs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit
from omnivox.accounts.models import ApiToken, Organization, User
from omnivox.accounts.schemas import ApiTokenCreate
from omnivox.accounts.standing import may_act
from omnivox.core.errors import InvalidInput, NotFound
from omnivox.core.security import tokens
from omnivox.core.security.permissions import Permission, read_only
from omnivox.core.security.principal import Principal

REASON_LENGTH = 320  # ApiToken.revoked_reason: a sentence and an e-mail address


def scope_for(actor: Principal, data: ApiTokenCreate) -> frozenset[Permission]:
    """What the new token may do: never more than its creator may (a token's creator is
    bounded by its own token's scope already)."""
    held = actor.permissions
    if data.scope == "read":
        return read_only(held)
    if data.scope == "role":
        return held - {Permission.TOKENS_MANAGE}
    known = {p.value: p for p in Permission}
    unknown = sorted(set(data.permissions) - known.keys())
    if unknown:
        raise InvalidInput.on("permissions", f"unknown permission(s): {', '.join(unknown)}")
    wanted = frozenset(known[p] for p in data.permissions)
    if not wanted:
        raise InvalidInput.on("permissions", "name at least one permission for a custom scope")
    beyond = sorted(p.value for p in wanted - held)
    if beyond:
        raise InvalidInput.on("permissions", f"you may not grant: {', '.join(beyond)}")
    return wanted


async def create_api_token(
    session: AsyncSession, actor: Principal, data: ApiTokenCreate, now: datetime
) -> tuple[ApiToken, str]:
    org = await session.get(Organization, actor.organization_id)
    limit = org.api_token_max_days if org is not None else data.expires_in_days
    if data.expires_in_days > limit:
        raise InvalidInput.on(
            "expires_in_days", f"your organisation allows API tokens of at most {limit} days"
        )
    expires = now + timedelta(days=data.expires_in_days)
    parent = await session.get(ApiToken, actor.token_id) if actor.token_id else None
    if parent is not None and parent.expires_at is not None and expires > parent.expires_at:
        raise InvalidInput.on(
            "expires_in_days",
            "a token cannot outlive the token that creates it "
            f"(it expires {parent.expires_at:%Y-%m-%d %H:%M} UTC)",
        )
    scope = scope_for(actor, data)
    secret = tokens.new_api_token()
    token = ApiToken(
        organization_id=actor.organization_id,
        user_id=actor.user_id,
        name=data.name,
        token_hash=tokens.digest(secret),
        prefix=secret[:10],
        created_at=now,
        expires_at=expires,
        scopes=sorted(p.value for p in scope),
        created_by_token_id=parent.id if parent is not None else None,
    )
    session.add(token)
    await session.flush()
    audit.record(
        session, actor, "api_token.create", "api_token", token.id, after=audit.snapshot(token)
    )
    await session.commit()
    return token, secret


async def list_api_tokens(session: AsyncSession, user_id: str) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id)
    return list((await session.scalars(query.order_by(ApiToken.created_at.desc()))).all())


async def revoke_api_token(
    session: AsyncSession, actor: Principal, user_id: str, token_id: str, now: datetime
) -> ApiToken:
    token = await session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.user_id == user_id,
            ApiToken.organization_id == actor.organization_id,
        )
    )
    if token is None:
        raise NotFound("token not found")
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = now
        token.revoked_reason = (
            "revoked by its owner" if user_id == actor.user_id else (f"revoked by {actor.email}")
        )
        audit.record(
            session,
            actor,
            "api_token.revoke",
            "api_token",
            token.id,
            before=before,
            after=audit.snapshot(token),
        )
        await _revoke_descendants(session, token, now)
        await session.commit()
    return token


async def _revoke_descendants(session: AsyncSession, token: ApiToken, now: datetime) -> None:
    """Tokens a revoked token made (and theirs) die with it: revoking a leaked token must
    not leave the tokens it minted alive."""
    parents = [token.id]
    while parents:
        children = list(
            await session.scalars(
                select(ApiToken).where(
                    ApiToken.created_by_token_id.in_(parents), ApiToken.revoked_at.is_(None)
                )
            )
        )
        for child in children:
            child.revoked_at, child.revoked_reason = now, f"its parent {token.prefix}… was revoked"
        parents = [c.id for c in children]


async def revoke_all(session: AsyncSession, user_id: str, now: datetime, reason: str) -> int:
    """Every live token of the user, revoked (the caller commits)."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason[:REASON_LENGTH])
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def resolve_api_token(
    session: AsyncSession, secret: str, now: datetime, origin: str | None
) -> tuple[User, ApiToken] | None:
    """The user and token behind ``secret``, if it is live; records when and where from."""
    token = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == tokens.digest(secret))
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = await session.get(User, token.user_id)
    if not await may_act(session, user):
        return None
    assert user is not None
    token.last_used_at, token.last_used_from = now, (origin or "")[:64] or None
    await session.commit()
    return user, token


def scope_of(token: ApiToken) -> frozenset[Permission] | None:
    """The token's permissions. A token made before scopes has the role's permissions
    but never ``tokens:manage`` (it cannot mint tokens that outlive it)."""
    known = {p.value: p for p in Permission}
    if token.scopes is None:
        return frozenset(known.values()) - {Permission.TOKENS_MANAGE}
    return frozenset(known[s] for s in token.scopes if s in known)

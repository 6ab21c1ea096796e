"""The caller's own account: profile, password, two-factor, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Response

from omnivox.accounts import api_tokens, auth, organizations
from omnivox.accounts.models import User
from omnivox.accounts.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    MeRead,
    OrganizationRead,
    PasswordChange,
    TotpCode,
    TotpSetupRead,
)
from omnivox.core.errors import NotAuthenticated
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State

router = APIRouter(tags=["me"])


@router.get("/me", response_model=MeRead)
async def read_me(db: DB, actor: Principal = Allow(P.OWN_ACCOUNT)) -> MeRead:
    user = await db.get(User, actor.user_id)
    if user is None:
        raise NotAuthenticated("your account no longer exists")
    org = await organizations.get_organization(db, actor.organization_id)
    return MeRead(
        id=user.id,
        email=user.email,
        name=user.name,
        role=actor.role,
        organization=OrganizationRead.model_validate(org),
        permissions=sorted(p.value for p in actor.permissions),
        totp_enabled=user.totp_enabled,
    )


@router.post("/me/password", status_code=204)
async def change_password(
    data: PasswordChange, db: DB, state: State, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> Response:
    """Signs out other browsers and revokes every API token of yours."""
    await auth.change_password(db, actor, data, state.clock.now())
    return Response(status_code=204)


@router.post("/me/totp/setup", response_model=TotpSetupRead)
async def setup_totp(db: DB, actor: Principal = Allow(P.OWN_ACCOUNT)) -> TotpSetupRead:
    auth.browser_only(actor, "enrolling two-factor sign-in")
    user = await db.get(User, actor.user_id)
    if user is None:
        raise NotAuthenticated("your account no longer exists")
    secret, uri = auth.begin_totp_enrolment(user)
    await db.commit()
    return TotpSetupRead(secret=secret, otpauth_uri=uri)


@router.post("/me/totp/enable", status_code=204)
async def enable_totp(
    data: TotpCode, db: DB, state: State, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> Response:
    await auth.enable_totp(db, actor, data.code, state.clock.now())
    return Response(status_code=204)


@router.post("/me/totp/disable", status_code=204)
async def disable_totp(
    data: TotpCode, db: DB, state: State, actor: Principal = Allow(P.OWN_ACCOUNT)
) -> Response:
    await auth.disable_totp(db, actor, data.code, state.clock.now())
    return Response(status_code=204)


@router.get("/tokens", response_model=list[ApiTokenRead])
async def list_tokens(db: DB, actor: Principal = Allow(P.OWN_ACCOUNT)) -> list[ApiTokenRead]:
    tokens = await api_tokens.list_api_tokens(db, actor.user_id)
    return [ApiTokenRead.model_validate(t) for t in tokens]


@router.post("/tokens", response_model=ApiTokenCreated, status_code=201)
async def create_token(
    data: ApiTokenCreate, db: DB, state: State, actor: Principal = Allow(P.TOKENS_MANAGE)
) -> ApiTokenCreated:
    """A token acting here needs a scope naming tokens:manage; what it creates is no
    wider and lives no longer than itself."""
    token, secret = await api_tokens.create_api_token(db, actor, data, state.clock.now())
    return ApiTokenCreated(**ApiTokenRead.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", response_model=ApiTokenRead)
async def revoke_token(
    token_id: str, db: DB, state: State, actor: Principal = Allow(P.TOKENS_MANAGE)
) -> ApiTokenRead:
    now = state.clock.now()
    token = await api_tokens.revoke_api_token(db, actor, actor.user_id, token_id, now)
    return ApiTokenRead.model_validate(token)

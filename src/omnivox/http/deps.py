"""Request dependencies: database session, the caller, and declared permissions.

Every route declares exactly one of ``Requires(permission)`` or ``public`` in its
dependencies; ``declared_access`` reads it back so a test can prove none is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.errors import NotAuthenticated, PermissionDenied
from omnivox.core.security import tokens
from omnivox.core.security.permissions import Permission, permissions_of
from omnivox.core.security.principal import Principal
from omnivox.http.client_address import client_address
from omnivox.http.state import AppState, app_state

SESSION_COOKIE = "omnivox_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    session = app_state(request).sessions()
    try:
        yield session
    finally:
        try:
            await session.close()
        except DBAPIError as exc:
            # Closing rolls back; on a connection that is gone there is nothing to roll
            # back, and the request's own outcome (committed or not) stands.
            if not exc.connection_invalidated:
                raise


DB = Annotated[AsyncSession, Depends(db_session)]
State = Annotated[AppState, Depends(app_state)]


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not sent or not tokens.same(sent, expected):
        raise PermissionDenied("missing or invalid CSRF token; reload the page and try again")


async def current_principal(request: Request, session: DB) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    state = app_state(request)
    now = state.clock.now()
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        origin = client_address(request, state.settings.trusted_proxy_networks) or None
        principal = await state.principals.by_token(session, header[7:].strip(), now, origin)
        if principal is None:
            raise NotAuthenticated("the API token is invalid, expired or revoked")
    else:
        sid = request.cookies.get(SESSION_COOKIE, "")
        signed_in = await state.principals.by_session(session, sid, now) if sid else None
        if signed_in is None or signed_in.mfa_pending:
            raise NotAuthenticated("sign in to continue")
        principal = signed_in.principal
        if request.method in UNSAFE_METHODS:
            await _check_csrf(request, principal.csrf_token)
    request.state.principal = principal
    return principal


class Requires:
    """Dependency that admits callers whose role holds ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(
        self, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if not principal.can(self.permission):
            if principal.scope is not None and self.permission in permissions_of(principal.role):
                raise PermissionDenied(f"this API token's scope lacks {self.permission}")
            raise PermissionDenied(f"your role ({principal.role}) lacks {self.permission}")
        return principal


async def public() -> None:
    """Marks a route as deliberately open to everyone."""


def Allow(permission: Permission) -> Any:  # noqa: N802 - reads like a declaration
    """``actor: Principal = Allow(Permission.X)`` — a route's declared permission."""
    return Depends(Requires(permission))


PUBLIC = Depends(public)


def iter_api_routes(app: FastAPI) -> Iterator[tuple[str, str, RouteContext]]:
    """(method, full path, route context) for every HTTP route, through included routers.

    The context's ``dependant`` includes dependencies given at ``include_router`` time.
    """
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.path:
            for method in sorted((ctx.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, ctx.path, ctx


def declared_access(route: APIRoute | RouteContext) -> Permission | str | None:
    """The route's one declared permission (or "public"); None if missing or ambiguous."""
    found: list[Permission | str] = []
    for dep in route.dependant.dependencies:  # includes the route's `dependencies=[...]`
        if isinstance(dep.call, Requires):
            found.append(dep.call.permission)
        elif dep.call is public:
            found.append("public")
    return found[0] if len(found) == 1 else None

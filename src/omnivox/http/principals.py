"""Who is calling: the kit asks a :class:`PrincipalSource`, which the app supplies.

The HTTP kit knows bearer tokens and session cookies, not users: the accounts domain
implements this protocol and ``create_app`` hands it to :class:`~omnivox.http.state.AppState`,
so the kit sits below the domains that use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.security.principal import Principal


@dataclass(frozen=True)
class SessionPrincipal:
    """The caller behind a browser session; ``principal.csrf_token`` is the session's."""

    principal: Principal
    mfa_pending: bool


class PrincipalSource(Protocol):
    async def by_token(
        self, session: AsyncSession, secret: str, now: datetime, origin: str | None = None
    ) -> Principal | None:
        """The caller holding API token ``secret``; None if unknown, expired or revoked.
        ``origin``: the client address, recorded as where the token was last used."""
        ...

    async def by_session(
        self, session: AsyncSession, session_id: str, now: datetime
    ) -> SessionPrincipal | None:
        """The caller of browser session ``session_id``; None if unknown or expired."""
        ...

"""Who holds an API token or a browser session: the accounts side of the HTTP kit's
:class:`~omnivox.http.PrincipalSource`, handed to the app state by ``create_app``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import auth
from omnivox.core.security.principal import Principal
from omnivox.http.principals import SessionPrincipal


class AccountPrincipals:
    async def by_token(self, session: AsyncSession, secret: str, now: datetime) -> Principal | None:
        user = await auth.resolve_api_token(session, secret, now)
        return auth.principal_of(user, "token") if user is not None else None

    async def by_session(
        self, session: AsyncSession, session_id: str, now: datetime
    ) -> SessionPrincipal | None:
        resolved = await auth.resolve_session(session, session_id, now)
        if resolved is None:
            return None
        row, user = resolved
        return SessionPrincipal(auth.principal_of(user, "session", row.csrf_token), row.mfa_pending)

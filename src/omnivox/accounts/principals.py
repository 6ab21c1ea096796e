"""Who holds an API token or a browser session: the accounts side of the HTTP kit's
:class:`~omnivox.http.PrincipalSource`, handed to the app state by ``create_app``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import api_tokens, auth
from omnivox.core.security.principal import Principal
from omnivox.http.principals import SessionPrincipal


class AccountPrincipals:
    async def by_token(
        self, session: AsyncSession, secret: str, now: datetime, origin: str | None = None
    ) -> Principal | None:
        found = await api_tokens.resolve_api_token(session, secret, now, origin)
        if found is None:
            return None
        user, token = found
        return auth.principal_of(user, "token", token=token)

    async def by_session(
        self, session: AsyncSession, session_id: str, now: datetime
    ) -> SessionPrincipal | None:
        resolved = await auth.resolve_session(session, session_id, now)
        if resolved is None:
            return None
        row, user = resolved
        return SessionPrincipal(auth.principal_of(user, "session", row.csrf_token), row.mfa_pending)

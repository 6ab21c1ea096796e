"""Who is calling: the authenticated user with role, organisation and permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from omnivox.core.security.permissions import Permission, Role, permissions_of

Via = Literal["session", "token", "system"]


@dataclass(frozen=True)
class Principal:
    user_id: str
    organization_id: str
    email: str
    name: str
    role: Role
    via: Via
    csrf_token: str = ""
    # An API token's scope: what it may do, within the role (None: the whole role).
    scope: frozenset[Permission] | None = None
    token_id: str | None = None  # the API token behind the call, if one is

    @property
    def permissions(self) -> frozenset[Permission]:
        granted = permissions_of(self.role)
        return granted if self.scope is None else granted & self.scope

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @classmethod
    def system(cls, organization_id: str) -> Principal:
        """Actor for CLI and background work, recorded as such in the audit log."""
        return cls("", organization_id, "system", "System", Role.ORG_ADMIN, "system")

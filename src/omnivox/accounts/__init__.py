"""Accounts: organisations, users, teams, skills, roles, API tokens, dispositions, the audit
log and organisation settings. First in the domain order: it imports no other domain.

Other domains import this surface: its modules (``audit``, ``auth``, ``dispositions``,
``organizations``, ``teams``, ``users``, ``models``, ``schemas``) and the names below.
Services record their changes with :func:`audited_update` (or ``audit.record``). The HTTP
routers live in ``accounts.api`` and ``accounts.views``, and ``accounts.principals`` is what
``create_app`` gives the HTTP kit to learn who is calling; they are kept out of this surface
so importing the domain does not pull in the web layer. Deleting a skill or a person asks
a :class:`ReferenceGuard` (implemented by routing, supplied by ``create_app``) what still
refers to it.
"""

from omnivox.accounts import (
    audit,
    auth,
    dispositions,
    models,
    organizations,
    schemas,
    teams,
    users,
)
from omnivox.accounts.audit import audited_update
from omnivox.accounts.dispositions import list_dispositions
from omnivox.accounts.models import Disposition, Organization, TeamMember, User
from omnivox.accounts.organizations import get_organization
from omnivox.accounts.references import ReferenceGuard
from omnivox.accounts.schemas import E164

__all__ = [
    "E164",
    "Disposition",
    "Organization",
    "ReferenceGuard",
    "TeamMember",
    "User",
    "audit",
    "audited_update",
    "auth",
    "dispositions",
    "get_organization",
    "list_dispositions",
    "models",
    "organizations",
    "schemas",
    "teams",
    "users",
]

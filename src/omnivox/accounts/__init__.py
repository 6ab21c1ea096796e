"""Accounts: organisations, users, teams, skills, roles, API tokens, dispositions, the audit
log and organisation settings. First in the domain order: it imports no other domain.

Other domains import this surface. Deleting a skill or a person asks a
:class:`ReferenceGuard` (implemented by routing, supplied by ``create_app``) what still
refers to it. The HTTP routers live in ``accounts.api`` (kept out of this surface so
importing the domain does not pull in the web layer).
"""

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
    "get_organization",
    "list_dispositions",
]

"""Accounts: organisations, users, teams, skills, roles, API tokens, dispositions, the audit
log and organisation settings. First in the domain order: it imports no other domain.

Other domains import only the names below (the import contract in ``pyproject.toml``
refuses an import of ``omnivox.accounts.<module>`` from another domain). Services record
their changes with :func:`audited_update`, or :func:`record_audit` with
:func:`audit_snapshot`; what they read of accounts' tables they ask through the queries of
``accounts.repository`` (``find_organization``, ``known_user_ids``, …). The tables
``User`` and ``Organization`` are exported as types, and for the agents' own joins with
users. The HTTP routers live in ``accounts.api`` and ``accounts.views``, and
``accounts.principals`` is what ``create_app`` gives the HTTP kit to learn who is calling;
they are kept out of this surface so importing the domain does not pull in the web layer.
Deleting a skill or a person asks a :class:`ReferenceGuard` (implemented by routing,
supplied by ``create_app``) what still refers to it.
"""

from omnivox.accounts.audit import audited_update
from omnivox.accounts.audit import record as record_audit
from omnivox.accounts.audit import snapshot as audit_snapshot
from omnivox.accounts.currencies import MINOR_DIGITS
from omnivox.accounts.dispositions import list_dispositions
from omnivox.accounts.each_organization import each_active_organization
from omnivox.accounts.models import Organization, TeamMember, User
from omnivox.accounts.organizations import (
    find_organization_by_slug,
    get_organization,
    list_holidays,
    list_organizations,
)
from omnivox.accounts.reach import reach_of, within
from omnivox.accounts.references import ReferenceGuard
from omnivox.accounts.repository import (
    disposition_codes,
    find_active_user,
    find_disposition,
    find_organization,
    find_user,
    find_user_id,
    known_skill_ids,
    known_team_ids,
    known_user_ids,
    list_active_users,
    list_business_hours,
    list_team_member_ids,
    skill_levels,
)
from omnivox.accounts.schemas import (
    E164,
    DispositionCode,
    LocalTime,
    ShortName,
    TimeZoneName,
)
from omnivox.accounts.teams import list_skills, list_teams
from omnivox.accounts.users import get_user, list_users

__all__ = [
    "E164",
    "MINOR_DIGITS",
    "DispositionCode",
    "LocalTime",
    "Organization",
    "ReferenceGuard",
    "ShortName",
    "TeamMember",
    "TimeZoneName",
    "User",
    "audit_snapshot",
    "audited_update",
    "disposition_codes",
    "each_active_organization",
    "find_active_user",
    "find_disposition",
    "find_organization",
    "find_organization_by_slug",
    "find_user",
    "find_user_id",
    "get_organization",
    "get_user",
    "known_skill_ids",
    "known_team_ids",
    "known_user_ids",
    "list_active_users",
    "list_business_hours",
    "list_dispositions",
    "list_holidays",
    "list_organizations",
    "list_skills",
    "list_team_member_ids",
    "list_teams",
    "list_users",
    "reach_of",
    "record_audit",
    "skill_levels",
    "within",
]

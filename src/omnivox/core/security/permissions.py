"""Roles and the one permission matrix. Deny by default: a role has only what is listed."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    ORG_ADMIN = "org_admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    REPORTING = "reporting"


class Permission(StrEnum):
    ORGANIZATIONS_MANAGE = "organizations:manage"  # platform: every organisation
    ORG_SETTINGS_READ = "org-settings:read"
    ORG_SETTINGS_WRITE = "org-settings:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    TEAMS_READ = "teams:read"
    TEAMS_WRITE = "teams:write"
    SKILLS_READ = "skills:read"
    SKILLS_WRITE = "skills:write"
    DISPOSITIONS_READ = "dispositions:read"
    DISPOSITIONS_WRITE = "dispositions:write"
    AUDIT_READ = "audit:read"
    OWN_ACCOUNT = "own-account"  # own profile, password, 2FA, API tokens
    # Create API tokens: every role has it, but a token carries it only when its scope
    # names it, so a leaked token cannot mint others.
    TOKENS_MANAGE = "tokens:manage"
    HOME = "home"
    CALLS_READ = "calls:read"  # every call of the organisation
    CALLS_CONTROL = "calls:control"  # place and control one's own calls, disposition them
    CALLS_SUPERVISE = "calls:supervise"  # listen, whisper, barge; control anyone's call
    SOFTPHONE = "softphone"  # a browser softphone access token
    AGENT_STATE_OWN = "agent-state:own"  # set one's own agent state
    AGENTS_SUPERVISE = "agents:supervise"  # see every agent, force state, log out
    BREAK_REASONS_WRITE = "break-reasons:write"
    SANDBOX_CONTROL = "sandbox:control"  # drive the simulated carrier (sandbox mode only)
    CAMPAIGNS_READ = "campaigns:read"  # campaigns, lists, contacts, live campaign figures
    CAMPAIGNS_WRITE = "campaigns:write"  # create/edit campaigns and lists, start/pause
    CONTACTS_IMPORT = "contacts:import"  # CSV imports into lists
    DNC_READ = "dnc:read"
    DNC_WRITE = "dnc:write"  # add/remove/import do-not-call numbers
    # Reports: everyone who has any sees at least their own figures; the two wider scopes
    # are checked by the reporting domain on top of the route's REPORTS_OWN.
    REPORTS_OWN = "reports:own"
    REPORTS_TEAMS = "reports:teams"  # the agents within one's reach (accounts.reach_of)
    REPORTS_ALL = "reports:all"  # every figure of the organisation
    WALLBOARD_VIEW = "wallboard:view"  # the organisation's real-time wallboard
    # Report schedules (e-mailed / webhook reports). Those who see more than their own
    # figures: the point is sending a team's or the organisation's report to people.
    REPORTS_SCHEDULE = "reports:schedule"
    # Hear call recordings (call records page): supervisors and administrators, not
    # agents or report viewers; recordings hold personal data the figures do not.
    RECORDINGS_LISTEN = "recordings:listen"


_ADMIN_OF_ORG = {
    Permission.REPORTS_ALL,
    Permission.REPORTS_SCHEDULE,
    Permission.ORG_SETTINGS_READ,
    Permission.ORG_SETTINGS_WRITE,
    Permission.USERS_READ,
    Permission.USERS_WRITE,
    Permission.TEAMS_READ,
    Permission.TEAMS_WRITE,
    Permission.SKILLS_READ,
    Permission.SKILLS_WRITE,
    Permission.DISPOSITIONS_READ,
    Permission.DISPOSITIONS_WRITE,
    Permission.AUDIT_READ,
    Permission.BREAK_REASONS_WRITE,
    Permission.CAMPAIGNS_READ,
    Permission.CAMPAIGNS_WRITE,
    Permission.CONTACTS_IMPORT,
    Permission.DNC_READ,
    Permission.DNC_WRITE,
    Permission.RECORDINGS_LISTEN,
}
_WORKS_CALLS = {
    Permission.CALLS_CONTROL,
    Permission.SOFTPHONE,
    Permission.AGENT_STATE_OWN,
}
_SUPERVISES = {
    Permission.CAMPAIGNS_READ,
    Permission.CAMPAIGNS_WRITE,
    Permission.CONTACTS_IMPORT,
    Permission.DNC_READ,
    Permission.DNC_WRITE,
    Permission.CALLS_READ,
    Permission.CALLS_SUPERVISE,
    Permission.AGENTS_SUPERVISE,
    Permission.SANDBOX_CONTROL,
    Permission.WALLBOARD_VIEW,
    Permission.RECORDINGS_LISTEN,
}
_EVERYONE = {
    Permission.OWN_ACCOUNT,
    Permission.HOME,
    Permission.REPORTS_OWN,
    Permission.TOKENS_MANAGE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: frozenset(
        _ADMIN_OF_ORG | _EVERYONE | _SUPERVISES | _WORKS_CALLS | {Permission.ORGANIZATIONS_MANAGE}
    ),
    Role.ORG_ADMIN: frozenset(_ADMIN_OF_ORG | _EVERYONE | _SUPERVISES | _WORKS_CALLS),
    Role.SUPERVISOR: frozenset(
        _EVERYONE
        | _SUPERVISES
        | _WORKS_CALLS
        | {
            Permission.ORG_SETTINGS_READ,
            Permission.USERS_READ,
            Permission.TEAMS_READ,
            Permission.SKILLS_READ,
            Permission.DISPOSITIONS_READ,
            Permission.REPORTS_TEAMS,
            Permission.REPORTS_SCHEDULE,
        }
    ),
    Role.AGENT: frozenset(_EVERYONE | _WORKS_CALLS | {Permission.DISPOSITIONS_READ}),
    Role.REPORTING: frozenset(
        _EVERYONE
        | {
            Permission.ORG_SETTINGS_READ,
            Permission.CALLS_READ,
            Permission.CAMPAIGNS_READ,
            Permission.REPORTS_ALL,
            Permission.REPORTS_SCHEDULE,
            Permission.WALLBOARD_VIEW,
        }
    ),
}


def read_only(permissions: frozenset[Permission]) -> frozenset[Permission]:
    """The reading part of a set of permissions (a read-only API token's scope)."""
    return frozenset(p for p in permissions if p.value.endswith(":read") or p is Permission.HOME)


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in permissions_of(role)

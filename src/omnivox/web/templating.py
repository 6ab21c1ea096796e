"""Jinja2 set-up: globals every page needs (navigation by role, the sandbox banner)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.templating import Jinja2Templates

from omnivox.core.config import Settings
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: Permission


NAV: list[NavItem] = [
    NavItem("Home", "/", Permission.HOME),
    NavItem("Agent desktop", "/agent", Permission.AGENT_STATE_OWN),
    NavItem("Live floor", "/supervisor", Permission.AGENTS_SUPERVISE),
    NavItem("Voicemail", "/voicemail", Permission.CALLS_CONTROL),
    NavItem("Users", "/admin/users", Permission.USERS_READ),
    NavItem("Teams", "/admin/teams", Permission.TEAMS_READ),
    NavItem("Skills", "/admin/skills", Permission.SKILLS_READ),
    NavItem("Dispositions", "/admin/dispositions", Permission.DISPOSITIONS_WRITE),
    NavItem("Settings", "/admin/settings", Permission.ORG_SETTINGS_READ),
    NavItem("Audio", "/admin/audio", Permission.ORG_SETTINGS_READ),
    NavItem("Queues", "/admin/queues", Permission.ORG_SETTINGS_READ),
    NavItem("Numbers", "/admin/numbers", Permission.ORG_SETTINGS_READ),
    NavItem("Audit log", "/admin/audit", Permission.AUDIT_READ),
    NavItem("Organisations", "/platform/organizations", Permission.ORGANIZATIONS_MANAGE),
    NavItem("Campaigns", "/campaigns", Permission.CAMPAIGNS_READ),
    NavItem("Lists", "/lists", Permission.CAMPAIGNS_READ),
    NavItem("Contacts", "/contacts", Permission.CAMPAIGNS_READ),
    NavItem("Do not call", "/dnc", Permission.DNC_READ),
    NavItem("My account", "/account", Permission.OWN_ACCOUNT),
]


def nav_for(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [item for item in NAV if principal.can(item.permission)]


def configure_templates(templates: Jinja2Templates, settings: Settings) -> Jinja2Templates:
    env = templates.env
    env.globals["sandbox"] = settings.telephony == "sandbox"
    env.globals["nav_for"] = nav_for
    env.globals["weekdays"] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    return templates

"""The layout shared by every page: where templates and static files live, and the menu."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from omnivox.core.config import Settings
from omnivox.core.security.permissions import Permission
from omnivox.http.templating import NavItem, configure_templates

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

NAV: list[NavItem] = [
    NavItem("Home", "/", Permission.HOME),
    NavItem("Agent desktop", "/agent", Permission.AGENT_STATE_OWN),
    NavItem("Live floor", "/supervisor", Permission.AGENTS_SUPERVISE),
    NavItem("Voicemail", "/voicemail", Permission.CALLS_CONTROL),
    NavItem("Reports", "/reports", Permission.REPORTS_OWN),
    NavItem("Wallboard", "/wallboard", Permission.WALLBOARD_VIEW),
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


def build_templates(settings: Settings) -> Jinja2Templates:
    return configure_templates(Jinja2Templates(directory=str(TEMPLATES_DIR)), settings, NAV)

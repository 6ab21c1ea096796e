"""Jinja2 set-up: globals every page needs (navigation by role, the sandbox banner).

The menu itself (which pages exist) belongs to the layout in ``omnivox.web``; the kit only
filters it by what the signed-in user may open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from fastapi.templating import Jinja2Templates

from omnivox.core.config import Settings
from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: Permission


def nav_for(nav: Sequence[NavItem], principal: Principal | None) -> list[NavItem]:
    """The entries of ``nav`` that ``principal`` may open (none when signed out)."""
    if principal is None:
        return []
    return [item for item in nav if principal.can(item.permission)]


def configure_templates(
    templates: Jinja2Templates, settings: Settings, nav: Sequence[NavItem]
) -> Jinja2Templates:
    env = templates.env
    env.globals["sandbox"] = settings.telephony == "sandbox"
    env.globals["nav_for"] = partial(nav_for, tuple(nav))
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

"""The shared HTTP kit: what every domain's ``api`` and ``views`` modules are built from.

Request dependencies (database session, caller, declared permission), form parsing and
rendering, app state, error responses, templating, and the CRUD helpers. It imports only
``omnivox.core`` (and third-party libraries); what it needs from a domain, such as who is
behind a session cookie, it receives from ``create_app`` (see :class:`PrincipalSource`).
"""

from omnivox.http.client_address import client_address
from omnivox.http.crud_api import JsonCrud, add_json_crud, in_org
from omnivox.http.crud_pages import CrudPages, add_crud_pages
from omnivox.http.deps import (
    DB,
    PUBLIC,
    SESSION_COOKIE,
    Allow,
    Requires,
    State,
    declared_access,
    iter_api_routes,
)
from omnivox.http.forms import form_dict, parse, render
from omnivox.http.principals import PrincipalSource, SessionPrincipal
from omnivox.http.state import AppState, app_state

__all__ = [
    "DB",
    "PUBLIC",
    "SESSION_COOKIE",
    "Allow",
    "AppState",
    "CrudPages",
    "JsonCrud",
    "PrincipalSource",
    "Requires",
    "SessionPrincipal",
    "State",
    "add_crud_pages",
    "add_json_crud",
    "app_state",
    "client_address",
    "declared_access",
    "form_dict",
    "in_org",
    "iter_api_routes",
    "parse",
    "render",
]

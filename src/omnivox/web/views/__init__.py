"""HTML pages and HTMX partials (not part of the JSON API schema)."""

from fastapi import APIRouter

from omnivox.web.views import account, admin_people, admin_settings, login, workplace

router = APIRouter(include_in_schema=False)
for module in (login, account, admin_people, admin_settings, workplace):
    router.include_router(module.router)

__all__ = ["router"]

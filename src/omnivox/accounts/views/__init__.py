"""HTML pages of the accounts domain: my account, people (users, teams, skills), and the
organisation's settings, dispositions and audit log, and the platform's organisations."""

from fastapi import APIRouter

from omnivox.accounts.views import account, people, settings

router = APIRouter(include_in_schema=False)
for module in (account, people, settings):
    router.include_router(module.router)

__all__ = ["router"]

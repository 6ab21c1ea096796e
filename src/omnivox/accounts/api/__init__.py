"""JSON routes of the accounts domain, under /api/v1."""

from fastapi import APIRouter

from omnivox.accounts.api import dispositions, me, organizations, people, settings

router = APIRouter(prefix="/api/v1")
for module in (me, organizations, settings, people, dispositions):
    router.include_router(module.router)

__all__ = ["router"]

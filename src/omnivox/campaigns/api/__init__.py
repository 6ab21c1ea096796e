"""JSON routes of the campaigns domain, under /api/v1."""

from fastapi import APIRouter

from omnivox.campaigns.api import campaigns, contacts, dnc, imports

router = APIRouter(prefix="/api/v1")
for module in (campaigns, contacts, imports, dnc):
    router.include_router(module.router)

__all__ = ["router"]

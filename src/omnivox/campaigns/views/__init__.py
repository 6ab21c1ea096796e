"""HTML pages of the campaigns domain (Jinja2 + HTMX)."""

from fastapi import APIRouter

from omnivox.campaigns.views import campaign_pages, list_pages

router = APIRouter(include_in_schema=False)
for module in (campaign_pages, list_pages):
    router.include_router(module.router)

__all__ = ["router"]

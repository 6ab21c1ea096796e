"""create_app(): wires settings, database, routers, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from omnivox.accounts.api import router as accounts_api
from omnivox.agents.api import router as agents_router
from omnivox.core.clock import Clock, SystemClock
from omnivox.core.config import Settings
from omnivox.core.db import check_migrated, create_engine, create_session_factory
from omnivox.core.logging import configure_logging, get_logger
from omnivox.web import system, views
from omnivox.web.errors import install_error_handlers
from omnivox.web.middleware import RequestContextMiddleware
from omnivox.web.state import WEB_DIR, AppState
from omnivox.web.templating import configure_templates

log = get_logger(__name__)


def create_app(
    settings: Settings, *, clock: Clock | None = None, check_schema: bool = True
) -> FastAPI:
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(settings.database_url)
    templates = configure_templates(Jinja2Templates(directory=str(WEB_DIR / "templates")), settings)
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock or SystemClock(),
        templates=templates,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if check_schema:
            await check_migrated(engine)
        log.info("omnivox started", env=settings.env.value, telephony=settings.telephony)
        yield
        await engine.dispose()

    app = FastAPI(
        title="Omnivox", version="0.1.0", lifespan=lifespan, docs_url="/api/docs", redoc_url=None
    )
    app.state.omnivox = state
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, metrics=state.metrics)
    app.include_router(system.router)
    app.include_router(accounts_api)
    app.include_router(views.router)
    app.include_router(agents_router)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    return app

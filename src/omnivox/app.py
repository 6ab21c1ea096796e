"""create_app(): wires settings, database, routers, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from omnivox.accounts.api import router as accounts_api
from omnivox.agents import holds_call
from omnivox.agents.api import router as agents_router
from omnivox.agents.handlers import AgentGate, follow_calls
from omnivox.campaigns.api import router as campaigns_api
from omnivox.campaigns.views import router as campaigns_views
from omnivox.core.buses import ConnectedBus, build_bus
from omnivox.core.clock import Clock, SystemClock
from omnivox.core.config import Settings
from omnivox.core.db import check_migrated, create_engine, create_session_factory
from omnivox.core.logging import configure_logging, get_logger
from omnivox.core.security.permissions import Permission
from omnivox.dialer.contacts import previewing_agents
from omnivox.dialer.dial_rules import check_manual_dial
from omnivox.dialer.wiring import register_dialer
from omnivox.media import MediaLinks
from omnivox.media import api as media_api
from omnivox.media import views as media_views
from omnivox.routing.api import router as routing_api
from omnivox.routing.handlers import follow as follow_routing
from omnivox.routing.inbound import InboundRouting
from omnivox.routing.number_pages import router as number_pages
from omnivox.routing.queue_pages import router as queue_pages
from omnivox.routing.references import RoutingReferences
from omnivox.routing.sandbox_api import router as sandbox_api
from omnivox.telephony.api import router as telephony_api
from omnivox.telephony.runtime import SANDBOX_PREFIX, TelephonyRuntime, build_telephony
from omnivox.telephony.sandbox.control import sandbox_control_router
from omnivox.telephony.sandbox.rest import sandbox_rest_router
from omnivox.telephony.sandbox.softphone_ws import sandbox_softphone_router
from omnivox.telephony.webhooks_api import router as telephony_webhooks
from omnivox.voicemail import VoicemailDesk
from omnivox.voicemail import api as voicemail_api
from omnivox.voicemail import views as voicemail_views
from omnivox.web import system, views
from omnivox.web.deps import PUBLIC, Requires
from omnivox.web.errors import install_error_handlers
from omnivox.web.middleware import RequestContextMiddleware
from omnivox.web.state import WEB_DIR, AppState
from omnivox.web.templating import configure_templates
from omnivox.web.ws import router as events_ws_router

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
        bus=build_bus(settings),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_schema:
            await check_migrated(engine)
        if isinstance(state.bus, ConnectedBus):
            await state.bus.start()
        runtime: TelephonyRuntime = app.state.telephony
        await runtime.start()
        await app.state.routing.provision_all(runtime.provision_number)
        await app.state.dialer.start()
        log.info(
            "omnivox started",
            env=settings.env.value,
            telephony=settings.telephony,
            bus=type(state.bus).__name__,
        )
        try:
            yield
        finally:
            await app.state.dialer.stop()
            await runtime.stop()
            if isinstance(state.bus, ConnectedBus):
                await state.bus.stop()
            await engine.dispose()

    app = FastAPI(
        title="Omnivox", version="0.1.0", lifespan=lifespan, docs_url="/api/docs", redoc_url=None
    )
    app.state.omnivox = state
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, metrics=state.metrics)
    # Matched first: routes are tried in order, and provider webhooks are the busiest.
    app.include_router(telephony_webhooks)
    app.include_router(system.router)
    app.include_router(accounts_api)
    app.include_router(views.router)
    app.include_router(agents_router)
    app.include_router(events_ws_router)
    app.include_router(campaigns_api)
    app.include_router(campaigns_views)
    app.include_router(media_api.router)
    app.include_router(media_api.media_router)
    app.include_router(media_views.router)
    app.include_router(queue_pages)
    app.include_router(number_pages)
    app.include_router(voicemail_api.router)
    app.include_router(voicemail_views.router)
    _wire_telephony(app, state)
    _wire_ports(app, app.state.telephony)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    return app


def _wire_telephony(app: FastAPI, state: AppState) -> None:
    runtime = build_telephony(
        state.settings,
        app,
        clock=state.clock,
        bus=state.bus,
        sessions=state.sessions,
        metrics=state.metrics,
    )
    app.state.telephony = runtime
    gate = AgentGate(state.sessions, state.clock, state.bus)
    runtime.service.agents = gate
    runtime.extra_sweeps.append(lambda: gate.expire_wrap_ups(state.settings.wrap_up_seconds))
    state.bus.subscribe(follow_calls(gate))
    routing = InboundRouting(
        runtime.service,
        gate,
        MediaLinks.from_settings(state.settings),
        held_agents=previewing_agents,
        voicemail=VoicemailDesk(),
    )
    runtime.extra_sweeps.append(routing.overflow)
    runtime.extra_sweeps.append(routing.retry_due_callbacks)
    runtime.service.inbound = routing
    app.state.routing = routing
    state.bus.subscribe(follow_routing(routing))
    # Routing's before telephony's: GET /calls/transfer-targets before /calls/{call_id}.
    app.include_router(routing_api)
    app.include_router(telephony_api)
    if runtime.carrier is not None:
        # The simulated carrier: its Twilio-style REST API checks the account's basic auth
        # itself; its control API is for supervisors and tests; never mounted with Twilio.
        app.include_router(
            sandbox_rest_router(runtime.carrier),
            prefix=SANDBOX_PREFIX,
            dependencies=[PUBLIC],
            include_in_schema=False,
        )
        # The whole simulated network spans every organisation: platform admins (and
        # tests) only; supervisors simulate callers through the organisation-scoped
        # /api/v1/sandbox/inbound-calls instead.
        app.include_router(
            sandbox_control_router(runtime.carrier),
            prefix=SANDBOX_PREFIX,
            dependencies=[Depends(Requires(Permission.ORGANIZATIONS_MANAGE))],
            include_in_schema=False,
        )
        app.include_router(sandbox_api)
        app.include_router(sandbox_softphone_router(runtime.carrier), prefix=SANDBOX_PREFIX)
    register_dialer(app, state, runtime)


def _wire_ports(app: FastAPI, runtime: TelephonyRuntime) -> None:
    """What an earlier domain asks of a later one, through a protocol the earlier one
    defines and the later one implements (the domain order forbids the import itself).
    InboundRouting's (held agents, voicemail) are given where it is built, above."""
    app.state.reference_guard = RoutingReferences()  # accounts' deletes ask routing
    app.state.agent_holds_call = holds_call  # telephony's call routes ask agents
    runtime.service.check_manual_dial = check_manual_dial  # call control asks the dialler

"""create_app(): wires settings, database, routers, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.accounts.api import router as accounts_api
from omnivox.accounts.principals import AccountPrincipals
from omnivox.accounts.views import router as accounts_views
from omnivox.agents import holds_call
from omnivox.agents.api import router as agents_router
from omnivox.agents.handlers import AgentGate, follow_calls
from omnivox.agents.line import follow_lines
from omnivox.agents.views import router as agents_views
from omnivox.campaigns.api import router as campaigns_api
from omnivox.campaigns.import_recovery import mark_abandoned as mark_abandoned_imports
from omnivox.campaigns.views import router as campaigns_views
from omnivox.core.buses import ConnectedBus, build_bus
from omnivox.core.clock import Clock, SystemClock
from omnivox.core.config import Settings
from omnivox.core.db import check_migrated, create_engine, create_session_factory
from omnivox.core.logging import configure_logging, get_logger
from omnivox.core.security.permissions import Permission
from omnivox.core.tasks import TaskSupervisor
from omnivox.dialer.api import router as dialer_api
from omnivox.dialer.contacts import previewing_agents
from omnivox.dialer.dial_rules import check_manual_dial
from omnivox.dialer.tally_job import register_tally
from omnivox.dialer.views import router as dialer_views
from omnivox.dialer.wiring import build_dialer
from omnivox.http import PUBLIC, AppState, Requires
from omnivox.http.db_retry import RetrySafeRequests
from omnivox.http.errors import install_error_handlers
from omnivox.http.middleware import RequestContextMiddleware
from omnivox.http.openapi import document_errors
from omnivox.http.security_headers import SecurityHeadersMiddleware
from omnivox.jobs import InProcessQueue, Jobs
from omnivox.media import MediaLinks
from omnivox.media import api as media_api
from omnivox.media import views as media_views
from omnivox.reporting import follow_reports
from omnivox.reporting.api import router as reports_api
from omnivox.reporting.batcher import CallBatcher
from omnivox.reporting.dashboard_views import router as dashboard_views
from omnivox.reporting.records_routes import api as records_api
from omnivox.reporting.records_routes import pages as records_pages
from omnivox.reporting.saved_api import router as saved_reports_api
from omnivox.reporting.schedule_delivery import register_jobs as register_report_jobs
from omnivox.reporting.schedule_routes import api as schedules_api
from omnivox.reporting.schedule_routes import pages as schedules_pages
from omnivox.reporting.sweep_job import register_sweep
from omnivox.reporting.views import router as reports_views
from omnivox.reporting.wallboard import WallboardHub
from omnivox.reporting.wallboard_routes import api as wallboard_api
from omnivox.reporting.wallboard_routes import pages as wallboard_pages
from omnivox.routing.api import router as routing_api
from omnivox.routing.handlers import follow as follow_routing
from omnivox.routing.inbound import InboundRouting
from omnivox.routing.number_pages import router as number_pages
from omnivox.routing.queue_pages import router as queue_pages
from omnivox.routing.references import RoutingReferences
from omnivox.routing.sandbox_api import router as sandbox_api
from omnivox.telephony.api import router as telephony_api
from omnivox.telephony.fsm_types import OwnerKind
from omnivox.telephony.plugins import CallPlugins
from omnivox.telephony.runtime import SANDBOX_PREFIX, TelephonyRuntime, build_telephony
from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.control import sandbox_control_router
from omnivox.telephony.sandbox.rest import sandbox_rest_router
from omnivox.telephony.sandbox.softphone_ws import sandbox_softphone_router
from omnivox.telephony.webhooks_api import router as telephony_webhooks
from omnivox.voicemail import VoicemailDesk
from omnivox.voicemail import api as voicemail_api
from omnivox.voicemail import views as voicemail_views
from omnivox.web import login, system
from omnivox.web.layout import STATIC_DIR, build_templates
from omnivox.web.ws import EventHub
from omnivox.web.ws import router as events_ws_router

if TYPE_CHECKING:
    from omnivox.jobs.postgres import ProcrastinateQueue

log = get_logger(__name__)
DOCS_URL = "/api/docs"


def create_app(
    settings: Settings, *, clock: Clock | None = None, check_schema: bool = True
) -> FastAPI:
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(settings.database_url)
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock or SystemClock(),
        templates=build_templates(settings),
        principals=AccountPrincipals(),
        bus=build_bus(settings),
    )
    job_tasks = TaskSupervisor()
    jobs = build_jobs(settings, state.sessions, state.clock, job_tasks)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_schema:
            await check_migrated(engine)
        if isinstance(state.bus, ConnectedBus):
            await state.bus.start()
        async with state.sessions() as session:  # imports a crashed process left running
            stale = timedelta(seconds=settings.import_stale_seconds)
            await mark_abandoned_imports(session, state.clock.now(), stale)
        runtime: TelephonyRuntime = app.state.telephony
        await runtime.start()
        await app.state.routing.follow_numbers(runtime.follow_numbers)
        await app.state.dialer.start()
        if isinstance(jobs, InProcessQueue):
            jobs.start()
        elif settings.jobs_in_server:
            job_tasks.run(jobs.work(), "jobs:worker")
        log.info(
            "omnivox started",
            env=settings.env.value,
            telephony=settings.telephony,
            bus=type(state.bus).__name__,
        )
        try:
            yield
        finally:
            await job_tasks.stop()
            await app.state.dialer.stop()
            await runtime.stop()
            # After the calls' last endings; before the wallboard, which rebuilds on it.
            await app.state.call_batcher.stop()
            await app.state.wallboard.stop()
            if isinstance(state.bus, ConnectedBus):
                await state.bus.stop()
            await engine.dispose()

    app = FastAPI(
        title="Omnivox", version="0.1.0", lifespan=lifespan, docs_url=DOCS_URL, redoc_url=None
    )
    app.state.omnivox = state
    app.state.jobs = jobs
    app.state.job_tasks = job_tasks  # stopped with the app (the lifespan; tests' teardown)
    install_error_handlers(app)
    document_errors(app)
    app.add_middleware(RetrySafeRequests)
    app.add_middleware(  # outside the retry: its 503s carry the headers too
        SecurityHeadersMiddleware,
        production=settings.is_production,
        twilio=settings.telephony == "twilio",
        api_docs=(DOCS_URL, _api_docs_page(app)),
    )
    app.add_middleware(RequestContextMiddleware, metrics=state.metrics)
    _include_pages_and_apis(app)
    _wire_telephony(app, state)
    # After the domains' handlers (as before): a browser hears an agent's change, made while
    # handling a call's change, before the call's change itself.
    app.state.ws_hub = EventHub(state.bus)
    app.state.reference_guard = RoutingReferences()  # accounts' deletes ask routing
    app.state.agent_holds_call = holds_call  # telephony's call routes ask agents
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app


def all_jobs(settings: Settings) -> Jobs:
    """Every domain's background jobs."""
    jobs = Jobs()
    register_report_jobs(jobs, settings)
    register_sweep(jobs, settings)
    register_tally(jobs, settings)
    return jobs


def build_jobs(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    tasks: TaskSupervisor,
) -> InProcessQueue | ProcrastinateQueue:
    """SQLite: the jobs run in this process. PostgreSQL: procrastinate (its workers are
    `omnivox worker`, or this server with OMNIVOX_JOBS_IN_SERVER)."""
    if settings.is_sqlite:
        return InProcessQueue(all_jobs(settings), sessions, settings, clock, tasks)
    from omnivox.jobs.postgres import ProcrastinateQueue  # the postgres extra

    return ProcrastinateQueue(all_jobs(settings), sessions, settings, clock)


async def run_worker(settings: Settings, concurrency: int) -> None:
    """`omnivox worker`: a procrastinate worker until SIGINT/SIGTERM."""
    from omnivox.jobs.postgres import ProcrastinateQueue

    engine = create_engine(settings.database_url)
    try:
        await check_migrated(engine)
        queue = ProcrastinateQueue(
            all_jobs(settings), create_session_factory(engine), settings, SystemClock()
        )
        log.info("omnivox worker started", concurrency=concurrency)
        await queue.work(concurrency=concurrency, signals=True)
    finally:
        await engine.dispose()


def _api_docs_page(app: FastAPI) -> str:
    """The docs page as FastAPI serves it, so its inline script can be allowed by hash."""
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "",
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    return bytes(page.body).decode()


def _include_pages_and_apis(app: FastAPI) -> None:
    # Matched first: routes are tried in order, and provider webhooks are the busiest.
    for router in (
        telephony_webhooks,
        system.router,
        accounts_api,
        login.router,
        accounts_views,
        agents_views,
        agents_router,
        events_ws_router,
        campaigns_api,
        campaigns_views,
        media_api.router,
        media_api.media_router,
        media_views.router,
        queue_pages,
        number_pages,
        voicemail_api.router,
        voicemail_views.router,
        reports_api,
        schedules_api,
        reports_views,
        saved_reports_api,
        dashboard_views,
        schedules_pages,
        records_api,
        records_pages,
        wallboard_api,
        wallboard_pages,
    ):
        app.include_router(router)


def _wire_telephony(app: FastAPI, state: AppState) -> None:
    """The composition root of calls: the call core first, then the domains built on it,
    then the ingress and call control with what those domains plug in. Nothing is
    assigned onto a built part afterwards."""
    settings, bus = state.settings, state.bus
    gate = AgentGate(state.sessions, state.clock, bus)
    core = build_telephony(
        settings,
        app,
        clock=state.clock,
        bus=bus,
        sessions=state.sessions,
        tasks=TaskSupervisor(),
        agents=gate,
        metrics=state.metrics,
    )
    routing = InboundRouting(
        core.service,
        gate,
        MediaLinks.from_settings(settings),
        held_agents=previewing_agents,
        voicemail=VoicemailDesk(),
    )
    dialer = build_dialer(settings, core.service, gate)
    plugins = CallPlugins(
        inbound=routing,
        answer_handlers={OwnerKind.CAMPAIGN: dialer.answering},
        manual_dial=check_manual_dial,
    )
    runtime = TelephonyRuntime(
        core,
        plugins,
        sweeps=(
            lambda: gate.expire_wrap_ups(settings.wrap_up_seconds),
            routing.overflow,
            routing.retry_due_callbacks,
            dialer.recovery.sweep,
            lambda: routing.follow_numbers(runtime.follow_numbers),
        ),
    )
    # Agents first, then routing, then the dialler: an agent freed by a call's end is
    # available before routing and the pacer look for one.
    follow_calls(gate, bus)
    follow_lines(gate, core.service.lines, bus)
    follow_routing(routing, bus)
    dialer.engine.follow(bus)
    # Last: the rollups count what the domains above have already settled; the wallboard
    # rebuilds after them (it reads today's rollups).
    batcher = CallBatcher(
        state.sessions,
        bus,
        state.clock,
        size=settings.report_upkeep_batch_size,
        delay_seconds=settings.report_upkeep_batch_ms / 1000,
    )
    follow_reports(state.sessions, bus, batcher)
    app.state.call_batcher = batcher  # stopped before the wallboard (it rebuilds after it)
    wallboard = WallboardHub(state.sessions, bus, state.clock, state.settings)
    wallboard.follow()
    app.state.wallboard = wallboard
    app.state.telephony = runtime
    app.state.routing = routing
    app.state.dialer = dialer.engine
    app.state.attempt_recovery = dialer.recovery
    # Routing's before telephony's: GET /calls/transfer-targets before /calls/{call_id}.
    app.include_router(routing_api)
    app.include_router(telephony_api)
    if core.carrier is not None:
        _mount_sandbox(app, core.carrier)
    app.include_router(dialer_api)
    app.include_router(dialer_views)


def _mount_sandbox(app: FastAPI, carrier: SandboxCarrier) -> None:
    # The simulated carrier: its Twilio-style REST API checks the account's basic auth
    # itself; its control API is for supervisors and tests; never mounted with Twilio.
    app.include_router(
        sandbox_rest_router(carrier),
        prefix=SANDBOX_PREFIX,
        dependencies=[PUBLIC],
        include_in_schema=False,
    )
    # The whole simulated network spans every organisation: platform admins (and
    # tests) only; supervisors simulate callers through the organisation-scoped
    # /api/v1/sandbox/inbound-calls instead.
    app.include_router(
        sandbox_control_router(carrier),
        prefix=SANDBOX_PREFIX,
        dependencies=[Depends(Requires(Permission.ORGANIZATIONS_MANAGE))],
        include_in_schema=False,
    )
    app.include_router(sandbox_api)
    app.include_router(sandbox_softphone_router(carrier), prefix=SANDBOX_PREFIX)

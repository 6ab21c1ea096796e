"""Builds the telephony side of an app: the provider (Twilio, or Twilio's code aimed at the
sandbox carrier), the call service, and the background work (reconciliation, wrap-up
timeouts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.busy import Busy
from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.core.metrics import Metrics
from omnivox.core.tasks import TaskSupervisor
from omnivox.telephony.control import CallControl
from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.ingress import Ingress
from omnivox.telephony.line_watch import LineWatch
from omnivox.telephony.plugins import CallPlugins
from omnivox.telephony.ports import TelephonyProvider, WebhookKind
from omnivox.telephony.providers.twilio import TwilioCredentials, build_twilio_provider
from omnivox.telephony.reconcile import reconcile_open_calls
from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.service import (
    AgentReservations,
    CallPolicy,
    TelephonyDeps,
    TelephonyService,
)

log = get_logger(__name__)
SANDBOX_PREFIX = "/sandbox"


@dataclass(frozen=True)
class TelephonyCore:
    """The provider side, built first: other domains are built on ``service``."""

    service: TelephonyService
    carrier: SandboxCarrier | None  # set only in sandbox mode
    clients: list[httpx.AsyncClient]


class TelephonyRuntime:
    """The call core with what other domains plug into it, and its background work
    (reconciliation, and each domain's periodic sweep). Built once, whole."""

    def __init__(
        self,
        core: TelephonyCore,
        plugins: CallPlugins,
        *,
        sweeps: Sequence[Callable[[], Awaitable[object]]] = (),
        sweep_seconds: float = 5.0,
    ) -> None:
        self.service = core.service
        self.carrier = core.carrier
        self.plugins = plugins
        self.line_watch = LineWatch(core.service, plugins)
        self.ingress = Ingress(core.service, plugins, self.line_watch)
        self.control = CallControl(core.service, plugins)
        self.tasks = core.service.tasks
        self._clients = core.clients
        self._sweeps = tuple(sweeps)
        self.sweep_seconds = sweep_seconds
        # The sweep at work, not asleep on the clock: tests on a manual clock wait for it.
        self.busy = Busy()
        self._provisioned: set[str] = set()  # numbers this runtime gave the sandbox

    def provision_number(self, number: str) -> None:
        """Point a number's voice webhook at us. The sandbox does it here; with Twilio the
        number's webhook is set in the Twilio console to the URL this logs."""
        urls = self.service.urls
        voice, status = urls.url(WebhookKind.VOICE), urls.url(WebhookKind.STATUS)
        if self.carrier is not None:
            account = next(iter(self.carrier.accounts))
            self.carrier.configure_number(
                number, account_sid=account, voice_url=voice, status_callback_url=status
            )
            self._provisioned.add(number)
        else:
            log.info(
                "set this number's voice webhook in Twilio",
                number=number,
                voice_url=voice,
                status_url=status,
            )

    def release_number(self, number: str) -> None:
        """The number left the database: the sandbox stops routing it to us."""
        if self.carrier is not None and number in self._provisioned:
            self.carrier.remove_number(number)
            self._provisioned.discard(number)

    def follow_numbers(self, numbers: set[str]) -> None:
        """Make the sandbox carrier route exactly the database's numbers to us: numbers
        added or removed by another node or process (``omnivox demo seed``) while this one
        runs are followed. Only numbers this runtime provisioned are ever removed (tests
        and the sandbox's own control API configure others). Twilio: nothing to do, the
        numbers live in the Twilio account."""
        if self.carrier is None:
            return
        for number in numbers - set(self.carrier.numbers):
            self.provision_number(number)
        for number in self._provisioned - numbers:
            self.release_number(number)

    async def start(self, *, background: bool = True) -> None:
        await reconcile_open_calls(self.service)  # a restart may have missed webhooks
        # Agents' lines the carrier no longer has are dropped: after a restart, calls reach
        # only agents whose browsers connect their line again.
        await self.service.lines.reconcile()
        if background:
            self.busy.add(+1)
            self.tasks.run(self._sweep(), "telephony sweep")

    async def _sweep(self) -> None:
        svc, every = self.service, self.sweep_seconds
        lifetime = timedelta(hours=svc.policy.max_call_hours)
        ticks = 0
        try:
            while True:
                await self.busy.sleep(svc.clock, every)
                ticks += 1
                try:
                    await svc.expire_wrap_ups()
                    for sweep in self._sweeps:
                        await sweep()
                    if ticks % 12 == 0:
                        await reconcile_open_calls(svc, older_than=lifetime)
                except Exception:
                    log.exception("telephony sweep failed")
        finally:
            self.busy.add(-1)

    async def quiesce(self) -> None:
        """Wait until the sweep and the lines' grace timers are asleep on the clock (tests
        on a manual clock)."""
        await self.busy.quiesce()
        await self.line_watch.quiesce()

    async def stop(self) -> None:
        await self.line_watch.stop()
        await self.tasks.stop()
        if self.carrier is not None:
            await self.carrier.close()
        for client in self._clients:
            await client.aclose()


def build_telephony(
    settings: Settings,
    app: FastAPI,
    *,
    clock: Clock,
    bus: EventBus,
    sessions: async_sessionmaker[AsyncSession],
    tasks: TaskSupervisor,
    agents: AgentReservations | None = None,
    metrics: Metrics | None = None,
) -> TelephonyCore:
    public = settings.public_url
    carrier: SandboxCarrier | None = None
    if settings.telephony == "sandbox":
        provider, carrier, clients = _sandbox(settings, app, clock, public)
    else:
        tw = settings.twilio
        creds = TwilioCredentials(
            account_sid=tw.account_sid,
            auth_token=tw.auth_token.get_secret_value(),
            api_key_sid=tw.api_key_sid or None,
            api_key_secret=tw.api_key_secret.get_secret_value() or None,
            twiml_app_sid=tw.twiml_app_sid or None,
        )
        client = httpx.AsyncClient(timeout=15)
        provider, clients = build_twilio_provider(creds, client), [client]
    service = TelephonyService(
        TelephonyDeps(
            provider=provider,
            sessions=sessions,
            clock=clock,
            bus=bus,
            urls=HookUrls(public),
            policy=CallPolicy(wrap_up_seconds=settings.wrap_up_seconds),
            tasks=tasks,
            agents=agents,
            metrics=metrics,
        )
    )
    return TelephonyCore(service, carrier, clients)


def _sandbox(
    settings: Settings, app: FastAPI, clock: Clock, public: str
) -> tuple[TelephonyProvider, SandboxCarrier, list[httpx.AsyncClient]]:
    """The same Twilio provider code, its REST calls and the carrier's webhooks both carried
    in-process (ASGI) to this app, so a laptop needs no account and no open port."""
    sb = settings.sandbox
    to_app = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=public, timeout=30)
    carrier = SandboxCarrier(clock=clock, http=to_app, api_base_url=public + SANDBOX_PREFIX)
    carrier.add_account(
        sb.account_sid,
        sb.auth_token.get_secret_value(),
        {sb.api_key_sid: sb.api_key_secret.get_secret_value()},
    )
    rest = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=30)
    creds = TwilioCredentials(
        account_sid=sb.account_sid,
        auth_token=sb.auth_token.get_secret_value(),
        api_key_sid=sb.api_key_sid,
        api_key_secret=sb.api_key_secret.get_secret_value(),
    )
    provider = build_twilio_provider(creds, rest, sandbox_base_url=public + SANDBOX_PREFIX)
    return provider, carrier, [to_app, rest]


def runtime_of(request: Request) -> TelephonyRuntime:
    """The telephony runtime of the app serving the request (``create_app`` puts it on
    ``app.state.telephony``)."""
    runtime: TelephonyRuntime = request.app.state.telephony
    return runtime

"""The live dialler: one loop per active campaign, on the injected clock, on one node.

Each loop holds the campaign's lease (``lease.py``); each tick it reads the floor from the
database, asks the campaign's pacing policy how many calls to place, selects that many
contacts through the campaign's compliance gates, re-checks the campaign's status and the
number's DNC entries immediately before each call, and places it with asynchronous AMD
(``DetectMessageEnd`` for a voicemail-drop campaign, ``Enable`` for a hang-up one).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field

from sqlalchemy import select

from omnivox.accounts import find_organization
from omnivox.agents import AgentGate, AgentStateChanged
from omnivox.campaigns import Campaign, CampaignStarted, CampaignStatusChanged, is_dnc
from omnivox.core.clock import Clock
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.dialer.answering import CampaignAnswering, amd_mode
from omnivox.dialer.attempts import begin_attempt, set_attempt_call
from omnivox.dialer.contacts import DialCandidate, claim_contact, select_dialable_contacts
from omnivox.dialer.dial_settings import DialSettings, get_dial_settings
from omnivox.dialer.floor import agents_now, calls_now, window_counts
from omnivox.dialer.lease import Leases
from omnivox.dialer.outcomes import feed_agent, follow_calls, record_outcome
from omnivox.dialer.pacer import Pacer, policy_for
from omnivox.dialer.pacing import EventKind
from omnivox.telephony import TERMINAL_STATES, Owner, OwnerKind, TelephonyService, summary_of

log = get_logger(__name__)
AUTOMATIC = ("progressive", "predictive")
TERMINAL = TERMINAL_STATES


@dataclass
class Runner:
    campaign_id: str
    pacer: Pacer
    agent_ids: frozenset[str] = frozenset()
    task: asyncio.Task[None] | None = None
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    leader: bool = False


@dataclass
class DialerEngine:
    svc: TelephonyService
    gate: AgentGate
    leases: Leases
    answering: CampaignAnswering | None = None
    tick_seconds: float = 1.0
    rescan_seconds: float = 30.0
    runners: dict[str, Runner] = field(default_factory=dict)
    _caller_ids: itertools.count[int] = field(default_factory=itertools.count)
    _scan: asyncio.Task[None] | None = None
    _started: bool = False  # loops run only between start() and stop()

    @property
    def clock(self) -> Clock:
        return self.svc.clock

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._started = True
        await self.rescan()
        self._scan = asyncio.create_task(self._rescan_loop(), name="dialer rescan")

    async def stop(self) -> None:
        self._started = False
        if self._scan is not None:
            self._scan.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scan
        for campaign_id in list(self.runners):
            await self.stop_campaign(campaign_id)
        if self.answering is not None:
            await self.answering.stop()

    async def rescan(self) -> None:
        """Run a loop for every active automatic campaign (at start, and now and then, so
        a node that missed an event, or whose peer died, still takes its share)."""
        async with self.svc.sessions() as session:
            active = await session.scalars(
                select(Campaign.id).where(
                    Campaign.status == "active", Campaign.dial_mode.in_(AUTOMATIC)
                )
            )
            ids = list(active)
        for campaign_id in ids:
            await self.start_campaign(campaign_id)

    async def _rescan_loop(self) -> None:
        while True:
            await self.clock.sleep(self.rescan_seconds)
            try:
                await self.rescan()
            except Exception:
                log.exception("dialler rescan failed")

    async def start_campaign(self, campaign_id: str) -> None:
        if campaign_id in self.runners or not self._started:
            return
        async with self.svc.sessions() as session:
            settings = await get_dial_settings(session, campaign_id)
        if settings.dial_mode not in AUTOMATIC:
            return  # preview and manual: agents place the calls (api.py)
        runner = Runner(campaign_id, Pacer(policy_for(settings), self.clock.now()))
        self.runners[campaign_id] = runner
        runner.task = asyncio.create_task(self._loop(runner), name=f"dialer {campaign_id}")

    async def stop_campaign(self, campaign_id: str) -> None:
        runner = self.runners.pop(campaign_id, None)
        if runner is None:
            return
        if runner.task is not None:
            runner.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner.task
        await self.leases.release(campaign_id)

    # --- the loop --------------------------------------------------------------------------

    async def _loop(self, runner: Runner) -> None:
        while True:
            runner.idle.clear()
            try:
                runner.leader = await self.leases.take(runner.campaign_id)
                if runner.leader and not await self.tick(runner):
                    self.runners.pop(runner.campaign_id, None)
                    await self.leases.release(runner.campaign_id)
                    return
            except Exception:
                log.exception("dialler tick failed", campaign_id=runner.campaign_id)
            finally:
                runner.idle.set()
            await self.clock.sleep(self.tick_seconds)

    async def tick(self, runner: Runner) -> bool:
        """One pacing decision and its calls; False when the campaign is no longer active."""
        now = self.clock.now()
        async with self.svc.sessions() as session:
            settings = await get_dial_settings(session, runner.campaign_id)
            org_row = await find_organization(session, settings.organization_id)
            if settings.status != "active" or org_row is None or not org_row.is_active:
                return False  # paused, completed, or the organisation was switched off
            runner.agent_ids = frozenset(settings.agent_user_ids)
            org = settings.organization_id
            agents = await agents_now(session, org, settings.agent_user_ids, self.clock.now())
            calls = await calls_now(session, org, runner.campaign_id)
            window = await window_counts(
                session,
                org,
                runner.campaign_id,
                now,
                settings.abandon_window_hours,
                settings.rule_fp_estimate,
            )
            wanted = runner.pacer.decide(
                now, agents, calls, window, float(settings.abandon_rate_cap), 8 * 3600.0
            )
            if wanted <= 0:
                return True
            candidates = await select_dialable_contacts(
                session,
                runner.campaign_id,
                now,
                wanted,
                agent_ids=[a for a, _ in agents.ready],
            )
        for candidate in candidates:
            if not await self.place(runner, settings, candidate):
                return False
            if not runner.leader:
                return True  # another node took the campaign over during this tick
        return True

    async def place(self, runner: Runner, settings: DialSettings, c: DialCandidate) -> bool:
        """Place one call through the last gates; False when the campaign stopped."""
        now = self.clock.now()
        async with self.svc.sessions() as session:
            # A tick can outlast the lease (a stall between choosing the contacts and dialling
            # them). The claim below is fenced by the lease: renewed in the same transaction,
            # so once another node has taken the campaign over, this node claims nothing.
            runner.leader = await self.leases.hold(session, runner.campaign_id)
            if not runner.leader:
                log.warning(
                    "lease lost during a tick: not dialling", campaign_id=runner.campaign_id
                )
                return True
            status = await session.scalar(
                select(Campaign.status).where(Campaign.id == runner.campaign_id)
            )
            if status != "active":
                return False  # paused between the selection and this call: not one more
            if await is_dnc(session, settings.organization_id, runner.campaign_id, c.phone):
                log.info("contact skipped: on a do-not-call list", contact_id=c.contact_id)
                return True
            if not await claim_contact(session, c.contact_id, now, commit=False):
                # An agent previewed or dialled it since the selection (preview.py).
                log.info("contact skipped: taken by an agent", contact_id=c.contact_id)
                return True
            attempt = await begin_attempt(
                session,
                runner.campaign_id,
                c.contact_id,
                now,
                agent_id=c.agent_id,
                callback_id=c.callback_id,
            )
            attempt_id = attempt.id
        call = await self.svc.place_outbound_call(
            settings.organization_id,
            Owner(OwnerKind.CAMPAIGN, runner.campaign_id),
            to=c.phone,
            from_=self._caller_id(settings),
            machine_detection=amd_mode(settings),
        )
        runner.pacer.tell(EventKind.DIAL_PLACED, now, call.id)
        async with self.svc.sessions() as session:
            await set_attempt_call(session, attempt_id, call.id)
            fresh = await session.get(type(call), call.id)
            summary = summary_of(fresh) if fresh is not None else None
        if summary is not None and summary.state in TERMINAL:
            # It ended before the attempt was linked (refused by the carrier): the outcome
            # handler found no attempt then, so record it here.
            await record_outcome(self.gate, summary, self.clock.now())
        return True

    def _caller_id(self, settings: DialSettings) -> str:
        """Round-robin over the campaign's caller IDs."""
        if not settings.caller_ids:
            raise ValueError(f"campaign {settings.campaign_id} has no caller ID")
        return settings.caller_ids[next(self._caller_ids) % len(settings.caller_ids)]

    # --- events ----------------------------------------------------------------------------

    def pacer_of(self, campaign_id: str) -> Pacer | None:
        runner = self.runners.get(campaign_id)
        return runner.pacer if runner is not None and runner.leader else None

    def follow(self, bus: EventBus) -> None:
        """The campaigns' lifecycle and their calls (outcomes, pacing)."""
        self.follow_lifecycle(bus)
        follow_calls(self.gate, self.pacer_of, bus)

    def follow_lifecycle(self, bus: EventBus) -> None:
        """Campaign lifecycle and agent changes from any node: the node holding a
        campaign's lease runs it, wherever the change was made."""

        async def on_campaign(event: CampaignStatusChanged) -> None:
            if isinstance(event, CampaignStarted):
                await self.start_campaign(event.campaign_id)
            else:
                await self.stop_campaign(event.campaign_id)

        async def on_agent(event: AgentStateChanged) -> None:
            for runner in self.runners.values():
                if runner.leader and event.user_id in runner.agent_ids:
                    feed_agent(
                        runner.pacer, event.at, event.previous_state, event.state, event.user_id
                    )

        bus.subscribe(CampaignStatusChanged, on_campaign, remote=True)
        bus.subscribe(AgentStateChanged, on_agent, remote=True)

    async def quiesce(self) -> None:
        """Wait until every loop is between ticks (tests on a manual clock use this)."""
        for runner in list(self.runners.values()):
            await runner.idle.wait()

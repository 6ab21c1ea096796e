"""The real-time wallboard: one snapshot per organisation, rebuilt on the server when a
call, an agent or a campaign changes, and pushed to every open wallboard over the
WebSocket (``wallboard.updated``) — never read from the database per viewer.

What is live (waiting now, the oldest caller's arrival, agents by state, a campaign's
legal-window abandon rate) comes from the owning domains; what is "today" comes from the
same query engine as the historical reports (``run_report`` over today's rollups), so the
wallboard and the report of the same day show the same numbers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.accounts import find_organization
from omnivox.agents import AgentStateChanged, floor_board
from omnivox.campaigns import CampaignStatusChanged, list_campaigns
from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput
from omnivox.core.events import Audience, DomainEvent, EventBus
from omnivox.core.logging import get_logger
from omnivox.core.security.permissions import Permission
from omnivox.core.tasks import TaskSupervisor
from omnivox.dialer import campaigns_now
from omnivox.reporting.events import CallsCounted, WallboardUpdated
from omnivox.reporting.models import WallboardSettings
from omnivox.reporting.query import run_report
from omnivox.reporting.request import ReportRequest
from omnivox.reporting.wallboard_figures import CAMPAIGN_TODAY, FLOOR_TODAY, QUEUE_TODAY
from omnivox.routing import list_queues, queues_now
from omnivox.telephony import CallStateChanged, LineConnected, LineDropped

log = get_logger(__name__)

#: Tile colours: each figure is "warn" at the first value and "alert" at the second; for
#: service level (higher is better) below them. Service level and abandon rate are in
#: percent, as the catalogue gives them; the legal abandon rate as a share of its cap.
DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "waiting": (3, 8),
    "longest_wait_seconds": (30, 90),
    "service_level": (80, 70),
    "abandon_rate": (5, 10),
    "legal_abandon_share_of_cap": (0.8, 1.0),
}
HIGHER_IS_BETTER = frozenset({"service_level"})
_ACTIVE = ("active", "paused")


def check_thresholds(values: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Validate thresholds an administrator sets; unknown names and inverted pairs are
    refused naming the figure."""
    out = dict(DEFAULT_THRESHOLDS)
    for name, pair in values.items():
        if name not in DEFAULT_THRESHOLDS:
            known = ", ".join(sorted(DEFAULT_THRESHOLDS))
            raise InvalidInput.on(name, f"unknown wallboard figure (known: {known})")
        try:
            warn, alert = (float(pair[0]), float(pair[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput.on(name, "give two numbers: [warn, alert]") from None
        if warn < 0 or alert < 0:
            raise InvalidInput.on(name, "thresholds cannot be negative")
        ordered = warn >= alert if name in HIGHER_IS_BETTER else warn <= alert
        if not ordered:
            word = "above" if name in HIGHER_IS_BETTER else "below"
            raise InvalidInput.on(name, f"the warning must be {word} the alert ({warn}, {alert})")
        out[name] = (warn, alert)
    return out


async def thresholds_of(session: AsyncSession, org_id: str) -> dict[str, tuple[float, float]]:
    row = await session.get(WallboardSettings, org_id)
    return check_thresholds(row.thresholds if row is not None else {})


def _by_key(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(r.get(key)): r for r in rows if r.get(key) is not None}


async def build_snapshot(
    sessions: async_sessionmaker[AsyncSession], org_id: str, now: datetime, settings: Settings
) -> dict[str, Any]:
    """Everything a wallboard shows, as JSON-ready data. Queues, agents and campaigns are
    read at once, each on its own connection: while one waits for the database, another's
    rows are turned into tiles."""
    async with sessions() as session:
        org = await find_organization(session, org_id)
        thresholds = await thresholds_of(session, org_id)
    today = now.astimezone(ZoneInfo(org.timezone if org else "UTC")).date()
    try:
        async with asyncio.TaskGroup() as group:
            queues = group.create_task(_queue_tiles(sessions, org_id, today, now, settings))
            agents = group.create_task(_agent_figures(sessions, org_id, today, settings))
            campaigns = group.create_task(_campaign_tiles(sessions, org_id, today, now, settings))
    except ExceptionGroup as failed:  # the first failure, as a sequential build raised it
        raise failed.exceptions[0] from None
    return {
        "organization_id": org_id,
        "at": now.isoformat(),
        "date": today.isoformat(),
        "thresholds": {k: list(v) for k, v in thresholds.items()},
        "higher_is_better": sorted(HIGHER_IS_BETTER),
        "queues": queues.result(),
        "agents": agents.result(),
        "campaigns": campaigns.result(),
    }


async def _queue_tiles(
    sessions: async_sessionmaker[AsyncSession],
    org_id: str,
    today: date,
    now: datetime,
    settings: Settings,
) -> list[dict[str, Any]]:
    async with sessions() as session:
        queues = await list_queues(session, org_id)
        queue_today = await run_report(
            session, org_id, ReportRequest(QUEUE_TODAY, today, today, ("queue",)), settings
        )
        live_queues = await queues_now(session, [q.id for q in queues], now)
    by_queue = _by_key(queue_today.rows, "queue_id")
    tiles = []
    for queue in queues:
        live = live_queues[queue.id]
        figures = by_queue.get(queue.id, {})
        oldest = (
            (now - timedelta(seconds=live.longest_wait_seconds)).isoformat()
            if live.longest_wait_seconds is not None
            else None
        )
        tiles.append(
            {
                "id": queue.id,
                "name": queue.name,
                "service_level_seconds": queue.service_level_seconds,
                "waiting": live.waiting,
                "callbacks_waiting": live.callbacks_waiting,
                "oldest_waiting_since": oldest,
                "agents_available": live.agents_available,
                **{m: figures.get(m) for m in QUEUE_TODAY},
            }
        )
    return tiles


async def _agent_figures(
    sessions: async_sessionmaker[AsyncSession], org_id: str, today: date, settings: Settings
) -> dict[str, Any]:
    async with sessions() as session:
        agents = await floor_board(session, org_id)
        floor_today = await run_report(
            session, org_id, ReportRequest(FLOOR_TODAY, today, today), settings
        )
    floor_figures = floor_today.rows[0] if floor_today.rows else {}
    by_state: dict[str, int] = {}
    people = []
    for a in agents:
        state = a.state.value
        by_state[state] = by_state.get(state, 0) + 1
        people.append(
            {
                "user_id": a.user_id,
                "name": a.name,
                "state": state,
                "reason": a.reason,
                "since": a.since.isoformat() if a.since else None,
                "line": a.line,
            }
        )
    return {
        "by_state": by_state,
        **{m: floor_figures.get(m) for m in FLOOR_TODAY},
        "people": people,
    }


async def _campaign_tiles(
    sessions: async_sessionmaker[AsyncSession],
    org_id: str,
    today: date,
    now: datetime,
    settings: Settings,
) -> list[dict[str, Any]]:
    async with sessions() as session:
        campaign_today = await run_report(
            session, org_id, ReportRequest(CAMPAIGN_TODAY, today, today, ("campaign",)), settings
        )
        active = [c for c in await list_campaigns(session, org_id) if c.status in _ACTIVE]
        live_campaigns = await campaigns_now(session, org_id, active, now)
    by_campaign = _by_key(campaign_today.rows, "campaign_id")
    tiles = []
    for campaign in active:
        live_c = live_campaigns[campaign.id]
        today_c = by_campaign.get(campaign.id, {})
        cap, rate = live_c.cap, live_c.window.rate
        tiles.append(
            {
                "id": campaign.id,
                "name": campaign.name,
                "status": live_c.settings.status,
                "dial_mode": live_c.settings.dial_mode,
                "lines_per_agent": live_c.dial_ratio,
                "abandon_rate": rate,
                "abandon_rate_cap": cap,
                "abandon_window_hours": live_c.settings.abandon_window_hours,
                "at_cap": live_c.at_cap,
                "legal_abandon_share_of_cap": rate / cap if cap else None,
                **{m: today_c.get(m) for m in CAMPAIGN_TODAY},
            }
        )
    return tiles


class WallboardHub:
    """Keeps each organisation's snapshot and republishes it when something on the floor
    changes: changes within ``settle_seconds`` are coalesced into one rebuild, so a busy
    floor costs one query set per organisation per interval, whatever the viewers."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        clock: Clock,
        settings: Settings,
        *,
        settle_seconds: float = 0.5,
        max_age_seconds: float = 10.0,
        tasks: TaskSupervisor | None = None,
    ) -> None:
        self.sessions, self.bus, self.clock, self.settings = sessions, bus, clock, settings
        self.settle_seconds = settle_seconds
        # A screen that (re)connects gets the shared snapshot unless it is older than this:
        # queues and campaigns set up meanwhile have no event of their own.
        self.max_age_seconds = max_age_seconds
        self._built: dict[str, float] = {}
        self.tasks = tasks or TaskSupervisor()
        self.snapshots: dict[str, dict[str, Any]] = {}
        self._due: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}

    def follow(self) -> None:
        """This node's own changes; other nodes rebuild for theirs and publish them."""
        org_of: dict[type[DomainEvent], Callable[[Any], str]] = {
            CallStateChanged: lambda e: e.call.organization_id,
            CallsCounted: lambda e: e.organization_id,  # today's figures moved
            AgentStateChanged: lambda e: e.audience.organization_id,
            CampaignStatusChanged: lambda e: e.audience.organization_id,
            LineConnected: lambda e: e.audience.organization_id,
            LineDropped: lambda e: e.audience.organization_id,
        }
        for kind, org in org_of.items():
            self.bus.subscribe(kind, self._changed(org))

    def _changed(self, org_of: Callable[[Any], str]) -> Callable[[Any], Any]:
        async def handler(event: Any) -> None:
            org_id = org_of(event)
            if org_id and org_id not in self._due:
                self._due.add(org_id)
                self.tasks.spawn(self._rebuild_soon(org_id), f"wallboard {org_id}")

        return handler

    async def _rebuild_soon(self, org_id: str) -> None:
        await asyncio.sleep(self.settle_seconds)
        self._due.discard(org_id)
        await self.refresh(org_id)

    async def refresh(self, org_id: str) -> dict[str, Any]:
        """Rebuild the organisation's snapshot now and publish it."""
        lock = self._locks.setdefault(org_id, asyncio.Lock())
        async with lock:
            snapshot = await build_snapshot(self.sessions, org_id, self.clock.now(), self.settings)
            self.snapshots[org_id] = snapshot
            self._built[org_id] = time.monotonic()
        audience = Audience.organization(org_id, Permission.WALLBOARD_VIEW.value)
        await self.bus.publish(
            WallboardUpdated(audience=audience, at=self.clock.now(), snapshot=snapshot)
        )
        return snapshot

    async def current(self, org_id: str) -> dict[str, Any]:
        """The latest snapshot, shared by every viewer; rebuilt when this node has none or
        it is older than ``max_age_seconds`` (at most once per interval, however many
        screens ask)."""
        fresh = time.monotonic() - self._built.get(org_id, float("-inf")) < self.max_age_seconds
        cached = self.snapshots.get(org_id)
        return cached if cached is not None and fresh else await self.refresh(org_id)

    async def stop(self) -> None:
        await self.tasks.stop()

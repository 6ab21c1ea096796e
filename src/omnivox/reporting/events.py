"""Events the reporting domain announces."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from omnivox.core.events import DomainEvent
from omnivox.reporting.wallboard_figures import CAMPAIGN_TODAY, QUEUE_TODAY


@dataclass(frozen=True, kw_only=True)
class WallboardUpdated(DomainEvent):
    """An organisation's wallboard changed: the whole snapshot (queues, agents by state,
    campaigns, thresholds), so a screen never has to ask the database itself."""

    NAME = "wallboard.updated"
    snapshot: dict[str, Any] = field(default_factory=dict)

    def within_reach(self, reach: frozenset[str]) -> WallboardUpdated:
        return replace(self, snapshot=narrow_snapshot(self.snapshot, reach))


@dataclass(frozen=True, kw_only=True)
class CallsCounted(DomainEvent):
    """A batch of an organisation's ended calls was added to the call rollups (committed):
    what reads today's rollups (the wallboard) may rebuild. Published by the node that
    counted them; ``call_ids`` are those counted now, never a call counted before."""

    NAME = "reports.calls_counted"
    organization_id: str
    call_ids: tuple[str, ...] = ()


def narrow_snapshot(snapshot: dict[str, Any], reach: frozenset[str]) -> dict[str, Any]:
    """The wallboard as a supervisor bounded to their teams sees it: their agents only,
    counted by state from those. What is live on a queue or a campaign (callers waiting
    now, the oldest's wait, the legal window against its cap) is the queue's or the
    campaign's, and shows whole, as on the live floor. Today's figures are the reports':
    the report engine narrows them to the supervisor's agents, so the whole floor's would
    contradict the supervisor's own report of the same day; they are withheld, as the
    floor-wide agent figures (talk per agent-hour, occupancy) are — their report has
    their teams' figures."""
    agents = snapshot.get("agents", {})
    people = [p for p in agents.get("people", []) if p.get("user_id") in reach]
    by_state: dict[str, int] = {}
    for person in people:
        by_state[person["state"]] = by_state.get(person["state"], 0) + 1
    floor_wide = {k: None for k in agents if k not in ("people", "by_state")}
    return snapshot | {
        "agents": agents | floor_wide | {"people": people, "by_state": by_state},
        "queues": [_withheld(t, QUEUE_TODAY) for t in snapshot.get("queues", [])],
        "campaigns": [_withheld(t, CAMPAIGN_TODAY) for t in snapshot.get("campaigns", [])],
        "bounded_to_teams": True,
    }


def _withheld(tile: dict[str, Any], today: tuple[str, ...]) -> dict[str, Any]:
    return tile | {m: None for m in today if m in tile}

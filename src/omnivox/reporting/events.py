"""Events the reporting domain announces."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from omnivox.core.events import DomainEvent


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
    counted by state from those; the floor-wide figures of all agents (talk per
    agent-hour, occupancy) are not theirs to see. Queues and campaigns have no team and
    show whole, as on the live floor."""
    agents = snapshot.get("agents", {})
    people = [p for p in agents.get("people", []) if p.get("user_id") in reach]
    by_state: dict[str, int] = {}
    for person in people:
        by_state[person["state"]] = by_state.get(person["state"], 0) + 1
    floor_wide = {k: None for k in agents if k not in ("people", "by_state")}
    return snapshot | {
        "agents": agents | floor_wide | {"people": people, "by_state": by_state},
        "bounded_to_teams": True,
    }

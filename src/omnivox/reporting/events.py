"""Events the reporting domain announces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omnivox.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WallboardUpdated(DomainEvent):
    """An organisation's wallboard changed: the whole snapshot (queues, agents by state,
    campaigns, thresholds), so a screen never has to ask the database itself."""

    NAME = "wallboard.updated"
    snapshot: dict[str, Any] = field(default_factory=dict)

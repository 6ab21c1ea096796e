"""The event bus: domains announce what happened after it is committed.

Each event carries its audience (internal, an organisation, one user, the supervisors of an
organisation) and the permission a receiver needs, so the WebSocket hub can filter without
knowing what the event means. The in-process bus delivers to local subscribers; a Redis
backend (multi-node fan-out) implements the same ``EventBus`` protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from omnivox.core.logging import get_logger

log = get_logger(__name__)


class AudienceKind(StrEnum):
    INTERNAL = "internal"  # never leaves the server
    ORGANIZATION = "organization"  # everyone in the organisation with the permission
    USER = "user"  # one user (and supervisors with the permission)


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    organization_id: str = ""
    user_id: str = ""
    permission: str = ""  # what a receiver must hold; empty = no extra permission

    @classmethod
    def internal(cls) -> Audience:
        return cls(AudienceKind.INTERNAL)

    @classmethod
    def organization(cls, organization_id: str, permission: str = "") -> Audience:
        return cls(AudienceKind.ORGANIZATION, organization_id, permission=permission)

    @classmethod
    def user(cls, organization_id: str, user_id: str, permission: str = "") -> Audience:
        return cls(AudienceKind.USER, organization_id, user_id, permission)


@dataclass(frozen=True)
class Event:
    """A past-tense fact: ``name`` like ``call.held``; ``data`` is JSON-serialisable."""

    name: str
    audience: Audience
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    # True when it arrived from another node: views show it, but domain handlers already
    # ran on the node that published it and must not act twice.
    remote: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "at": self.at.isoformat(), "data": self.data}


Handler = Callable[[Event], Awaitable[None]]


class EventBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        """Register a handler for every event; returns a function that unsubscribes it."""
        ...


class InProcessBus:
    """Delivers to this process's subscribers. A failing handler is logged, never fatal."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    async def publish(self, event: Event) -> None:
        for handler in list(self._handlers):
            try:
                await handler(event)
            except Exception:
                log.exception("event handler failed", name=event.name)

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler) if handler in self._handlers else None

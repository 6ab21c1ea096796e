"""Typed events between domains: each domain announces what happened after it is committed.

An event is a frozen dataclass deriving from :class:`DomainEvent`, named in the past tense
(``CallStateChanged``), declaring its wire name (``NAME = "call.state_changed"``) and
carrying its audience (internal, an organisation, one user) with the permission a receiver
needs, so the WebSocket hub can filter without knowing what the event means. Handlers
subscribe by type and read typed fields; the JSON form (``to_json()``) is derived from the
fields once, by pydantic, for the hub and for the Redis fan-out.

Events that arrive from another node (``remote``) reach only subscribers that ask for them:
domain handlers already ran on the node that published the event and must not act twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import TypeAdapter

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


_ENVELOPE = frozenset({"audience", "at", "remote"})
_REGISTRY: dict[str, type[DomainEvent]] = {}


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """A past-tense fact. Subclasses are frozen, keyword-only dataclasses with a ``NAME``."""

    NAME: ClassVar[str] = ""
    #: Shown in ``docs/events.md``: who reacts to it (the catalogue is checked in a test).
    audience: Audience
    at: datetime
    # True when it arrived from another node (set by the bus, never by a publisher).
    remote: bool = field(default=False, compare=False, repr=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("NAME")
        if name:
            if name in _REGISTRY and _REGISTRY[name].__qualname__ != cls.__qualname__:
                raise TypeError(f"event name {name!r} is taken by {_REGISTRY[name].__name__}")
            _REGISTRY[name] = cls

    @property
    def name(self) -> str:
        return self.NAME

    @cached_property
    def data(self) -> dict[str, Any]:
        """The event's own fields as JSON values (enums as their values, times ISO)."""
        dumped: dict[str, Any] = _adapter(type(self)).dump_python(
            self, mode="json", by_alias=True, exclude=set(_ENVELOPE)
        )
        return dumped

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "at": self.at.isoformat(), "data": self.data}

    def as_remote(self) -> DomainEvent:
        return replace(self, remote=True)

    def within_reach(self, reach: frozenset[str]) -> DomainEvent:
        """This event as a supervisor bounded to the agents ``reach`` may see it. Events
        about one agent are filtered whole (``web.ws.in_reach``); an event that carries
        many agents (a wallboard snapshot) narrows itself here."""
        return self


_ADAPTERS: dict[type[DomainEvent], TypeAdapter[Any]] = {}


def _adapter(cls: type[DomainEvent]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class by wire name (the catalogue, ``docs/events.md``, is built from it)."""
    return dict(sorted(_REGISTRY.items()))


def event_from_json(
    name: str, audience: Audience, at: datetime, data: dict[str, Any]
) -> DomainEvent:
    """Rebuild a typed event from its wire form (another node's). KeyError: unknown name;
    pydantic's ValidationError (a ValueError): data that does not fit the class."""
    cls = _REGISTRY[name]
    event: DomainEvent = _adapter(cls).validate_python(
        {**data, "audience": audience, "at": at, "remote": True}
    )
    return event


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[E], Awaitable[None]]
Unsubscribe = Callable[[], None]


class EventBus(Protocol):
    async def publish(self, event: DomainEvent) -> None: ...

    def subscribe(
        self, kind: type[E], handler: Callable[[E], Awaitable[None]], *, remote: bool = False
    ) -> Unsubscribe:
        """Call ``handler`` with every event that is a ``kind`` (a class or a base class).
        ``remote=True`` also delivers events published on other nodes."""
        ...


@dataclass(frozen=True)
class _Subscription:
    kind: type[DomainEvent]
    handler: Callable[[Any], Awaitable[None]]
    remote: bool


class InProcessBus:
    """Delivers to this process's subscribers. A failing handler is logged, never fatal."""

    def __init__(self) -> None:
        self._subs: list[_Subscription] = []

    async def publish(self, event: DomainEvent) -> None:
        for sub in list(self._subs):
            if not isinstance(event, sub.kind) or (event.remote and not sub.remote):
                continue
            try:
                await sub.handler(event)
            except Exception:
                log.exception("event handler failed", name=event.name)

    def subscribe(
        self, kind: type[E], handler: Callable[[E], Awaitable[None]], *, remote: bool = False
    ) -> Unsubscribe:
        sub = _Subscription(kind, handler, remote)
        self._subs.append(sub)
        return lambda: self._subs.remove(sub) if sub in self._subs else None


@dataclass(frozen=True, kw_only=True)
class BusResynced(DomainEvent):
    """Events may have been lost (the Redis bus reconnected): live views re-read state."""

    NAME = "bus.resync"

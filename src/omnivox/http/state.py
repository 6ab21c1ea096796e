"""What one app instance holds: settings, database, clock, metrics, templates, and how to
learn who is calling."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.core.events import EventBus, InProcessBus
from omnivox.core.metrics import Metrics
from omnivox.http.principals import PrincipalSource


@dataclass(frozen=True)
class AppState:
    """Built whole by ``create_app``; nothing is assigned onto it afterwards."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    templates: Jinja2Templates
    principals: PrincipalSource
    metrics: Metrics = field(default_factory=Metrics)
    bus: EventBus = field(default_factory=InProcessBus)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.omnivox
    return state

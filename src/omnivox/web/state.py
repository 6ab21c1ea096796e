"""What one app instance holds: settings, database, clock, metrics, templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from omnivox.accounts.auth import LoginPolicy
from omnivox.core.clock import Clock
from omnivox.core.config import Settings
from omnivox.core.events import EventBus, InProcessBus
from omnivox.core.metrics import Metrics

WEB_DIR = Path(__file__).resolve().parent


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    templates: Jinja2Templates
    metrics: Metrics = field(default_factory=Metrics)
    bus: EventBus = field(default_factory=InProcessBus)

    @property
    def login_policy(self) -> LoginPolicy:
        s = self.settings
        return LoginPolicy(
            max_failures=s.login_max_failures,
            lockout=timedelta(minutes=s.login_lockout_minutes),
            session_ttl=timedelta(hours=s.session_hours),
        )


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.omnivox
    return state

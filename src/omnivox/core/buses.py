"""Which event bus an app node uses: Redis fan-out between nodes when
``OMNIVOX_REDIS_URL`` is set, otherwise the in-process bus.

Redis is an optional extra (``pip install 'omnivox[redis]'``): the embedded default, one
node on SQLite, must start without it, so ``redis_bus`` is imported only when asked for.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from omnivox.core.config import ConfigurationError, Settings
from omnivox.core.events import EventBus, InProcessBus


@runtime_checkable
class ConnectedBus(Protocol):
    """A bus with a connection to open at start-up and close at shutdown."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_bus(settings: Settings) -> EventBus:
    if not settings.redis_url:
        return InProcessBus()
    try:
        from omnivox.core.redis_bus import RedisBus, channel_for
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            [
                "OMNIVOX_REDIS_URL is set but the redis package is not installed: "
                "pip install 'omnivox[redis]'"
            ]
        ) from exc
    return RedisBus(settings.redis_url, channel=channel_for(settings))

"""Helpers for the pacing tests: snapshots with sensible defaults."""

from __future__ import annotations

from typing import Any

from omnivox.dialer.pacing import PacingSnapshot


def snap(**kw: Any) -> PacingSnapshot:
    base: dict[str, Any] = {
        "now": 1000.0,
        "ready_agents": 0,
        "paused_agents": 0,
        "talking_since": (),
        "wrapping_since": (),
        "ringing_since": (),
        "waiting_since": (),
        "window_abandons": 0,
        "window_live_answers": 0,
        "line_limit": 1000,
        "dial_limit": 1000,
        "day_start": 0.0,
        "day_end": 28800.0,
    }
    base.update(kw)
    return PacingSnapshot(**base)

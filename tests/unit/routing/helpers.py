"""Builders shared by the routing tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from omnivox.routing import AgentCandidate, WaitingCall

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def call(
    cid: str,
    queue: str = "q",
    t: float = 0.0,
    priority: int | None = None,
    skills: Mapping[str, int] | None = None,
    callback: bool = False,
) -> WaitingCall:
    return WaitingCall(cid, queue, at(t), priority, dict(skills or {}), callback)


def agent(
    aid: str,
    idle: float = 0.0,
    queues: Mapping[str, int] | None = None,
    skills: Mapping[str, int] | None = None,
    last_offered: float | None = None,
) -> AgentCandidate:
    return AgentCandidate(
        aid,
        at(idle),
        dict(queues if queues is not None else {"q": 0}),
        dict(skills or {}),
        None if last_offered is None else at(last_offered),
    )

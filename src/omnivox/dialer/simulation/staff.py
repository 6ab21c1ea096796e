"""Agents: who is ready, talking, wrapping or paused, their schedules (shifts, pauses), and
the time accounting behind occupancy and talk per agent-hour."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from omnivox.dialer.simulation.draws import agent_rng
from omnivox.dialer.simulation.metrics import RunMetrics
from omnivox.dialer.simulation.scenarios import Scenario

LOGIN, LOGOUT, PAUSE, PAUSE_END = 1, 2, 3, 4
# Agents stay this long after the calling window closes to take the last answers.
END_GRACE_S = 60.0


class AgentBook:
    """Agent states. ``ready`` is ordered by when each agent became ready (longest idle
    first); ``talking`` / ``wrapping`` map agent -> since when."""

    def __init__(self, size: int) -> None:
        self.ready: OrderedDict[int, float] = OrderedDict()
        self.talking: dict[int, float] = {}
        self.wrapping: dict[int, float] = {}
        self.pending: dict[int, tuple[int, float]] = {}  # agent -> (LOGOUT | PAUSE, duration)
        self.paused = 0
        self._paused_since: dict[int, float] = {}
        self._login_at: dict[int, float] = {}
        self._logged_s = 0.0
        self._paused_s = 0.0

    def is_busy(self, agent: int) -> bool:
        return agent in self.talking or agent in self.wrapping

    def is_paused(self, agent: int) -> bool:
        return agent in self._paused_since

    def login(self, agent: int, now: float) -> None:
        self._login_at[agent] = now

    def logout(self, agent: int, now: float) -> None:
        self._logged_s += now - self._login_at.pop(agent)

    def pause(self, agent: int, now: float) -> None:
        self._paused_since[agent] = now
        self.paused += 1

    def resume(self, agent: int, now: float) -> None:
        self._paused_s += now - self._paused_since.pop(agent)
        self.paused -= 1

    def close(self, now: float, metrics: RunMetrics) -> None:
        """Account for agents still logged in when the run stops."""
        logged = self._logged_s + sum(now - t for t in self._login_at.values())
        paused = self._paused_s + sum(now - t for t in self._paused_since.values())
        metrics.logged_in_s = logged
        metrics.available_s = logged - paused


def staff_events(scenario: Scenario, seed: int) -> list[tuple[float, int, int, float]]:
    """(time, kind, agent, arg) for every login, logout and pause request of the day.

    Drawn from the agent stream only, so every policy gets the same schedule."""
    rng = agent_rng(seed)
    events: list[tuple[float, int, int, float]] = []
    agent = 0
    last_end = max(sh.end_h for sh in scenario.shifts)
    for shift in scenario.shifts:
        spread = shift.spread_min * 60.0
        for _ in range(shift.agents):
            start = shift.start_h * 3600.0
            login = start + (rng.uniform(0, spread) if start == 0 else rng.uniform(-spread, spread))
            if shift.end_h >= last_end:
                logout = shift.end_h * 3600.0 + END_GRACE_S
            else:
                logout = shift.end_h * 3600.0 + rng.uniform(-spread, spread)
            events.append((max(login, 0.0), LOGIN, agent, 0.0))
            events.append((logout, LOGOUT, agent, 0.0))
            events.extend(_pauses(scenario, rng, agent, login, logout))
            agent += 1
    return events


def _pauses(
    scenario: Scenario, rng: np.random.Generator, agent: int, login: float, logout: float
) -> list[tuple[float, int, int, float]]:
    out: list[tuple[float, int, int, float]] = []
    if scenario.pause_share_per_hour <= 0:
        return out
    lo, hi = scenario.pause_minutes
    for hour in range(int(scenario.hours)):
        take = rng.random() < scenario.pause_share_per_hour
        at = (hour + rng.random()) * 3600.0
        minutes = rng.uniform(lo, hi)
        if take and login < at < logout:
            out.append((at, PAUSE, agent, minutes * 60.0))
    return out

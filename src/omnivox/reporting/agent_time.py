"""Agent state time per interval: each stretch between two consecutive changes of an
agent's state is split across the 15-minute intervals it spans. Pure.

Only closed stretches count (the state an agent is in now has no end yet), and offline
time is not kept: it is neither worked nor available.

Logins and logouts count in the interval they happened in: a *login* is a change from
offline (the agent's previous state, offline before their first change) to any other
state, as the login/logout template (``sessions``) reads them; a *logout* a change from
any other state to offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from omnivox.agents import AgentState
from omnivox.reporting.intervals import as_utc, interval_of, split

_OFFLINE = AgentState.OFFLINE.value


class StateChange(Protocol):
    @property
    def user_id(self) -> str: ...
    @property
    def to_state(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class StateCell:
    interval_start: datetime
    agent_id: str
    state: str
    reason: str


def state_cells(
    changes: Iterable[StateChange], start: datetime, end: datetime
) -> dict[StateCell, float]:
    """Seconds per cell within ``[start, end)``; ``changes`` are ordered per agent."""
    start, end = as_utc(start), as_utc(end)
    cells: dict[StateCell, float] = {}
    previous: StateChange | None = None
    for change in changes:
        if previous is not None and previous.user_id == change.user_id:
            _add_span(cells, previous, as_utc(change.at), start, end)
        previous = change
    return cells


def login_cells(
    changes: Iterable[StateChange], start: datetime, end: datetime
) -> dict[StateCell, tuple[int, int]]:
    """(logins, logouts) per cell within ``[start, end)``; ``changes`` are ordered per
    agent and hold each agent's last change before ``start`` (``sources.state_history``).
    A login counts in the cell of the state entered, a logout in the agent's offline cell."""
    start, end = as_utc(start), as_utc(end)
    cells: dict[StateCell, tuple[int, int]] = {}
    previous: StateChange | None = None
    for change in changes:
        was = (
            previous.to_state
            if previous is not None and previous.user_id == change.user_id
            else _OFFLINE
        )
        previous = change
        at = as_utc(change.at)
        if not start <= at < end or (was == _OFFLINE) == (change.to_state == _OFFLINE):
            continue
        if was == _OFFLINE:
            reason = change.reason or "" if change.to_state == AgentState.BREAK.value else ""
            key, add = StateCell(interval_of(at), change.user_id, change.to_state, reason), (1, 0)
        else:
            key, add = StateCell(interval_of(at), change.user_id, _OFFLINE, ""), (0, 1)
        logins, logouts = cells.get(key, (0, 0))
        cells[key] = (logins + add[0], logouts + add[1])
    return cells


def _add_span(
    cells: dict[StateCell, float], opened: StateChange, closed: datetime, lo: datetime, hi: datetime
) -> None:
    if opened.to_state == _OFFLINE:
        return
    span_start, span_end = max(as_utc(opened.at), lo), min(closed, hi)
    reason = opened.reason or "" if opened.to_state == AgentState.BREAK.value else ""
    for cell_start, seconds in split(span_start, span_end):
        key = StateCell(cell_start, opened.user_id, opened.to_state, reason)
        cells[key] = cells.get(key, 0.0) + seconds

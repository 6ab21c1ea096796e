"""Agents: the agent state machine, presence, break reasons and time-in-state reporting.

Other domains import only the names below. Routing and the dialler reserve and release
agents through :class:`AgentGate` and the hooks of ``agents.service`` (``reserve_agent``,
``release_offer``, ``reject_offer``, ``time_out_offer``, ``start_call``, ``end_call``,
``finish_wrap_up``), subscribe to :class:`AgentStateChanged`, and read the floor through
the queries of ``agents.repository`` (``list_ready_agents``, ``find_state``, …).
Telephony asks :func:`holds_call` (supplied by ``create_app``) whether an agent holds an
offered call. ``AgentStatus`` (the one row per agent) is exported for the dialler's and
routing's own joins and counts over agents. The HTTP routers live in ``agents.api`` and
``agents.views`` (kept out of this surface).
"""

from omnivox.agents.errors import AgentNotFound, AgentStateConflict
from omnivox.agents.events import AgentStateChanged
from omnivox.agents.fsm_types import AgentState
from omnivox.agents.handlers import AgentGate, follow_calls
from omnivox.agents.models import AgentStateHistory, AgentStatus
from omnivox.agents.reports import FloorAgent, floor_board
from omnivox.agents.reports import list_agents as floor_agents
from omnivox.agents.repository import (
    find_state,
    holds_call,
    list_available_colleagues,
    list_ready_agents,
)
from omnivox.agents.service import (
    end_call,
    finish_wrap_up,
    reject_offer,
    release_offer,
    reserve_agent,
    start_call,
    time_out_offer,
)

__all__ = [
    "AgentGate",
    "AgentNotFound",
    "AgentState",
    "AgentStateChanged",
    "AgentStateConflict",
    "AgentStateHistory",
    "AgentStatus",
    "FloorAgent",
    "end_call",
    "find_state",
    "finish_wrap_up",
    "floor_agents",
    "floor_board",
    "follow_calls",
    "holds_call",
    "list_available_colleagues",
    "list_ready_agents",
    "reject_offer",
    "release_offer",
    "reserve_agent",
    "start_call",
    "time_out_offer",
]

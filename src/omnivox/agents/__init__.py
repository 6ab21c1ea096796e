"""Agents: the agent state machine, presence, break reasons and time-in-state reporting.

Other domains (routing, the dialler, telephony) use the hooks in
:mod:`omnivox.agents.service`: ``reserve_agent``, ``release_offer``, ``start_call``,
``end_call``, ``finish_wrap_up``, ``reject_offer``, ``time_out_offer``. Telephony asks
:func:`holds_call` (supplied by ``create_app``) whether an agent holds an offered call.
"""

from omnivox.agents.repository import holds_call, list_available_colleagues

__all__ = ["holds_call", "list_available_colleagues"]

"""What the call side asks of domains that come after it in the domain order.

Telephony cannot import them (agents, the dialler), so it names what it needs here and the
composition root (``create_app``) supplies the implementations. (The provider interface is
``telephony.ports``; these face the other domains.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization

ManualDialCheck = Callable[[AsyncSession, Organization, str, datetime], Awaitable[None]]
"""``(session, org, number, now)``: raise a ``DomainError`` (409) when an agent may not
dial ``number`` by hand now (do-not-call list, calling window). The dialler supplies it
(``dialer.dial_rules.check_manual_dial``); call control asks it before an external transfer
or a third party."""

AgentHoldsCall = Callable[[AsyncSession, str, str], Awaitable[bool]]
"""``(session, user_id, call_id)``: whether the agent is reserved for the call (an offer
ringing on their desktop) or on it. The agents domain supplies it
(``agents.holds_call``)."""

"""What inbound routing asks of domains that come after it in the domain order.

Routing cannot import them (voicemail, the dialler), so it names what it needs here and the
composition root (``create_app``) hands ``InboundRouting`` their implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.events import EventBus
from omnivox.telephony import HookUrls, Instruction, Play, RecordingStatusChanged, Say

HeldAgents = Callable[[str, datetime], Select[str | None]]
"""``(org_id, now)`` -> the ids of the organisation's agents who are about to take a call
routing does not see (reading a previewed campaign contact they are about to dial), as a
subquery: available, but not offered a call meanwhile. The dialler supplies it
(``dialer.contacts.previewing_agents``)."""


class VoicemailPort(Protocol):
    """Takes a caller's message (implemented by ``voicemail.VoicemailDesk``)."""

    def instructions(
        self, urls: HookUrls, call_id: str, greeting: Play | Say
    ) -> tuple[Instruction, ...]:
        """The greeting, then record the message (its action URL marks the request)."""
        ...

    def is_after_message(self, query: Mapping[str, str]) -> bool:
        """Whether a step request is the recording's action URL (the message ended)."""
        ...

    def after_message(self) -> tuple[Instruction, ...]:
        """The answer to the recording's action URL: thank the caller and end the call."""
        ...

    async def store(
        self,
        session: AsyncSession,
        *,
        org_id: str,
        call_id: str | None,
        queue_id: str | None,
        box_owner: str | None,
        caller: str,
        called: str,
        recording: RecordingStatusChanged,
        now: datetime,
        bus: EventBus | None,
    ) -> object:
        """Keep a finished voicemail recording (once per recording)."""
        ...

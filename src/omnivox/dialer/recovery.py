"""Campaign attempts a node left open when it died, finished by any node's sweep.

An attempt is opened before its call is placed and completed when the call's final state
is announced. A node that dies in between leaves it open: the contact would stay
``dialing`` for good and the call's outcome would be lost. Every minute, attempts open for
longer than ``STALE_AFTER`` are settled from the database's truth:

- the call ended: its outcome is recorded as the announcement would have (same code,
  same retry rules, once: ``record_outcome`` completes only an open attempt);
- the call was never placed (no call linked, or the call never reached the carrier): the
  contact goes back to the list with no attempt counted (``NOT_PLACED``).

A call still live is left alone: its own events will finish it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from omnivox.agents import AgentGate
from omnivox.campaigns import ContactAttempt
from omnivox.core.logging import get_logger
from omnivox.dialer.attempts import release_unplaced_attempt
from omnivox.dialer.outcomes import TERMINAL, record_outcome
from omnivox.telephony import Call, summary_of

log = get_logger(__name__)
STALE_AFTER = timedelta(minutes=5)  # longer than any ring plus a 2-second answer
EVERY = timedelta(minutes=1)
NEVER_PLACED = {"queued"}  # recorded, but the carrier never took it


@dataclass
class AttemptRecovery:
    gate: AgentGate
    _last: datetime | None = None

    async def sweep(self) -> int:
        """At most once a minute; returns how many attempts were settled."""
        now = self.gate.clock.now()
        if self._last is not None and now - self._last < EVERY:
            return 0
        self._last = now
        return await self.settle(now)

    async def settle(self, now: datetime) -> int:
        settled = 0
        async with self.gate.sessions() as session:
            rows = (
                await session.execute(
                    select(ContactAttempt, Call)
                    .outerjoin(Call, Call.id == ContactAttempt.call_id)
                    .where(
                        ContactAttempt.completed_at.is_(None),
                        ContactAttempt.at <= now - STALE_AFTER,
                    )
                )
            ).all()
            for attempt, call in rows:
                if call is None or (call.state in NEVER_PLACED and call.provider_sid is None):
                    await release_unplaced_attempt(session, attempt, now)
                    log.warning(
                        "attempt never placed: contact back on the list", attempt=attempt.id
                    )
                    settled += 1
                elif call.state in TERMINAL and await record_outcome(
                    self.gate, summary_of(call), now
                ):
                    log.warning("lost outcome recorded", attempt=attempt.id, call_id=call.id)
                    settled += 1
        return settled

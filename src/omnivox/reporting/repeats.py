"""Repeat contacts, for first-contact resolution: a handled inbound call is a *repeat*
when the same number had another handled inbound call that ended in the organisation's
``repeat_contact_days`` before it ended, so the earlier contact was not resolved.

"Handled" here is an inbound call an agent took (``agent_id`` set), read from the call
rows alone so one indexed query (``ix_calls_org_from_ended``) answers a whole batch.
The answer depends only on calls that ended earlier, so counting a call when it ends
and rebuilding later agree. Withheld or non-E.164 numbers are never repeats (every
anonymous caller would be the same "number").
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import get_organization
from omnivox.reporting.intervals import as_utc
from omnivox.telephony import Call, Direction

_BATCH = 5000  # calls per statement: their numbers are bound parameters


def _is_number(value: str) -> bool:
    return value.startswith("+") and value[1:].isdigit()


def _handled_inbound(call: Call) -> bool:
    return (
        call.direction == Direction.INBOUND
        and call.agent_id is not None
        and call.ended_at is not None
        and _is_number(call.from_number)
    )


async def repeat_calls(session: AsyncSession, org_id: str, calls: Sequence[Call]) -> set[str]:
    """The ids of ``calls`` that are repeat contacts (one query per batch of calls)."""
    asked = [c for c in calls if _handled_inbound(c)]
    if not asked:
        return set()
    window = timedelta(days=(await get_organization(session, org_id)).repeat_contact_days)
    found: set[str] = set()
    for i in range(0, len(asked), _BATCH):
        found |= await _repeats(session, org_id, asked[i : i + _BATCH], window)
    return found


async def _repeats(
    session: AsyncSession, org_id: str, asked: Sequence[Call], window: timedelta
) -> set[str]:
    ends = [as_utc(c.ended_at) for c in asked if c.ended_at is not None]
    rows = await session.execute(
        select(Call.id, Call.from_number, Call.ended_at).where(
            Call.organization_id == org_id,
            Call.from_number.in_({c.from_number for c in asked}),
            Call.ended_at >= min(ends) - window,
            Call.ended_at < max(ends),
            Call.direction == Direction.INBOUND.value,
            Call.agent_id.is_not(None),
        )
    )
    earlier: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for call_id, number, ended_at in rows:
        if ended_at is not None:  # the range above says so; the column type does not
            earlier[number].append((as_utc(ended_at), call_id))
    for found in earlier.values():
        found.sort()
    repeats: set[str] = set()
    for call in asked:
        assert call.ended_at is not None
        end = as_utc(call.ended_at)
        found = earlier.get(call.from_number, [])
        # Earlier handled calls of this number ending in [end - window, end).
        lo = bisect.bisect_left(found, (end - window, ""))
        hi = bisect.bisect_left(found, (end, ""))
        if any(other != call.id for _, other in found[lo:hi]):
            repeats.add(call.id)
    return repeats

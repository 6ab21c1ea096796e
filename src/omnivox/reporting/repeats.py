"""Repeat contacts, for first-contact resolution: a handled inbound call is a *repeat*
when the same number had another handled inbound call that ended in the organisation's
``repeat_contact_days`` before it ended, so the earlier contact was not resolved.

"Handled" here is an inbound call an agent took (``agent_id`` set), read from the call
rows alone so one statement answers a whole batch, each call an EXISTS probe of the
index ``ix_calls_org_from_ended``.
The answer depends only on calls that ended earlier, so counting a call when it ends
and rebuilding later agree. Withheld or non-E.164 numbers are never repeats (every
anonymous caller would be the same "number").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, DateTime, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from omnivox.accounts import get_organization
from omnivox.telephony import Call, Direction

_BATCH = 5000  # calls per statement: their ids are bound parameters


def _is_number(value: str) -> bool:
    return value.startswith("+") and value[1:].isdigit()


class Candidate(Protocol):
    """What the lookup reads of a call (an ORM row or a selected row)."""

    id: str
    direction: str
    agent_id: str | None
    ended_at: datetime | None
    from_number: str


def _handled_inbound(call: Candidate) -> bool:
    return (
        call.direction == Direction.INBOUND
        and call.agent_id is not None
        and call.ended_at is not None
        and _is_number(call.from_number)
    )


async def repeat_calls(session: AsyncSession, org_id: str, calls: Sequence[Candidate]) -> set[str]:
    """The ids of ``calls`` that are repeat contacts (one statement per batch of calls)."""
    asked = [c.id for c in calls if _handled_inbound(c)]
    if not asked:
        return set()
    days = (await get_organization(session, org_id)).repeat_contact_days
    dialect = (await session.connection()).dialect.name
    prior = aliased(Call)
    # Each asked call probes the index for one earlier handled call of its number in its
    # window, and stops at the first: a number that rings all day costs no more.
    earlier = (
        select(prior.id)
        .where(
            prior.organization_id == Call.organization_id,
            prior.from_number == Call.from_number,
            prior.ended_at >= _days_before(dialect, days),
            prior.ended_at < Call.ended_at,
            prior.direction == Direction.INBOUND.value,
            prior.agent_id.is_not(None),
            prior.id != Call.id,
        )
        .exists()
    )
    # The probe in the select list, not the WHERE: there a planner may turn it into a
    # semi-join that reads every call of a busy number (a hash of all of them) once the
    # batch is large; here it stays one index probe per asked call.
    found: set[str] = set()
    for i in range(0, len(asked), _BATCH):
        rows = await session.execute(
            select(Call.id, earlier).where(
                Call.organization_id == org_id, Call.id.in_(asked[i : i + _BATCH])
            )
        )
        found |= {call_id for call_id, repeat in rows if repeat}
    return found


def _days_before(dialect: str, days: int) -> ColumnElement[Any]:
    """The outer call's ``ended_at`` less ``days``, in SQL. SQLite keeps datetimes as
    text (``YYYY-MM-DD HH:MM:SS.ffffff``); its ``strftime`` gives the same shape to the
    millisecond, which compares as text."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%f", Call.ended_at, f"-{days} days")
    return type_coerce(Call.ended_at, DateTime(timezone=True)) - timedelta(days=days)

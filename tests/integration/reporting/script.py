"""A scripted shift written straight into the raw tables with the domains' own row
classes (calls with their applied state changes, agent state history), so a test knows
every figure by hand."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.agents import AgentStateHistory
from omnivox.telephony import Call, CallEventRow, CallState, EndReason, Trigger

S, T = CallState, Trigger
_seq = itertools.count(1)


@dataclass(frozen=True)
class Inbound:
    """A caller who waits ``wait`` s, then talks (``talk`` s, ``hold`` s of it on hold)
    and is wrapped up in ``wrap`` s, or hangs up (``abandon``)."""

    at: datetime
    wait: float
    talk: float = 0
    hold: float = 0
    wrap: float = 0
    abandon: bool = False
    disposition: str | None = None
    served: bool = False  # served by the system after ``wait`` (a callback booked)
    sale_amount: Decimal | None = None
    number: str = "+14155550100"  # the caller's


@dataclass(frozen=True)
class Outbound:
    """A dial answered after ``ring`` s by a person who talks, is dropped (``abandon``),
    or by a machine (``machine``)."""

    at: datetime
    ring: float
    talk: float = 0
    wrap: float = 0
    machine: bool = False
    abandon: bool = False
    disposition: str | None = None
    sale_amount: Decimal | None = None


def _events(spec: Inbound | Outbound) -> tuple[list[tuple[float, S, T]], S, str | None]:
    """(offset, state entered, trigger) per change; the final state; the end reason."""
    if isinstance(spec, Inbound):
        steps = [(0.0, S.ANSWERED_HUMAN, T.PROVIDER_ANSWERED)]
        if spec.abandon:
            return (
                [*steps, (spec.wait, S.ABANDONED, T.PROVIDER_COMPLETED)],
                S.ABANDONED,
                "abandoned",
            )
        if spec.served:
            steps.append((spec.wait, S.SELF_SERVICE, T.SYSTEM_SERVED))
            return (
                [*steps, (spec.wait + 5, S.COMPLETED, T.PROVIDER_COMPLETED)],
                S.COMPLETED,
                (EndReason.SELF_SERVICE.value),
            )
        t = spec.wait
        steps.append((t, S.CONNECTED, T.AGENT_CONNECTED))
        return _talked(steps, t, spec.talk, spec.hold, spec.wrap)
    steps = [(0.0, S.DIALING, T.DIAL_PLACED)]
    if spec.machine:
        steps.append((spec.ring, S.ANSWERED_MACHINE, T.PROVIDER_ANSWERED_MACHINE))
        return [*steps, (spec.ring + 1, S.COMPLETED, T.SYSTEM_HANGUP)], S.COMPLETED, "machine"
    steps.append((spec.ring, S.ANSWERED_HUMAN, T.PROVIDER_ANSWERED))
    if spec.abandon:
        return [*steps, (spec.ring + 2, S.ABANDONED, T.SYSTEM_HANGUP)], S.ABANDONED, "abandoned"
    steps.append((spec.ring, S.CONNECTED, T.AGENT_CONNECTED))
    return _talked(steps, spec.ring, spec.talk, 0, spec.wrap)


def _talked(
    steps: list[tuple[float, S, T]], t: float, talk: float, hold: float, wrap: float
) -> tuple[list[tuple[float, S, T]], S, str | None]:
    if hold:
        steps += [(t + talk / 2, S.ON_HOLD, T.HOLD), (t + talk / 2 + hold, S.CONNECTED, T.RESUME)]
    end = t + talk + hold
    steps += [(end, S.WRAP_UP, T.PROVIDER_COMPLETED), (end + wrap, S.COMPLETED, T.DISPOSITION)]
    return steps, S.COMPLETED, EndReason.CUSTOMER_HANGUP.value


async def insert_call(
    session: AsyncSession,
    org_id: str,
    spec: Inbound | Outbound,
    *,
    owner: tuple[str, str],
    agent_id: str | None = None,
) -> str:
    """Write the call and its applied changes; returns its id."""
    steps, final, reason = _events(spec)
    at = lambda offset: spec.at + timedelta(seconds=offset)  # noqa: E731
    inbound = isinstance(spec, Inbound)
    ended = next(o for o, s, _ in steps if s in (S.WRAP_UP, S.ABANDONED, S.COMPLETED))
    answered = next((o for o, s, _ in steps if s in (S.ANSWERED_HUMAN, S.ANSWERED_MACHINE)), None)
    talked = any(s is S.CONNECTED for _, s, _ in steps)
    n = next(_seq)
    call = Call(
        organization_id=org_id,
        direction="inbound" if inbound else "outbound",
        owner_kind=owner[0],
        owner_id=owner[1],
        state=final.value,
        provider="sandbox",
        from_number=spec.number if inbound else "+14155550100",
        to_number="+14155550199",
        agent_id=agent_id if talked else None,
        conference_name=f"ovx-test-{org_id}-{n}",
        created_at=spec.at,
        answered_at=at(answered) if answered is not None else None,
        ended_at=at(ended),
        end_reason=reason,
        disposition_code=spec.disposition,
        sale_amount=spec.sale_amount,
    )
    session.add(call)
    await session.flush()
    previous = S.QUEUED if not inbound else S.RINGING
    for offset, state, trigger in steps:
        session.add(
            CallEventRow(
                call_id=call.id,
                organization_id=org_id,
                at=at(offset),
                event=trigger.value,
                trigger=trigger.value,
                from_state=previous.value,
                to_state=state.value,
                applied=True,
                payload={},
            )
        )
        previous = state
    # A refused (late) event is stored too and must not count.
    session.add(
        CallEventRow(
            call_id=call.id,
            organization_id=org_id,
            at=at(1),
            event="hold",
            trigger=T.HOLD.value,
            from_state=final.value,
            to_state=S.ON_HOLD.value,
            applied=False,
            payload={},
        )
    )
    await session.flush()
    return call.id


async def insert_states(
    session: AsyncSession,
    org_id: str,
    user_id: str,
    changes: list[tuple[datetime, str, str | None]],
) -> None:
    """The agent's state history: (at, state entered, break reason)."""
    previous = "offline"
    for seq, (at, state, reason) in enumerate(changes, start=1):
        session.add(
            AgentStateHistory(
                organization_id=org_id,
                user_id=user_id,
                from_state=previous,
                to_state=state,
                reason=reason,
                at=at,
                by="self",
                seq=seq,
            )
        )
        previous = state
    await session.flush()

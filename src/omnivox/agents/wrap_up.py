"""The disposition is required: an agent in wrap-up does not leave it by their own choice
until the call's outcome is saved. The wrap-up timer still ends it (the call is then given
the system disposition ``wrap_up_timeout``, flagged for a supervisor), and a supervisor may
still force the agent's state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.agents import repository
from omnivox.agents.errors import DispositionRequired
from omnivox.agents.fsm import AgentState
from omnivox.telephony import Call, CallState


async def check_disposition_saved(session: AsyncSession, org_id: str, user_id: str) -> None:
    """Raise ``DispositionRequired`` while the agent wraps up a call whose outcome (their
    part's, for a call they transferred away) is not saved yet."""
    status = await repository.find_status(session, org_id, user_id)
    if status is None or status.state != AgentState.WRAP_UP or not status.current_call_id:
        return
    call = await session.scalar(
        select(Call).where(Call.id == status.current_call_id, Call.organization_id == org_id)
    )
    if call is None:
        return
    own = call.agent_id == user_id
    if own and CallState(call.state) is not CallState.WRAP_UP:
        return  # dispositioned, or closed by the wrap-up timer: wrap-up is over
    party = call.to_number if call.direction == "outbound" else call.from_number
    what = "the call" if own else "your part of the call you transferred"
    raise DispositionRequired(
        f"save the disposition of {what} with {party} first: wrap-up ends when its outcome "
        "is saved (or, if none is, when the wrap-up time runs out, flagged for your "
        "supervisor)"
    )

"""Agent state changes: the agent's own, a supervisor's, and the hooks routing and the
dialler call when offering and connecting calls.

Every change goes through :func:`_change`: read the status row, ask the pure machine,
write with a compare-and-set on the row's version (retrying on a lost race), append the
history row, commit, then publish ``agent.state_changed``. Refusals raise
:class:`AgentStateConflict` (409) and change nothing — except :func:`reserve_agent`, which
answers ``False`` so a router can simply try the next candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import record_audit
from omnivox.agents import break_reasons, events, repository
from omnivox.agents.errors import AgentStateConflict
from omnivox.agents.fsm import (
    Actor,
    AgentEvent,
    AgentState,
    CallEnded,
    CallStarted,
    CallWithdrawn,
    FinishWrapUp,
    GoAvailable,
    GoOffline,
    OfferRejected,
    OfferReleased,
    OfferTimedOut,
    OwnCallFailed,
    Rejection,
    Reserve,
    TakeBreak,
    Transition,
    apply,
)
from omnivox.agents.schemas import AgentStateWrite
from omnivox.agents.wrap_up import check_disposition_saved
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.core.security.principal import Principal

log = get_logger(__name__)

#: Compare-and-set attempts before giving up; each loss means another writer just won.
MAX_ATTEMPTS = 5


async def _change(
    session: AsyncSession,
    bus: EventBus,
    org_id: str,
    user_id: str,
    event: AgentEvent,
    *,
    actor_id: str | None = None,
    before_commit: Callable[[Transition], None] | None = None,
) -> Transition:
    """Apply ``event`` to the agent and commit. Commits the session: do not pass one with
    pending work of your own. A refusal leaves the session untouched."""
    for _attempt in range(MAX_ATTEMPTS):
        row = await repository.get_or_create_status(session, org_id, user_id, event.at)
        before = repository.to_snapshot(row)
        result = apply(before, event)
        if isinstance(result, Rejection):
            raise AgentStateConflict(result.detail, reason=result.reason.value)
        if result.after == before:
            await session.commit()  # keeps a just-created status row
            return result
        version = await repository.compare_and_set(session, row, result.after)
        if version is None:
            continue  # another writer won; re-read (populate_existing) and decide again
        if result.entry is not None:
            repository.append_history(session, row, result.entry, version, actor_id)
        if before_commit is not None:
            before_commit(result)
        await session.commit()
        if result.entry is not None:
            await bus.publish(events.state_changed(org_id, user_id, result, actor_id))
        log.info(
            "agent state changed",
            agentId=user_id,
            callId=result.after.call_id or result.released_call_id,
            from_state=before.state.value,
            to_state=result.after.state.value,
            trigger=result.trigger.value,
        )
        return result
    raise AgentStateConflict("the agent's state kept changing; try again", reason="contended")


def _event_for(data: AgentStateWrite, at: datetime, by: Actor) -> AgentEvent:
    if data.state == AgentState.AVAILABLE:
        return GoAvailable(at, by)
    if data.state == AgentState.BREAK:
        assert data.reason is not None
        return TakeBreak(at, data.reason, by)
    return GoOffline(at, by)


# --- people ---------------------------------------------------------------------------------


async def set_own_state(
    session: AsyncSession, bus: EventBus, actor: Principal, data: AgentStateWrite, now: datetime
) -> Transition:
    """The agent chooses available, a break (with an organisation reason) or offline.
    Each is refused in wrap-up until the call's disposition is saved."""
    if data.reason is not None:
        await break_reasons.check_choosable(session, actor.organization_id, data.reason)
    # Offline too: signing off and on again must not be a way round the disposition.
    await check_disposition_saved(session, actor.organization_id, actor.user_id)
    return await _change(
        session,
        bus,
        actor.organization_id,
        actor.user_id,
        _event_for(data, now, Actor.SELF),
        actor_id=actor.user_id,
    )


async def force_state(
    session: AsyncSession,
    bus: EventBus,
    actor: Principal,
    user_id: str,
    data: AgentStateWrite,
    now: datetime,
) -> Transition:
    """A supervisor sets an agent's state (audited). Refused while the agent is on a call;
    from an offer, the offered call is released back to routing (``released_call_id``)."""
    if data.reason is not None:
        await break_reasons.check_choosable(session, actor.organization_id, data.reason)
    action = "agent.logout" if data.state == AgentState.OFFLINE else "agent.force_state"

    def record(transition: Transition) -> None:
        before, after = transition.before, transition.after
        record_audit(
            session,
            actor,
            action,
            "agent",
            user_id,
            before={"state": before.state.value, "reason": before.reason},
            after={"state": after.state.value, "reason": after.reason},
        )

    return await _change(
        session,
        bus,
        actor.organization_id,
        user_id,
        _event_for(data, now, Actor.SUPERVISOR),
        actor_id=actor.user_id or None,
        before_commit=record,
    )


async def log_out_agent(
    session: AsyncSession, bus: EventBus, actor: Principal, user_id: str, now: datetime
) -> Transition:
    offline = AgentStateWrite(state=AgentState.OFFLINE)
    return await force_state(session, bus, actor, user_id, offline, now)


# --- hooks for routing, the dialler and the call service ------------------------------------


async def reserve_agent(
    session: AsyncSession,
    org_id: str,
    user_id: str,
    call_id: str,
    now: datetime,
    *,
    bus: EventBus,
) -> bool:
    """Offer ``call_id`` to an available agent. False if she is not available (or another
    node reserved her first: the compare-and-set makes only one reservation win)."""
    try:
        await _change(session, bus, org_id, user_id, Reserve(now, call_id))
    except AgentStateConflict:
        return False
    return True


async def start_call(
    session: AsyncSession,
    org_id: str,
    user_id: str,
    call_id: str,
    now: datetime,
    *,
    bus: EventBus,
    by: Actor = Actor.SYSTEM,
) -> Transition:
    """reserved -> on_call. ``by=Actor.SELF`` when the agent pressed accept; a repeated
    call (accept, then the connected webhook) is an accepted no-op."""
    return await _change(session, bus, org_id, user_id, CallStarted(now, call_id, by))


async def reject_offer(
    session: AsyncSession, org_id: str, user_id: str, call_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """The agent declined the offer: available again; the call goes back to routing."""
    return await _change(session, bus, org_id, user_id, OfferRejected(now, call_id))


async def release_offer(
    session: AsyncSession, org_id: str, user_id: str, call_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """The offer was withdrawn (caller hung up while ringing): back to available."""
    return await _change(session, bus, org_id, user_id, OfferReleased(now, call_id))


async def time_out_offer(
    session: AsyncSession, org_id: str, user_id: str, call_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """Not accepted in time: break with reason ``missed``, counted; the call returns to
    routing."""
    return await _change(session, bus, org_id, user_id, OfferTimedOut(now, call_id))


async def end_call(
    session: AsyncSession, org_id: str, user_id: str, call_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """on_call -> wrap_up (a duplicate notification is an accepted no-op)."""
    return await _change(session, bus, org_id, user_id, CallEnded(now, call_id))


async def withdraw_call(
    session: AsyncSession, org_id: str, user_id: str, call_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """on_call -> available without wrap-up: the system took the call back (a machine the
    dialler's detection recognised after the agent was connected)."""
    return await _change(session, bus, org_id, user_id, CallWithdrawn(now, call_id))


async def own_call_failed(
    session: AsyncSession, org_id: str, user_id: str, call_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """reserved -> wrap_up: the agent's own call was not answered (busy, no answer);
    they write their notes in wrap-up rather than going straight back to work."""
    return await _change(session, bus, org_id, user_id, OwnCallFailed(now, call_id))


async def settle_unanswered_offer(
    session: AsyncSession,
    org_id: str,
    user_id: str,
    call_id: str,
    now: datetime,
    *,
    refused: bool,
    rang_out: bool,
    bus: EventBus,
) -> Transition:
    """An offered call the agent's softphone did not take: refused (they pressed reject)
    makes them available again; rung out makes them missed (a break, counted); otherwise
    (the offer was withdrawn) available."""
    if refused:
        return await reject_offer(session, org_id, user_id, call_id, now, bus=bus)
    if rang_out:
        return await time_out_offer(session, org_id, user_id, call_id, now, bus=bus)
    return await release_offer(session, org_id, user_id, call_id, now, bus=bus)


async def take_out_for_lost_line(
    session: AsyncSession, org_id: str, user_id: str, reason: str, now: datetime, *, bus: EventBus
) -> Transition:
    """The agent's line dropped: a break with the system reason ``reason`` (an offer they
    were being made goes back to routing)."""
    return await _change(session, bus, org_id, user_id, TakeBreak(now, reason, Actor.SYSTEM))


async def back_from_lost_line(
    session: AsyncSession, org_id: str, user_id: str, now: datetime, *, bus: EventBus
) -> Transition:
    """The agent's line is connected again: available, by the system."""
    return await _change(session, bus, org_id, user_id, GoAvailable(now, Actor.SYSTEM))


async def finish_wrap_up(
    session: AsyncSession,
    org_id: str,
    user_id: str,
    now: datetime,
    *,
    bus: EventBus,
    by: Actor = Actor.SYSTEM,
) -> Transition:
    """wrap_up -> available (disposition submitted, or the wrap-up timer ran out)."""
    return await _change(session, bus, org_id, user_id, FinishWrapUp(now, by))


async def find_available_agents(session: AsyncSession, org_id: str) -> list[str]:
    """User ids of available agents, longest idle first."""
    return [row.user_id for row in await repository.find_available(session, org_id)]


async def get_state(session: AsyncSession, org_id: str, user_id: str) -> AgentState:
    row = await repository.find_status(session, org_id, user_id)
    return AgentState(row.state) if row is not None else AgentState.OFFLINE

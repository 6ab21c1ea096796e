"""Numbers that ring one agent, or go straight to a voicemail box.

An agent's direct line rings them when they are available (reserved like any offer, for
``DIRECT_RING_SECONDS``, the caller hearing hold music meanwhile); when they are not, or
they refuse or miss it, the caller reaches their personal voicemail box, whose messages are
assigned to them. A voicemail number takes a message for a queue's box or a person's box.
Outside business hours both give the closed message first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization, find_user
from omnivox.core.logging import get_logger
from omnivox.media import AudioKind
from omnivox.routing.models import InboundNumber, Queue
from omnivox.telephony import (
    Call,
    CallState,
    Hangup,
    Instruction,
    Owner,
    OwnerKind,
    Say,
    VoiceRequest,
    WebhookKind,
    agent_identity,
)

if TYPE_CHECKING:
    from omnivox.routing.inbound import InboundRouting

log = get_logger(__name__)
DIRECT_RING_SECONDS = 20
UNAVAILABLE = "Sorry, this line is not available. Goodbye."


async def answer(
    routing: InboundRouting,
    session: AsyncSession,
    org: Organization,
    number: InboundNumber,
    request: VoiceRequest,
    *,
    is_open: bool,
) -> Sequence[Instruction]:
    queue = await session.get(Queue, number.target_id)
    user = await find_user(session, number.target_id)
    queue = queue if queue is not None and queue.organization_id == org.id else None
    user = user if user is not None and user.organization_id == org.id else None
    if number.target_kind == "agent":
        queue = None
    if queue is None and user is None:
        log.warning("number has no usable target", number=number.number, target=number.target_id)
        return (Say(text=UNAVAILABLE), Hangup())
    owner = Owner(OwnerKind.QUEUE, queue.id) if queue else Owner(OwnerKind.AGENT, number.target_id)
    call = await routing.svc.accept_inbound_call(org.id, owner, request)
    if not is_open:
        closed = await routing.prompt_for(
            session, org.id, AudioKind.CLOSED_MESSAGE, "We are closed right now."
        )
        return (closed, *await routing.voicemail_steps(session, call))
    if number.target_kind == "agent" and user is not None:
        if await routing.gate.reserve(org.id, user.id, call.id):
            routing.svc.tasks.spawn(_ring(routing, call, user.id), f"direct {call.id}")
            return (routing.waiting.join(call),)
        away = Say(text=f"{user.name or 'The person you called'} is not available right now.")
        return (away, *await routing.voicemail_steps(session, call))
    return await routing.voicemail_steps(session, call)


async def _ring(routing: InboundRouting, call: Call, user_id: str) -> None:
    await routing.svc.legs.add(
        call,
        role="agent",
        target=f"client:{agent_identity(user_id)}",
        user_id=user_id,
        timeout_seconds=DIRECT_RING_SECONDS,
    )


async def is_direct_offer(routing: InboundRouting, call_id: str, agent_id: str) -> Call | None:
    """The direct-line call ``agent_id`` was rung for, if that is what ``call_id`` is."""
    async with routing.svc.sessions() as session:
        call = await session.get(Call, call_id)
    if call is None or call.direction != "inbound" or call.owner_kind != OwnerKind.AGENT.value:
        return None
    return call if call.owner_id == agent_id else None


async def to_voicemail(routing: InboundRouting, call: Call) -> None:
    """The agent did not take their direct call: the caller leaves them a message."""
    async with routing.svc.sessions() as session:
        fresh = await session.get(Call, call.id)
    if fresh is None or CallState(fresh.state) is not CallState.ANSWERED_HUMAN:
        return  # the caller has gone, or someone took it after all
    if fresh.provider_sid:
        url = routing.svc.urls.url(WebhookKind.VOICE, call=call.id, step="voicemail")
        await routing.svc.provider.redirect_call(fresh.provider_sid, url)

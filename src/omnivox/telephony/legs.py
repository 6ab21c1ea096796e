"""Conference legs: agents, supervisors, transfer targets and third parties are dialled
into the call's conference, ended with it, and handed over on transfers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.core.errors import DomainError
from omnivox.core.logging import get_logger
from omnivox.core.tasks import TaskSupervisor
from omnivox.telephony import calls
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.fsm_types import Direction
from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.models import Call, CallLeg
from omnivox.telephony.ports import NewParticipant, TelephonyProvider

log = get_logger(__name__)


async def hang_up_quietly(provider: TelephonyProvider, sid: str) -> None:
    """Hang up a leg that may already have ended (the carrier then refuses; that is fine)."""
    try:
        await provider.hang_up(sid)
    except ProviderError as exc:
        log.info("leg already ended", sid=sid, detail=str(exc))


def participant_label(role: str, leg_id: str) -> str:
    """The leg's conference participant label: unique per leg, since the carrier refuses a
    label an active participant of the same conference already has (Twilio 16025/16026),
    and a call can have two supervisors or transfer targets at once. The customer, who joins
    through TwiML, is labelled ``customer``."""
    return f"{role}-{leg_id}"


#: ``CallLeg.target`` of an agent's line in a call's conference (``telephony/lines.py``).
LINE_PREFIX = "line:"


def is_line_leg(leg: CallLeg) -> bool:
    """The agent's line moved into the call, rather than a leg dialled for it: it is
    given back to the agent when their part ends, never hung up."""
    return leg.target.startswith(LINE_PREFIX)


def agent_identity(user_id: str) -> str:
    """The softphone identity of an agent (Twilio client name)."""
    return f"agent_{user_id}"


def monitor_identity(user_id: str) -> str:
    """The softphone of a supervisor's live floor page: listen, whisper and barge legs
    ring it (and it answers them by itself), never the agent desktop the same person may
    have open."""
    return f"monitor_{user_id}"


@dataclass(frozen=True)
class LegDeps:
    provider: TelephonyProvider
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    urls: HookUrls
    tasks: TaskSupervisor
    # Gives an agent's line back to them (``LineService.release``).
    release_line: Callable[[CallLeg], Awaitable[None]]


class LegService:
    """Conference legs: agents, supervisors, transfer targets and third parties."""

    def __init__(self, deps: LegDeps) -> None:
        self.deps = deps

    async def add(
        self,
        call: Call,
        *,
        role: str,
        target: str,
        user_id: str | None = None,
        muted: bool = False,
        coach_sid: str | None = None,
        timeout_seconds: int = 30,
    ) -> CallLeg:
        """Record the leg, then dial it into the call's conference (ringing at most
        ``timeout_seconds``: for an agent, how long the offer stands)."""
        svc = self.deps
        async with svc.sessions() as session:
            leg = CallLeg(
                call_id=call.id,
                organization_id=call.organization_id,
                role=role,
                target=target,
                user_id=user_id,
                muted=muted,
                coaching=coach_sid is not None,
            )
            session.add(leg)
            await session.commit()
            new = NewParticipant(
                to=target.removeprefix("warm:"),
                from_=call.from_number
                if call.direction == Direction.OUTBOUND.value
                else call.to_number,
                label=participant_label(role, leg.id),
                muted=muted,
                coaching=coach_sid is not None,
                call_sid_to_coach=coach_sid,
                status_callback_url=svc.urls.leg_status(leg.id),
                conference_status_callback_url=svc.urls.conference(call.id),
                timeout_seconds=timeout_seconds,
            )
            try:
                participant = await svc.provider.add_participant(call.conference_name, new)
            except ProviderError as exc:
                leg.status, leg.left_at = "left", svc.clock.now()
                await session.commit()
                raise CallActionFailed(f"the carrier refused to add {role}: {exc}") from exc
            leg.provider_sid = leg.provider_sid or participant.call_sid
            await session.commit()
            call_row = await session.get(Call, call.id)
            if call_row is not None and not call_row.conference_sid:
                conference_sid = participant.conference_sid

                def set_conference(c: Call) -> None:
                    c.conference_sid = c.conference_sid or conference_sid

                await calls.patch_call(session, call_row, set_conference)
            return leg

    async def legs(self, call_id: str, *, live_only: bool = True) -> list[CallLeg]:
        async with self.deps.sessions() as session:
            query = select(CallLeg).where(CallLeg.call_id == call_id)
            if live_only:
                query = query.where(CallLeg.status != "left")
            return list((await session.scalars(query.order_by(CallLeg.joined_at))).all())

    async def hang_up_leg(self, leg: CallLeg) -> None:
        if is_line_leg(leg):
            await self.deps.release_line(leg)
        elif leg.provider_sid:
            await hang_up_quietly(self.deps.provider, leg.provider_sid)

    async def end_all(self, call: Call) -> None:
        for leg in await self.legs(call.id):
            await self.hang_up_leg(leg)

    async def drop_previous_agents(self, call: Call, keep_leg: str) -> None:
        """After a transfer completes, the new agent's leg becomes the agent leg and the
        others leave; they are marked first so their leaving is not read as a hang-up."""
        async with self.deps.sessions() as session:
            legs = (
                await session.scalars(
                    select(CallLeg).where(
                        CallLeg.call_id == call.id,
                        CallLeg.status != "left",
                        CallLeg.role.in_(["agent", "transfer_target"]),
                    )
                )
            ).all()
            for leg in legs:
                if leg.id == keep_leg:
                    leg.target = leg.target.removeprefix("warm:")
                    leg.role = "agent" if leg.user_id else "transfer_target"
                else:
                    leg.role = "former_agent"
            await session.commit()
        for leg in legs:
            if leg.id != keep_leg:
                await self.hang_up_leg(leg)


class CallActionFailed(DomainError):
    code = "carrier-refused"
    status = 502
    title = "The carrier refused the request"

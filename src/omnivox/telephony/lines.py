"""The agent's line: the softphone leg an agent's browser holds for the whole session.

A call must reach a ready agent within two seconds of the customer's answer (the
safe-harbour rule). Ringing the agent's browser and waiting for a click cannot promise
that; a leg that is already up can. So, as VICIdial keeps each agent on an open
conference, Omnivox keeps one line per agent:

* **request** — the desktop asks for its line once its softphone is registered (page
  load, reconnect, going available). The carrier dials ``client:agent_<id>?ovx_line=<n>``
  from :data:`LINE_FROM`; the browser answers a call marked so by itself. Answered, the
  line waits, silent, in the agent's own conference ``line-<user id>`` (``connected``,
  :class:`LineConnected`). Each dial is a new *generation* of the line's row: webhooks
  about an older one are stale and change nothing.
* **bridge** — a call for the agent (a dialler answer, their own outbound call, an
  auto-answer queue) moves the line into the call's conference ``ovx-<call id>`` by
  updating the live line call with new instructions: no ringing, no click. The line's
  arrival in that conference (a participant-join) connects the agent as a rung leg's
  answer does, so hold, transfer, mute and supervision work unchanged.
* **back** — when the call's conference ends, the line's ``<Dial>`` action answers with the
  agent's own conference again; when Omnivox ends the agent's part first (their hang-up, a
  transfer, a machine taken back) it moves the line back itself (:meth:`release`).
* **drop** — the line's status callback says it ended (browser closed or reloaded, network
  gone, never answered): ``dropped``, :class:`LineDropped`. The customer's call lives in
  its own conference and carries on; a line requested again while the agent still has a
  live call goes straight back into that call (a reload mid-call drops nobody).

What the agent's state does when the line drops is the agents domain's business (it
subscribes to the events); what happens to a call whose agent does not come back is
:mod:`.line_watch`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omnivox.core.clock import Clock
from omnivox.core.events import EventBus
from omnivox.core.logging import get_logger
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.events import LineConnected, LineDropped, line_audience
from omnivox.telephony.fsm_types import (
    ProviderStatus,
)
from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.instructions import Dial, DialConference, Hangup, Instruction
from omnivox.telephony.legs import (
    LINE_PREFIX,
    agent_identity,
    hang_up_quietly,
    is_line_leg,
    participant_label,
)
from omnivox.telephony.line_rows import (
    LineStatus,
    LineView,
    call_is_over,
    call_needing_line,
    find_line,
    new_line_leg,
    own_conference,
    patch_line,
    view_of,
)
from omnivox.telephony.models import AgentLine, Call, CallLeg
from omnivox.telephony.ports import (
    FINAL_PROVIDER_STATUSES,
    OutboundCall,
    StatusCallbackEvent,
    TelephonyProvider,
)

log = get_logger(__name__)

LINE_FROM = "client:omnivox_line"  # who the line "comes from", as the browser sees it
LINE_PARAM = "ovx_line"  # the custom parameter that marks a call as the line
LINE_RING_SECONDS = 20  # a browser that does not answer its line in this time has none
LINE_TIME_LIMIT_SECONDS = 12 * 3600  # a shift (Twilio's default limit would be 4 h)
CONFERENCE_EVENTS = ("start", "end", "join", "leave")
_DROP_REASONS = {
    ProviderStatus.NO_ANSWER: "not_answered",
    ProviderStatus.BUSY: "refused",
    ProviderStatus.CANCELED: "canceled",
    ProviderStatus.FAILED: "failed",
    ProviderStatus.COMPLETED: "ended",
}


@dataclass(frozen=True)
class LineDeps:
    provider: TelephonyProvider
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    urls: HookUrls
    bus: EventBus


class LineService:
    """Agents' lines: dial, bridge into calls, give back, notice drops."""

    def __init__(self, deps: LineDeps) -> None:
        self.deps = deps

    # --- reading -------------------------------------------------------------------------

    async def find(self, org_id: str, user_id: str) -> LineView | None:
        async with self.deps.sessions() as session:
            line = await find_line(session, org_id, user_id)
            return view_of(line) if line is not None else None

    # --- the agent's side ----------------------------------------------------------------

    async def request(self, org_id: str, user_id: str, *, holding: str | None) -> LineView:
        """Give the agent a line. ``holding``: the line call the browser still has (None
        after a reload). A connected line the browser holds is kept; any other is replaced:
        the old one is hung up (its webhooks are stale from now on) and a new one dialled."""
        d, now = self.deps, self.deps.clock.now()
        async with d.sessions() as session:
            line = await find_line(session, org_id, user_id, lock=True)
            if line is None:
                line = AgentLine(
                    organization_id=org_id, user_id=user_id, status=LineStatus.OFF.value
                )
                session.add(line)
                try:
                    await session.commit()
                except IntegrityError:  # the same agent's other tab asked at the same time
                    await session.rollback()
                    line = await find_line(session, org_id, user_id, lock=True)
                    assert line is not None
            if line.status == LineStatus.CONNECTED and holding and line.provider_sid == holding:
                return view_of(line)
            live = line.status in (LineStatus.CONNECTING, LineStatus.CONNECTED)
            old_sid = line.provider_sid if live else None

            def renew(row: AgentLine) -> None:
                row.generation += 1
                row.status = LineStatus.CONNECTING.value
                row.provider_sid, row.call_id, row.requested_at = None, None, now
                row.drop_reason = None

            await patch_line(session, line, renew)
            line_id, gen = line.id, line.generation
        if old_sid:
            await hang_up_quietly(d.provider, old_sid)
        request = OutboundCall(
            to=f"client:{agent_identity(user_id)}?{LINE_PARAM}={gen}",
            from_=LINE_FROM,
            url=d.urls.line_voice(line_id, gen),
            status_callback_url=d.urls.line_status(line_id, gen),
            status_events=(StatusCallbackEvent.ANSWERED, StatusCallbackEvent.COMPLETED),
            timeout_seconds=LINE_RING_SECONDS,
            time_limit_seconds=LINE_TIME_LIMIT_SECONDS,
        )
        try:
            placed = await d.provider.place_call(request)
        except ProviderError as exc:
            log.warning("the carrier refused the agent's line", agentId=user_id, error=str(exc))
            dropped = await self._drop(line_id, gen, "carrier_refused")
            return dropped or LineView(user_id, LineStatus.DROPPED, None, None, now)
        return await self._learn_sid(line_id, gen, placed.sid)

    async def hang_up(self, org_id: str, user_id: str) -> None:
        """The agent went offline: the line is hung up (announced as dropped, ``offline``)."""
        async with self.deps.sessions() as session:
            line = await find_line(session, org_id, user_id, lock=True)
            if line is None or line.status not in (LineStatus.CONNECTING, LineStatus.CONNECTED):
                return
            sid, was_call = line.provider_sid, line.call_id
            now = self.deps.clock.now()

            def off(row: AgentLine) -> None:
                row.status, row.dropped_at, row.drop_reason = LineStatus.OFF.value, now, "offline"
                row.call_id = None

            await patch_line(session, line, off)
        if sid:
            await hang_up_quietly(self.deps.provider, sid)
        await self._announce_drop(org_id, user_id, "offline", was_call)

    # --- calls ----------------------------------------------------------------------------

    async def bridge(self, call: Call, user_id: str) -> CallLeg | None:
        """Move the agent's connected line into ``call``'s conference; the leg, or None
        when the agent has no line to move (then the caller rings them instead, or tries
        someone else). A carrier that no longer knows the line drops it."""
        d = self.deps
        async with d.sessions() as session:
            fresh = await session.get(Call, call.id, populate_existing=True)
            if fresh is None or call_is_over(fresh):
                return None  # a line moved into an ended call's conference would wait there
            line = await find_line(session, call.organization_id, user_id, lock=True)
            if line is None or line.status != LineStatus.CONNECTED or not line.provider_sid:
                return None
            if line.call_id not in (None, call.id):
                other = await session.get(Call, line.call_id)
                if other is not None and not call_is_over(other):
                    return None  # busy on another call
            sid, line_id, gen = line.provider_sid, line.id, line.generation
            # The leg and the line's move, in one transaction (the answer is waiting): the
            # line claimed only if nobody changed it since it was read.
            leg = await new_line_leg(session, call, user_id, sid, commit=False)
            claimed = await session.execute(
                update(AgentLine)
                .where(AgentLine.id == line_id, AgentLine.version == line.version)
                .values(call_id=call.id, version=line.version + 1)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return None
            await session.commit()
            leg_id = leg.id
        try:
            await d.provider.instruct_call(sid, (self._into_call(call, leg_id, line_id, gen),))
        except ProviderError as exc:
            log.warning("the agent's line could not be moved", agentId=user_id, error=str(exc))
            await self._leg_left(leg_id)
            await self._drop(line_id, gen, "gone")
            return None
        return leg

    async def release(self, leg: CallLeg) -> None:
        """The agent's part of the call is over: their line goes back to their own
        conference (never hung up: it is theirs for the session)."""
        sid = leg.target.removeprefix(LINE_PREFIX)
        async with self.deps.sessions() as session:
            line = await session.scalar(
                select(AgentLine).where(
                    AgentLine.organization_id == leg.organization_id,
                    AgentLine.user_id == (leg.user_id or ""),
                )
            )
            if (
                line is None
                or line.status != LineStatus.CONNECTED
                or line.provider_sid != sid
                or line.call_id != leg.call_id
            ):
                return  # dropped, replaced, or already back

            def back(row: AgentLine) -> None:
                row.call_id = None

            await patch_line(session, line, back)
            user_id = line.user_id
        try:
            await self.deps.provider.instruct_call(sid, (self._own(user_id),))
        except ProviderError as exc:  # it ended meanwhile: its status callback says so
            log.info("line not moved back", agentId=user_id, error=str(exc))

    # --- webhooks -------------------------------------------------------------------------

    async def answered(self, line_id: str, gen: int, sid: str) -> tuple[Instruction, ...]:
        """The browser answered its line: into the agent's own conference, or straight back
        into the live call the agent still has (a reload or a network blip mid-call)."""
        d, now = self.deps, self.deps.clock.now()
        async with d.sessions() as session:
            line = await session.get(AgentLine, line_id)
            if line is None or line.generation != gen or line.status != LineStatus.CONNECTING:
                return (Hangup(),)  # an old or unwanted line
            call = await call_needing_line(session, line.organization_id, line.user_id)
            leg = await new_line_leg(session, call, line.user_id, sid) if call else None
            call_id = call.id if call is not None else None

            def connected(row: AgentLine) -> None:
                row.status, row.provider_sid = LineStatus.CONNECTED.value, sid
                row.connected_at, row.call_id = now, call_id
                row.dropped_at = row.drop_reason = None

            await patch_line(session, line, connected)
            org_id, user_id = line.organization_id, line.user_id
        log.info("agent's line connected", agentId=user_id, callId=call_id)
        await d.bus.publish(
            LineConnected(
                audience=line_audience(org_id, user_id), at=now, user_id=user_id, call_id=call_id
            )
        )
        if call is not None and leg is not None:
            return (self._into_call(call, leg.id, line_id, gen),)
        return (self._own(user_id),)

    async def status(
        self, line_id: str, gen: int, status: ProviderStatus, sid: str
    ) -> LineView | None:
        """The line call's progress; the view of a line that just dropped, else None."""
        if status not in FINAL_PROVIDER_STATUSES:
            if status is ProviderStatus.IN_PROGRESS:
                await self._learn_sid(line_id, gen, sid)
            return None
        return await self._drop(line_id, gen, _DROP_REASONS.get(status, status.value))

    async def back(self, line_id: str, gen: int, call_id: str) -> tuple[Instruction, ...]:
        """The call's conference ended under the line (its Dial action): home again."""
        async with self.deps.sessions() as session:
            line = await session.get(AgentLine, line_id)
            if line is None or line.generation != gen or line.status != LineStatus.CONNECTED:
                return (Hangup(),)
            if line.call_id == call_id:

                def home(row: AgentLine) -> None:
                    row.call_id = None

                await patch_line(session, line, home)
            return (self._own(line.user_id),)

    async def reconcile(self) -> int:
        """At start-up: lines the carrier no longer has (a restart loses the browsers'
        legs with the sandbox; with Twilio they may still be up) are dropped."""
        async with self.deps.sessions() as session:
            rows = list(
                await session.scalars(
                    select(AgentLine).where(
                        AgentLine.status.in_(
                            [LineStatus.CONNECTING.value, LineStatus.CONNECTED.value]
                        )
                    )
                )
            )
        dropped = 0
        for line in rows:
            record = None
            if line.provider_sid:
                try:
                    record = await self.deps.provider.fetch_call(line.provider_sid)
                except ProviderError as exc:
                    log.warning("line not reconciled", agentId=line.user_id, error=str(exc))
                    continue
            gone = record is None or record.is_final
            if gone and await self._drop(line.id, line.generation, "lost_on_restart"):
                dropped += 1
        return dropped

    # --- inside ---------------------------------------------------------------------------

    def _own(self, user_id: str) -> Dial:
        return Dial(
            targets=(
                DialConference(
                    name=own_conference(user_id),
                    start_conference_on_enter=True,
                    end_conference_on_exit=True,
                    wait_url="",
                ),
            ),
            time_limit_seconds=LINE_TIME_LIMIT_SECONDS,
        )

    def _into_call(self, call: Call, leg_id: str, line_id: str, gen: int) -> Dial:
        urls = self.deps.urls
        return Dial(
            targets=(
                DialConference(
                    name=call.conference_name,
                    start_conference_on_enter=True,
                    end_conference_on_exit=False,
                    wait_url="",
                    status_callback_url=urls.conference(call.id),
                    status_callback_events=CONFERENCE_EVENTS,
                    participant_label=participant_label("agent", leg_id),
                ),
            ),
            action_url=urls.line_back(line_id, gen, call.id),
            time_limit_seconds=LINE_TIME_LIMIT_SECONDS,
        )

    async def _learn_sid(self, line_id: str, gen: int, sid: str) -> LineView:
        async with self.deps.sessions() as session:
            line = await session.get(AgentLine, line_id)
            assert line is not None
            if line.generation == gen and not line.provider_sid:

                def learn(row: AgentLine) -> None:
                    row.provider_sid = row.provider_sid or sid

                await patch_line(session, line, learn)
            return view_of(line)

    async def _drop(self, line_id: str, gen: int, reason: str) -> LineView | None:
        """Mark the line dropped (once per generation) and announce it."""
        now = self.deps.clock.now()
        async with self.deps.sessions() as session:
            line = await session.get(AgentLine, line_id)
            if (
                line is None
                or line.generation != gen
                or line.status not in (LineStatus.CONNECTING, LineStatus.CONNECTED)
            ):
                return None
            was_call = line.call_id

            def dropped(row: AgentLine) -> None:
                row.status, row.dropped_at, row.drop_reason = LineStatus.DROPPED.value, now, reason
                row.call_id = None

            await patch_line(session, line, dropped)
            view = view_of(line)
            org_id, user_id = line.organization_id, line.user_id
        log.info("agent's line dropped", agentId=user_id, callId=was_call, reason=reason)
        await self._announce_drop(org_id, user_id, reason, was_call)
        return LineView(user_id, view.status, view.provider_sid, was_call, now, reason)

    async def _announce_drop(
        self, org_id: str, user_id: str, reason: str, call_id: str | None
    ) -> None:
        await self.deps.bus.publish(
            LineDropped(
                audience=line_audience(org_id, user_id),
                at=self.deps.clock.now(),
                user_id=user_id,
                reason=reason,
                call_id=call_id,
            )
        )

    async def _leg_left(self, leg_id: str) -> None:
        async with self.deps.sessions() as session:
            leg = await session.get(CallLeg, leg_id)
            if leg is not None and leg.status != "left":
                leg.status, leg.left_at, leg.provider_sid = "left", self.deps.clock.now(), None
                await session.commit()


__all__ = [
    "LINE_FROM",
    "LINE_PARAM",
    "LineDeps",
    "LineService",
    "LineStatus",
    "LineView",
    "call_is_over",
    "is_line_leg",
    "own_conference",
]

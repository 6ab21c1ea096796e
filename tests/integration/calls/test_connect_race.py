"""The customer's and the agent's conference joins cross: both webhooks see both in the
room and both decide the agent is connected. The call connects once, and its history says
so once (CI caught a second, refused ``agent_connected`` row in a predictive run)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony import calls
from omnivox.telephony.fsm_types import (
    AgentConnected,
    CallState,
    Direction,
    Owner,
    OwnerKind,
    ProviderCallStatus,
    ProviderStatus,
)
from omnivox.telephony.models import Call, CallEventRow
from omnivox.telephony.runtime import TelephonyRuntime

CONNECTING = frozenset({CallState.ANSWERED_HUMAN})


async def _answered_call(env: Env, org: str, agent: str) -> str:
    runtime: TelephonyRuntime = env.app.state.telephony  # type: ignore[attr-defined]
    svc = runtime.service
    async with env.sessions() as s:
        call = calls.new_call(
            "sandbox",
            org,
            Owner(OwnerKind.AGENT, agent),
            Direction.OUTBOUND,
            env.clock.now(),
            to="+14155550100",
            from_="+14155550199",
        )
        s.add(call)
        await s.commit()
        answered = ProviderCallStatus(at=env.clock.now(), status=ProviderStatus.IN_PROGRESS)
        await svc.apply_and_announce(s, call, answered)
        assert call.state == CallState.ANSWERED_HUMAN.value
        return call.id


async def _history(env: Env, call_id: str) -> list[tuple[str | None, bool]]:
    async with env.sessions() as s:
        rows = await s.scalars(
            select(CallEventRow).where(CallEventRow.call_id == call_id).order_by(CallEventRow.id)
        )
        return [(r.trigger, r.applied) for r in rows]


async def _crossing(env: Env, guard: frozenset[CallState] | None) -> tuple[str, Any, Any]:
    """Two webhooks that both loaded the answered call apply AgentConnected, one after
    the other: the call's id and what each got."""
    org = await env.org("acme")
    agent = await env.user(org, "alex@acme.example.com", Role.AGENT)
    call_id = await _answered_call(env, org, agent)
    svc = env.app.state.telephony.service  # type: ignore[attr-defined]
    connect = AgentConnected(at=env.clock.now(), agent_id=agent)
    async with env.sessions() as first, env.sessions() as second:
        mine = await first.get(Call, call_id)
        theirs = await second.get(Call, call_id)
        assert mine is not None and theirs is not None
        won = await svc.apply_and_announce(first, mine, connect, only_from=guard)
        lost = await svc.apply_and_announce(second, theirs, connect, only_from=guard)
    return call_id, won, lost


async def test_crossing_joins_connect_the_agent_once(env: Env) -> None:
    call_id, won, lost = await _crossing(env, CONNECTING)
    assert won.to_state is CallState.CONNECTED
    assert lost.state is CallState.CONNECTED  # the loser saw the winner's result
    triggers = [t for t, _ in await _history(env, call_id) if t == "agent_connected"]
    assert triggers == ["agent_connected"]


async def test_without_the_guard_the_loser_records_a_refusal(env: Env) -> None:
    """What the guard prevents: a provider event is always recorded, even when refused."""
    call_id, _won, _lost = await _crossing(env, None)
    assert [a for t, a in await _history(env, call_id) if t == "agent_connected"] == [True, False]

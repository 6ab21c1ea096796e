"""The hooks routing and the dialler call (reserve, accept, reject, timeout, end, wrap-up)
and the time-in-state report, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.support import Env

from omnivox.agents import service
from omnivox.agents.errors import AgentStateConflict
from omnivox.agents.fsm import Actor
from omnivox.agents.models import AgentStateHistory, AgentStatus
from omnivox.core.events import DomainEvent, InProcessBus
from omnivox.core.security.permissions import Role


async def _available_agent(env: Env) -> tuple[str, str, dict[str, str], dict[str, str]]:
    org = await env.org("acme")
    agent = await env.user(org, "agent@acme.example.com", Role.AGENT)
    await env.user(org, "sup@acme.example.com", Role.SUPERVISOR)
    headers = await env.token("agent@acme.example.com")
    sup = await env.token("sup@acme.example.com")
    resp = await env.client.put(
        "/api/v1/agents/me/state", json={"state": "available"}, headers=headers
    )
    assert resp.status_code == 200
    return org, agent, headers, sup


def _collector(bus: InProcessBus) -> list[DomainEvent]:
    seen: list[DomainEvent] = []

    async def collect(event: DomainEvent) -> None:
        seen.append(event)

    bus.subscribe(DomainEvent, collect, remote=True)
    return seen


async def test_a_full_call_cycle(env: Env) -> None:
    org, agent, headers, _ = await _available_agent(env)
    bus = InProcessBus()
    seen = _collector(bus)
    now = env.clock.now
    async with env.sessions() as s:
        assert await service.find_available_agents(s, org) == [agent]
        assert await service.reserve_agent(s, org, agent, "CA1", now(), bus=bus)
        assert not await service.reserve_agent(s, org, agent, "CA2", now(), bus=bus)
        assert await service.find_available_agents(s, org) == []
        await service.start_call(s, org, agent, "CA1", now(), bus=bus, by=Actor.SELF)
        await service.start_call(s, org, agent, "CA1", now(), bus=bus)  # connected webhook
        with pytest.raises(AgentStateConflict):
            await service.end_call(s, org, agent, "CA-old", now(), bus=bus)
        await service.end_call(s, org, agent, "CA1", now(), bus=bus)
        await service.end_call(s, org, agent, "CA1", now(), bus=bus)  # duplicate hang-up
        await service.finish_wrap_up(s, org, agent, now(), bus=bus)
    assert [(e.data["state"], e.data["call_id"]) for e in seen] == [
        ("reserved", "CA1"),
        ("on_call", "CA1"),
        ("wrap_up", "CA1"),
        ("available", None),
    ]
    state = (await env.client.get("/api/v1/agents/me/state", headers=headers)).json()
    assert state["state"] == "available" and state["current_call_id"] is None


async def test_missed_offer_marks_the_agent_and_returns_the_call(env: Env) -> None:
    org, agent, headers, _ = await _available_agent(env)
    bus = InProcessBus()
    seen = _collector(bus)
    async with env.sessions() as s:
        assert await service.reserve_agent(s, org, agent, "CA1", env.clock.now(), bus=bus)
        await env.clock.advance(20)
        await service.time_out_offer(s, org, agent, "CA1", env.clock.now(), bus=bus)
    event = seen[-1]
    assert event.data["state"] == "break" and event.data["reason"] == "missed"
    assert event.data["released_call_id"] == "CA1" and event.data["missed_count"] == 1
    state = (await env.client.get("/api/v1/agents/me/state", headers=headers)).json()
    assert (state["state"], state["reason"], state["missed_count"]) == ("break", "missed", 1)
    resp = await env.client.put(
        "/api/v1/agents/me/state", json={"state": "available"}, headers=headers
    )
    assert resp.status_code == 200 and resp.json()["missed_count"] == 1
    async with env.sessions() as s:
        assert await service.reserve_agent(s, org, agent, "CA2", env.clock.now(), bus=bus)
        await service.reject_offer(s, org, agent, "CA2", env.clock.now(), bus=bus)
        assert seen[-1].data["released_call_id"] == "CA2" and seen[-1].data["by"] == "self"
        assert await service.reserve_agent(s, org, agent, "CA3", env.clock.now(), bus=bus)
        await service.release_offer(s, org, agent, "CA3", env.clock.now(), bus=bus)
        assert seen[-1].data["state"] == "available"


async def test_two_nodes_reserving_at_once_only_one_wins(env: Env) -> None:
    org, agent, _, _ = await _available_agent(env)
    bus = InProcessBus()

    async def attempt(call_id: str) -> bool:
        async with env.sessions() as s:  # one session per "node"
            return await service.reserve_agent(s, org, agent, call_id, env.clock.now(), bus=bus)

    results = await asyncio.gather(*(attempt(f"CA{i}") for i in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    async with env.sessions() as s:
        row = await s.scalar(select(AgentStatus).where(AgentStatus.user_id == agent))
        assert row is not None and row.state == "reserved"
        winner = f"CA{results.index(True)}"
        assert row.current_call_id == winner
        reserved = (
            await s.scalars(
                select(AgentStateHistory).where(AgentStateHistory.to_state == "reserved")
            )
        ).all()
    assert [h.call_id for h in reserved] == [winner]


async def test_time_in_state_is_computed_from_history(env: Env) -> None:
    org, agent, headers, sup = await _available_agent(env)
    start = env.clock.now()
    bus = InProcessBus()
    await env.clock.advance(60)  # available 60 s
    async with env.sessions() as s:
        await service.reserve_agent(s, org, agent, "CA1", env.clock.now(), bus=bus)
        await env.clock.advance(10)  # reserved 10 s
        await service.start_call(s, org, agent, "CA1", env.clock.now(), bus=bus)
        await env.clock.advance(120)  # on call 120 s
        await service.end_call(s, org, agent, "CA1", env.clock.now(), bus=bus)
        await env.clock.advance(30)  # wrap-up 30 s
    put = await env.client.put(
        "/api/v1/agents/me/state", json={"state": "break", "reason": "lunch"}, headers=headers
    )
    assert put.status_code == 200
    await env.clock.advance(300)  # lunch 300 s, still running at "now"
    params: dict[str, Any] = {
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
    }
    report = (
        await env.client.get("/api/v1/agents/time-in-state", params=params, headers=sup)
    ).json()
    row = next(a for a in report["agents"] if a["user_id"] == agent)
    assert row["seconds"] == {
        "available": 60,
        "reserved": 10,
        "on_call": 120,
        "wrap_up": 30,
        "break": 300,
    }
    assert row["break_seconds"] == {"lunch": 300}
    # A window starting mid-call: the opening state comes from the history before it.
    mid = start + timedelta(seconds=100)
    params = {"start": mid.isoformat(), "end": (mid + timedelta(seconds=100)).isoformat()}
    report = (
        await env.client.get("/api/v1/agents/time-in-state", params=params, headers=sup)
    ).json()
    row = next(a for a in report["agents"] if a["user_id"] == agent)
    assert row["seconds"] == {"on_call": 90, "wrap_up": 10}
    sup_row = next(a for a in report["agents"] if a["user_id"] != agent)
    assert sup_row["seconds"] == {"offline": 100}

"""Agent states over HTTP on SQLite and PostgreSQL: own state, supervisor force and logout,
the live list, break reasons, history, and the events that announce each change."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.support import Env

from omnivox.accounts.models import AuditEntry
from omnivox.agents import service
from omnivox.agents.errors import AgentNotFound
from omnivox.agents.models import AgentStateHistory
from omnivox.core.events import AudienceKind, DomainEvent
from omnivox.core.security.permissions import Role
from omnivox.reporting.events import WallboardUpdated

ME = "/api/v1/agents/me/state"


class Team:
    """An organisation with an agent and a supervisor, their API headers, and the bus."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.events: list[DomainEvent] = []

    async def setup(self, slug: str = "acme") -> Team:
        self.org = await self.env.org(slug)
        self.agent = await self.env.user(self.org, f"agent@{slug}.example.com", Role.AGENT)
        self.sup = await self.env.user(self.org, f"sup@{slug}.example.com", Role.SUPERVISOR)
        self.a = await self.env.token(f"agent@{slug}.example.com")
        self.s = await self.env.token(f"sup@{slug}.example.com")

        async def collect(event: DomainEvent) -> None:
            # The agents' own announcements; a wallboard rebuilt meanwhile (after half a
            # second of wall clock, so only on a slow run) is not what these tests read.
            if not isinstance(event, WallboardUpdated):
                self.events.append(event)

        self.bus.subscribe(DomainEvent, collect, remote=True)
        return self

    @property
    def bus(self) -> Any:
        return self.env.app.state.omnivox.bus  # type: ignore[attr-defined]

    async def put(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        return await self.env.client.put(path, json=body, headers=headers)


async def test_agent_goes_available_and_everyone_concerned_hears_it(env: Env) -> None:
    t = await Team(env).setup()
    first = (await env.client.get(ME, headers=t.a)).json()
    assert first["state"] == "offline" and first["since"] is None
    resp = await t.put(ME, {"state": "available"}, t.a)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["state"] == "available" and body["seconds_in_state"] == 0
    async with env.sessions() as s:
        rows = (await s.scalars(select(AgentStateHistory))).all()
    assert [(r.from_state, r.to_state, r.by, r.user_id) for r in rows] == [
        ("offline", "available", "self", t.agent)
    ]
    [event] = t.events
    assert event.name == "agent.state_changed"
    assert event.audience.kind is AudienceKind.USER and event.audience.user_id == t.agent
    assert event.audience.organization_id == t.org
    assert event.audience.permission == "agents:supervise"
    assert event.data["state"] == "available" and event.data["previous_state"] == "offline"
    await env.clock.advance(75)
    listed = (await env.client.get("/api/v1/agents", headers=t.s)).json()
    mine = next(a for a in listed if a["user_id"] == t.agent)
    assert mine["state"] == "available" and mine["seconds_in_state"] == 75


async def test_breaks_need_an_organisation_reason(env: Env) -> None:
    t = await Team(env).setup()
    for reason in ("smoking", "missed"):
        resp = await t.put(ME, {"state": "break", "reason": reason}, t.a)
        assert resp.status_code == 422 and resp.json()["code"] == "unknown-break-reason"
    resp = await t.put(ME, {"state": "break"}, t.a)
    assert resp.status_code == 422
    resp = await t.put(ME, {"state": "break", "reason": "Lunch"}, t.a)
    assert resp.status_code == 200 and resp.json()["reason"] == "lunch"
    assert t.events[-1].data["reason"] == "lunch"


async def test_an_agent_on_a_call_cannot_leave_it_even_when_forced(env: Env) -> None:
    t = await Team(env).setup()
    await t.put(ME, {"state": "available"}, t.a)
    async with env.sessions() as s:
        assert await service.reserve_agent(s, t.org, t.agent, "CA1", env.clock.now(), bus=t.bus)
        await service.start_call(s, t.org, t.agent, "CA1", env.clock.now(), bus=t.bus)
    resp = await t.put(ME, {"state": "offline"}, t.a)
    assert resp.status_code == 409 and resp.json()["code"] == "agent-state-conflict"
    resp = await t.put(f"/api/v1/agents/{t.agent}/state", {"state": "available"}, t.s)
    assert resp.status_code == 409
    state = (await env.client.get(ME, headers=t.a)).json()
    assert state["state"] == "on_call" and state["current_call_id"] == "CA1"


async def test_supervisor_forces_a_break_and_logs_out_with_audit(env: Env) -> None:
    t = await Team(env).setup()
    await t.put(ME, {"state": "available"}, t.a)
    resp = await t.put(
        f"/api/v1/agents/{t.agent}/state", {"state": "break", "reason": "meeting"}, t.s
    )
    assert resp.status_code == 200 and resp.json()["state"] == "break"
    resp = await env.client.post(f"/api/v1/agents/{t.agent}/logout", headers=t.s)
    assert resp.status_code == 200 and resp.json()["state"] == "offline"
    async with env.sessions() as s:
        audits = (
            await s.scalars(select(AuditEntry).where(AuditEntry.entity_type == "agent"))
        ).all()
    assert sorted(a.action for a in audits) == ["agent.force_state", "agent.logout"]
    assert all(a.actor_id == t.sup and a.entity_id == t.agent for a in audits)
    assert [e.data["by"] for e in t.events] == ["self", "supervisor", "supervisor"]
    assert t.events[-1].data["actor_id"] == t.sup
    history = (await env.client.get(f"/api/v1/agents/{t.agent}/history", headers=t.s)).json()
    assert [(h["to_state"], h["by"]) for h in history] == [
        ("available", "self"),
        ("break", "supervisor"),
        ("offline", "supervisor"),
    ]


async def test_supervisors_cannot_reach_another_organisations_agents(env: Env) -> None:
    t = await Team(env).setup()
    other = await env.org("other")
    victim = await env.user(other, "victim@other.example.com", Role.AGENT)
    resp = await t.put(f"/api/v1/agents/{victim}/state", {"state": "offline"}, t.s)
    assert resp.status_code == 404 and resp.json()["code"] == "agent-not-found"
    listed = (await env.client.get("/api/v1/agents", headers=t.s)).json()
    assert victim not in {a["user_id"] for a in listed}
    assert {a["user_id"] for a in listed} == {t.agent, t.sup}
    async with env.sessions() as s:  # the hooks refuse a foreign agent outright
        with pytest.raises(AgentNotFound):
            await service.reserve_agent(s, t.org, victim, "CA9", env.clock.now(), bus=t.bus)


async def test_break_reasons_crud(env: Env) -> None:
    t = await Team(env).setup()
    admin_org = t.org
    await env.user(admin_org, "boss@acme.example.com", Role.ORG_ADMIN)
    boss = await env.token("boss@acme.example.com")
    listed = (await env.client.get("/api/v1/agents/break-reasons", headers=t.a)).json()
    assert [r["code"] for r in listed] == ["break", "lunch", "training", "meeting", "missed"]
    missed = next(r for r in listed if r["code"] == "missed")
    assert missed["is_system"]
    url = "/api/v1/agents/break-reasons"
    resp = await env.client.post(url, json={"code": "coaching", "label": "Coaching"}, headers=boss)
    assert resp.status_code == 201, resp.text
    created = resp.json()
    dup = await env.client.post(url, json={"code": "coaching", "label": "Again"}, headers=boss)
    assert dup.status_code == 409
    resp = await env.client.patch(f"{url}/{created['id']}", json={"is_active": False}, headers=boss)
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    refused = await t.put(ME, {"state": "break", "reason": "coaching"}, t.a)
    assert refused.status_code == 422  # inactive reasons cannot be chosen
    resp = await env.client.patch(f"{url}/{missed['id']}", json={"is_active": False}, headers=boss)
    assert resp.status_code == 409 and resp.json()["code"] == "system-break-reason"
    assert (await env.client.delete(f"{url}/{missed['id']}", headers=boss)).status_code == 409
    assert (await env.client.delete(f"{url}/{created['id']}", headers=boss)).status_code == 204
    codes = [r["code"] for r in (await env.client.get(url, headers=t.a)).json()]
    assert "coaching" not in codes and "missed" in codes


async def test_naive_report_times_are_refused(env: Env) -> None:
    t = await Team(env).setup()
    resp = await env.client.get(
        "/api/v1/agents/time-in-state", params={"start": "2026-01-01T00:00:00"}, headers=t.s
    )
    assert resp.status_code == 422
    resp = await env.client.get(
        "/api/v1/agents/time-in-state",
        params={"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
        headers=t.s,
    )
    assert resp.status_code == 422

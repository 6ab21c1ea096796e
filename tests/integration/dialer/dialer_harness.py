"""A campaign on the sandbox floor: contacts with scripted far ends, virtual agents who
hang up and disposition, and the dialler engine running on the test's manual clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from tests.integration.calls.calls_harness import Agent, Floor

from omnivox.agents.models import AgentStatus
from omnivox.campaigns.models import Contact, DncEntry
from omnivox.core.security.permissions import Role
from omnivox.dialer.engine import DialerEngine
from omnivox.telephony.models import Call
from omnivox.telephony.sandbox.parties import PartyScript

NOON = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
# The number dialled -> the code its agent submits in wrap-up.
Disposer = str | Callable[[str], str]
# (phone, zone, script) or (phone, zone, script, other Contact fields such as attempts).
ContactSpec = tuple[str, str, PartyScript] | tuple[str, str, PartyScript, dict[str, Any]]


def engine_of(f: Floor) -> DialerEngine:
    engine: DialerEngine = f.env.app.state.dialer  # type: ignore[attr-defined]
    return engine


async def campaign(f: Floor, org: str, agents: list[Agent], **fields: Any) -> tuple[str, Agent]:
    """An admin, a list and a draft campaign served by ``agents`` (11:00-14:00 local)."""
    boss = await f.agent(org, "boss", role=Role.ORG_ADMIN)
    c, h = f.env.client, boss.headers
    await c.put("/api/v1/agents/me/state", headers=h, json={"state": "offline"})
    made = await c.post("/api/v1/lists", headers=h, json={"name": "Leads"})
    assert made.status_code == 201, made.text
    body = {
        "name": "Spring",
        "dial_mode": "progressive",
        "window_start": "11:00",
        "window_end": "14:00",
        "agent_ids": [a.user_id for a in agents],
        "list_ids": [made.json()["id"]],
        "safe_harbour_text": "Sorry we missed you, this is Acme, we will call again.",
        **fields,
    }
    resp = await c.post("/api/v1/campaigns", headers=h, json=body)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"]), boss


async def list_of(f: Floor, boss: Agent, campaign_id: str) -> str:
    resp = await f.env.client.get(f"/api/v1/campaigns/{campaign_id}", headers=boss.headers)
    return str(resp.json()["list_ids"][0])


async def add_contacts(f: Floor, org: str, list_id: str, phones: Sequence[ContactSpec]) -> None:
    async with f.env.sessions() as s:
        for spec in phones:
            phone, zone, script = spec[0], spec[1], spec[2]
            extra: dict[str, Any] = spec[3] if len(spec) > 3 else {}  # type: ignore[misc]
            s.add(
                Contact(
                    organization_id=org,
                    list_id=list_id,
                    phone=phone,
                    timezone=zone,
                    timezone_source="explicit",
                    created_at=f.env.clock.now(),
                    **extra,
                )
            )
            f.carrier.script_number(phone, script)
        await s.commit()


async def add_dnc(f: Floor, org: str, phone: str, *, campaign_id: str | None = None) -> None:
    """Put ``phone`` on the organisation's do-not-call list (or on ``campaign_id``'s)."""
    async with f.env.sessions() as s:
        s.add(
            DncEntry(
                organization_id=org,
                scope=campaign_id or "org",
                campaign_id=campaign_id,
                phone=phone,
                source="manual",
                added_by="test",
                added_at=f.env.clock.now(),
            )
        )
        await s.commit()


async def run(
    f: Floor,
    seconds: float,
    *,
    disposition: Disposer = "SALE",
    engines: Sequence[DialerEngine] | None = None,
) -> None:
    """Advance the floor in half-second steps; agents in wrap-up submit their disposition,
    as people do. ``engines``: the dialler engines to wait for after each step (the app's
    own by default; a stalled engine must be left out, or this would wait for it)."""
    waited = [engine_of(f)] if engines is None else list(engines)
    steps = int(seconds * 2)
    for _ in range(steps):
        await f.advance(0.5)  # waits for the answering timers' work too (Floor.settle)
        for engine in waited:
            await engine.quiesce()
        await f.settle()
        await _disposition_wrap_ups(f, disposition)


async def _disposition_wrap_ups(f: Floor, code: Disposer) -> None:
    async with f.env.sessions() as s:
        rows = (
            await s.execute(
                select(AgentStatus.user_id, AgentStatus.current_call_id, Call.to_number)
                .outerjoin(Call, Call.id == AgentStatus.current_call_id)
                .where(AgentStatus.state == "wrap_up")
            )
        ).all()
    by_user = {a.user_id: a for a in f.agents.values()}
    for user_id, call_id, to in rows:
        agent = by_user.get(user_id)
        if agent is not None and call_id:
            chosen = code if isinstance(code, str) else code(to or "")
            body = {"code": chosen} | ({"amount": "100"} if chosen == "SALE" else {})
            resp = await f.post(agent, f"/api/v1/calls/{call_id}/disposition", body)
            assert resp.status_code == 200, resp.text
    if rows:
        await f.settle()


async def campaign_calls(f: Floor, campaign_id: str) -> list[Call]:
    async with f.env.sessions() as s:
        query = select(Call).where(Call.owner_kind == "campaign", Call.owner_id == campaign_id)
        return list((await s.scalars(query.order_by(Call.created_at))).all())


def second_engine(f: Floor, node_id: str) -> DialerEngine:
    """Another app node's dialler on the same database and carrier: its own lease holder,
    fed the bus's campaign and agent events as a node is. Outcomes are still recorded by
    the app's own call handler (on a real cluster, by whichever node took the webhook)."""
    app_engine = engine_of(f)
    engine = DialerEngine(
        app_engine.svc,
        app_engine.gate,
        replace(app_engine.leases, node_id=node_id),
        answering=None,
        tick_seconds=app_engine.tick_seconds,
        rescan_seconds=app_engine.rescan_seconds,
    )

    # Lifecycle only: the app's own engine already records outcomes on this bus.
    engine.follow_lifecycle(f.env.app.state.omnivox.bus)  # type: ignore[attr-defined]
    return engine


async def kill(engine: DialerEngine) -> None:
    """The node dies: its loops stop where they are, without releasing any lease."""
    engine._started = False
    tasks = [engine._scan, *(r.task for r in engine.runners.values())]
    engine.runners.clear()
    for task in tasks:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

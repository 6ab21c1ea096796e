"""A campaign on the sandbox floor: contacts with scripted far ends, virtual agents who
hang up and disposition, and the dialler engine running on the test's manual clock."""

from __future__ import annotations

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


def engine_of(f: Floor) -> DialerEngine:
    engine: DialerEngine = f.env.app.state.dialer  # type: ignore[attr-defined]
    return engine


async def campaign(f: Floor, org: str, agents: list[Agent], **fields: Any) -> tuple[str, Agent]:
    """An admin, a list and a draft campaign served by ``agents`` (12:00-14:00 local)."""
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


async def add_contacts(
    f: Floor, org: str, list_id: str, phones: list[tuple[str, str, PartyScript]]
) -> None:
    async with f.env.sessions() as s:
        for phone, zone, script in phones:
            s.add(
                Contact(
                    organization_id=org,
                    list_id=list_id,
                    phone=phone,
                    timezone=zone,
                    timezone_source="explicit",
                    created_at=f.env.clock.now(),
                )
            )
            f.carrier.script_number(phone, script)
        await s.commit()


async def add_dnc(f: Floor, org: str, phone: str) -> None:
    async with f.env.sessions() as s:
        s.add(
            DncEntry(
                organization_id=org,
                scope="org",
                phone=phone,
                source="manual",
                added_by="test",
                added_at=f.env.clock.now(),
            )
        )
        await s.commit()


async def run(f: Floor, seconds: float, *, disposition: str = "SALE") -> None:
    """Advance the floor; agents in wrap-up submit their disposition, as people do."""
    engine = engine_of(f)
    steps = int(seconds * 2)
    for _ in range(steps):
        await f.advance(0.5)
        await engine.quiesce()
        await f.settle()
        await _disposition_wrap_ups(f, disposition)


async def _disposition_wrap_ups(f: Floor, code: str) -> None:
    async with f.env.sessions() as s:
        rows = list(await s.scalars(select(AgentStatus).where(AgentStatus.state == "wrap_up")))
    by_user = {a.user_id: a for a in f.agents.values()}
    for row in rows:
        agent = by_user.get(row.user_id)
        if agent is not None and row.current_call_id:
            resp = await f.post(
                agent, f"/api/v1/calls/{row.current_call_id}/disposition", {"code": code}
            )
            assert resp.status_code == 200, resp.text
    if rows:
        await f.settle()


async def campaign_calls(f: Floor, campaign_id: str) -> list[Call]:
    async with f.env.sessions() as s:
        query = select(Call).where(Call.owner_kind == "campaign", Call.owner_id == campaign_id)
        return list((await s.scalars(query.order_by(Call.created_at))).all())

"""The agent's customer card on a dialler call: the contact, and a callback scheduled in
the contact's local time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from tests.integration.calls.calls_harness import floor
from tests.integration.dialer.dialer_harness import (
    add_contacts,
    campaign,
    campaign_calls,
    engine_of,
    run,
)
from tests.support import Env

from omnivox.campaigns.models import ScheduledCallback
from omnivox.telephony.sandbox.parties import PartyScript


async def test_agent_sees_the_contact_and_schedules_a_callback(sqlite_env: Env) -> None:
    sqlite_env.clock.set(datetime(2026, 3, 10, 17, 0, tzinfo=UTC))  # 13:00 in New York
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        cid, boss = await campaign(f, org, [alex])
        detail = await sqlite_env.client.get(f"/api/v1/campaigns/{cid}", headers=boss.headers)
        list_id = detail.json()["list_ids"][0]
        await add_contacts(
            f, org, list_id, [("+14155550003", "America/New_York", PartyScript(ring_seconds=2))]
        )
        engine = engine_of(f)
        await engine.start()
        try:
            await sqlite_env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            await run(f, 5)
            [call] = await campaign_calls(f, cid)
            assert call.agent_id == alex.user_id
            card = await sqlite_env.client.get(
                f"/api/v1/calls/{call.id}/contact", headers=alex.headers
            )
            assert card.status_code == 200, card.text
            assert card.json()["campaign_id"] == cid
            contact = card.json()["contact"]
            assert contact["phone"] == "+14155550003" and contact["timezone"] == "America/New_York"
            other = await sqlite_env.client.get(
                f"/api/v1/calls/{call.id}/contact", headers=bea.headers
            )
            assert other.status_code == 403
            scheduled = await sqlite_env.client.post(
                "/api/v1/callbacks",
                headers=alex.headers,
                json={
                    "contact_id": contact["id"],
                    "campaign_id": cid,
                    "agent_id": alex.user_id,
                    "due_local": "2026-03-11T10:30:00",
                },
            )
            assert scheduled.status_code == 201, scheduled.text
            async with sqlite_env.sessions() as s:
                row = await s.scalar(select(ScheduledCallback))
            assert row is not None and row.agent_id == alex.user_id
            # 10:30 in New York on 11 March 2026 (EDT from 8 March) is 14:30 UTC.
            assert row.due_at.isoformat().startswith("2026-03-11T14:30")
        finally:
            await engine.stop()


async def test_calls_without_a_contact_say_so(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex)
        card = await sqlite_env.client.get(f"/api/v1/calls/{call_id}/contact", headers=alex.headers)
        assert card.status_code == 404 and "campaign contact" in card.json()["detail"]

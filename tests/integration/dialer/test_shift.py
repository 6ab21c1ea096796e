"""A simulated shift on the sandbox: compliance gates, outcomes, abandon rate, pausing.

60 contacts (not the issue's 500: each virtual second costs real webhook round trips, and
the dialler tests must stay under ~90 s), 5 agents, 4 virtual minutes.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from tests.integration.calls.calls_harness import floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    add_dnc,
    campaign,
    campaign_calls,
    engine_of,
    run,
)
from tests.support import Env

from omnivox.campaigns.models import Contact, ContactAttempt
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

B = PartyBehaviour
SCRIPTS = [
    PartyScript(ring_seconds=4, hang_up_after=25),
    PartyScript(ring_seconds=6, hang_up_after=40),
    # A machine records up to 30 s, then hangs up. With an agent free it reaches the agent
    # before AMD decides (see docs/dialer.md); test_safe_harbour covers the AMD action.
    PartyScript(behaviour=B.MACHINE, ring_seconds=5, amd_seconds=1.0, hang_up_after=30),
    PartyScript(behaviour=B.BUSY, ring_seconds=2),
    PartyScript(behaviour=B.NO_ANSWER),
    PartyScript(behaviour=B.NO_ANSWER),
]
# UTC contacts are inside the 11:00-14:00 window at noon; UTC+6 ones (18:00) are not.
OUTSIDE = "Asia/Dhaka"


async def test_shift_respects_every_gate_and_pause_stops_at_once(sqlite_env: Env) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        agents = [await f.agent(org, f"agent{i}") for i in range(5)]
        cid, boss = await campaign(
            f,
            org,
            agents,
            max_attempts=2,
            retry_rules=[{"code": "NO_ANSWER", "retry_after_minutes": 1, "max_retries": 5}],
        )
        list_id = (await env.client.get(f"/api/v1/campaigns/{cid}", headers=boss.headers)).json()[
            "list_ids"
        ][0]
        phones = [
            (f"+1415555{1000 + i}", OUTSIDE if i % 10 == 9 else "UTC", SCRIPTS[i % len(SCRIPTS)])
            for i in range(60)
        ]
        await add_contacts(f, org, list_id, phones)
        dnc = {phones[0][0], phones[7][0]}
        for phone in dnc:
            await add_dnc(f, org, phone)
        engine = engine_of(f)
        await engine.start()
        try:
            assert (
                await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            ).status_code == 200
            await run(f, 240)
            paused = await env.client.post(f"/api/v1/campaigns/{cid}/pause", headers=boss.headers)
            assert paused.status_code == 200
            placed_at_pause = len(await campaign_calls(f, cid))
            await run(f, 90)  # let every call end; agents disposition
            calls = await campaign_calls(f, cid)
        finally:
            await engine.stop()

    assert len(calls) == placed_at_pause  # not one call after the pause
    assert len(calls) >= 20  # progressive, 5 agents, 25-40 s talk: ~25 calls in 4 minutes
    async with env.sessions() as s:
        contacts = {c.phone: c for c in await s.scalars(select(Contact))}
        attempts = list(await s.scalars(select(ContactAttempt)))
        per_contact = dict(
            (
                await s.execute(
                    select(ContactAttempt.contact_id, func.count()).group_by(
                        ContactAttempt.contact_id
                    )
                )
            ).all()
        )
    for call in calls:
        contact = contacts[call.to_number]
        assert call.to_number not in dnc
        local = call.created_at.astimezone(ZoneInfo(contact.timezone)).time()
        assert time(11) <= local < time(14), (contact.timezone, local)
    assert max(per_contact.values()) <= 2  # max attempts
    # Every call ended, and its contact's attempt carries a disposition.
    assert all(c.state in {"completed", "busy", "no_answer", "abandoned", "failed"} for c in calls)
    by_call = {a.call_id: a for a in attempts}
    assert all(by_call[c.id].disposition for c in calls)
    assert {"SALE", "BUSY", "NO_ANSWER"} <= {a.disposition for a in attempts}
    # The abandon rate shown is the one the call records give.
    live = [c for c in calls if c.answered_at is not None and c.end_reason != "machine"]
    abandoned = [c for c in calls if c.state == "abandoned"]
    stats = (await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=boss.headers)).json()
    assert stats["dialled"] == len(calls)
    assert stats["abandoned"] == len(abandoned) and stats["live_answers"] == len(live)
    assert stats["abandon_rate"] == (len(abandoned) / len(live) if live else 0.0)
    assert stats["agents"]["available"] == 5

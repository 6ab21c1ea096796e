"""Answering: an agent within 2 seconds, the safe-harbour message, machines."""

from __future__ import annotations

from sqlalchemy import select
from tests.integration.calls.calls_harness import floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    campaign,
    campaign_calls,
    engine_of,
    run,
)
from tests.support import Env

from omnivox.campaigns.models import Contact, ContactAttempt
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

PERSON = PartyScript(ring_seconds=3)


async def _list_of(env: Env, headers: dict[str, str], campaign_id: str) -> str:
    resp = await env.client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers)
    return str(resp.json()["list_ids"][0])


async def test_live_answer_goes_to_the_free_agent(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, boss = await campaign(f, org, [alex])
        await add_contacts(
            f, org, await _list_of(env, boss.headers, cid), [("+14155550001", "UTC", PERSON)]
        )
        engine = engine_of(f)
        await engine.start()
        try:
            started = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            assert started.status_code == 200, started.text
            await run(f, 6)
            [call] = await campaign_calls(f, cid)
            assert call.state == "connected" and call.agent_id == alex.user_id
            assert call.from_number and call.to_number == "+14155550001"
            assert await f.agent_state(alex) == "on_call"
        finally:
            await engine.stop()


async def test_live_answer_without_free_agent_hears_safe_harbour(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        # Her browser is gone but the carrier's word of it (the line's status callback) has
        # not arrived yet: her line still looks connected, so the dialler reserves her and
        # tries to move it, which the carrier refuses.
        line = f.carrier.find_call((await f.line(alex))["sid"])
        line.status_callback = None
        f.carrier.end_call(line, "completed")
        cid, boss = await campaign(f, org, [alex])
        await add_contacts(
            f, org, await _list_of(env, boss.headers, cid), [("+14155550002", "UTC", PERSON)]
        )
        engine = engine_of(f)
        await engine.start()
        try:
            await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            await run(f, 12)  # the answer at 3 s, the drop at 5 s, the message ~4 s
            [call] = await campaign_calls(f, cid)
            assert call.state == "abandoned" and call.disposition_code == "abandoned"
            assert call.answered_at is not None and call.ended_at is not None
            # 2 s after the answer, give or take the test's 0.5 s clock steps.
            assert (call.ended_at - call.answered_at).total_seconds() <= 2.5
            said = [e.detail.get("text") for e in f.customer_leg(call).log if e.kind == "say"]
            assert "Sorry we missed you, this is Acme, we will call again." in said
            # The reservation was withdrawn; her line is known lost (a break) until her
            # browser connects it again.
            assert await f.agent_state(alex) == "break"
            await f.connect_line(alex)
            assert await f.agent_state(alex) == "available"
            async with env.sessions() as s:
                contact = await s.scalar(select(Contact))
                attempt = await s.scalar(select(ContactAttempt))
            assert contact is not None and attempt is not None
            assert attempt.disposition == "ABANDONED" and attempt.call_id == call.id
            assert contact.last_abandoned_at is not None and contact.attempts == 1
        finally:
            await engine.stop()


async def test_machine_gets_hung_up_or_voicemail(env: Env) -> None:
    env.clock.set(NOON)
    machine = PartyScript(behaviour=PartyBehaviour.MACHINE, ring_seconds=3, amd_seconds=1.0)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        alex.answer = False
        cid, boss = await campaign(f, org, [alex], amd_action="hangup")
        await add_contacts(
            f,
            org,
            await _list_of(env, boss.headers, cid),
            [("+14155550003", "UTC", machine)],
        )
        engine = engine_of(f)
        await engine.start()
        try:
            await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            await run(f, 8)
            [call] = await campaign_calls(f, cid)
            assert call.state == "completed" and call.end_reason == "machine"
            async with env.sessions() as s:
                attempt = await s.scalar(select(ContactAttempt))
            assert attempt is not None and attempt.disposition == "VOICEMAIL"
            assert await f.agent_state(alex) == "available"
        finally:
            await engine.stop()

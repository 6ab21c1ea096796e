"""Attempts a dead node left open are settled: a lost outcome is recorded from the call's
final state, an attempt whose call was never placed gives its contact back; live calls and
fresh attempts are left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from tests.integration.calls.calls_harness import floor
from tests.integration.dialer.dialer_harness import NOON, campaign
from tests.support import Env

from omnivox.campaigns.models import Contact, ContactAttempt
from omnivox.dialer.attempts import begin_attempt
from omnivox.dialer.recovery import AttemptRecovery
from omnivox.telephony.fsm_types import Owner, OwnerKind
from omnivox.telephony.models import Call


async def test_open_attempts_left_by_a_dead_node_are_settled(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, boss = await campaign(f, org, [alex])
        detail = await env.client.get(f"/api/v1/campaigns/{cid}", headers=boss.headers)
        list_id = detail.json()["list_ids"][0]
        svc = f.runtime.service
        phones = ["+14155550201", "+14155550202", "+14155550203", "+14155550204"]
        async with env.sessions() as s:
            contacts = [
                Contact(
                    organization_id=org,
                    list_id=list_id,
                    phone=p,
                    timezone="UTC",
                    timezone_source="explicit",
                    created_at=env.clock.now(),
                )
                for p in phones
            ]
            s.add_all(contacts)
            await s.commit()
            ids = [c.id for c in contacts]

        async def open_attempt(contact_id: str, state: str | None) -> str:
            call_id = None
            if state is not None:
                call = await svc.record_outbound_call(
                    org, Owner(OwnerKind.CAMPAIGN, cid), to="+14155550299", from_="+14155550100"
                )
                async with env.sessions() as s:
                    row = await s.get(Call, call.id)
                    assert row is not None
                    row.state, row.provider_sid = state, f"CA{call.id}"
                    await s.commit()
                call_id = call.id
            async with env.sessions() as s:
                attempt = await begin_attempt(s, cid, contact_id, env.clock.now(), call_id=call_id)
                return attempt.id

        unplaced = await open_attempt(ids[0], None)  # died before placing the call
        lost = await open_attempt(ids[1], "no_answer")  # died before recording the outcome
        live = await open_attempt(ids[2], "connected")  # a call still going on
        env.clock.set(env.clock.now() + timedelta(minutes=6))
        fresh = await open_attempt(ids[3], None)  # just opened: its node may be placing it

        recovery = AttemptRecovery(svc.agents)  # type: ignore[arg-type]
        assert await recovery.sweep() == 2
        assert await recovery.sweep() == 0  # at most once a minute, and nothing left anyway

        async with env.sessions() as s:
            attempts = {a.id: a for a in await s.scalars(select(ContactAttempt))}
            rows = {c.id: c for c in await s.scalars(select(Contact))}
        assert (attempts[unplaced].disposition, rows[ids[0]].status) == ("NOT_PLACED", "new")
        assert rows[ids[0]].attempts == 0  # no attempt counted for a call never made
        assert attempts[lost].disposition == "NO_ANSWER" and attempts[lost].completed_at
        assert (rows[ids[1]].status, rows[ids[1]].attempts) == ("retry", 1)
        assert attempts[live].completed_at is None and rows[ids[2]].status == "dialing"
        assert attempts[fresh].completed_at is None and rows[ids[3]].status == "dialing"

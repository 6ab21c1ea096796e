"""Real calls through the sandbox carrier: the rollups follow the call core's own events,
and the report's figures agree with routing's queue entries and the call rows."""

from __future__ import annotations

from sqlalchemy import select
from tests.integration.calls.calls_harness import floor
from tests.integration.inbound.test_inbound_flow import CALLER, NUMBER, _setup
from tests.support import Env

from omnivox.reporting.models import CountedCall
from omnivox.routing.models import QueueEntry


async def test_a_handled_and_an_abandoned_call_show_in_the_report(sqlite_env: Env) -> None:
    env = sqlite_env
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        queue = await _setup(f, org, alex)
        await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        [entry] = await _entries(env)
        assert entry.status == "connected"
        await f.advance(40)  # talking
        held = await f.post(alex, f"/api/v1/calls/{entry.call_id}/hold")
        assert held.status_code == 200
        await f.advance(10)
        await f.post(alex, f"/api/v1/calls/{entry.call_id}/resume")
        await f.advance(20)
        assert (await f.post(alex, f"/api/v1/calls/{entry.call_id}/hangup")).status_code == 200
        await f.advance(7)  # wrap-up
        done = await f.post(
            alex, f"/api/v1/calls/{entry.call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert done.status_code == 200, done.text
        await f.advance(1)

        # A second caller while Alex is on lunch: hangs up after waiting.
        await env.client.put(
            "/api/v1/agents/me/state",
            headers=alex.headers,
            json={"state": "break", "reason": "lunch"},
        )
        second = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(12)
        f.carrier.hang_up_party(second.sid)
        await f.advance(2)

        entries = {e.status: e for e in await _entries(env)}
        handled, dropped = entries["connected"], entries["abandoned"]
        assert handled.answered_at is not None and dropped.ended_at is not None
        await env.counted()  # the live upkeep counts in batches
        day = f.env.clock.now().date().isoformat()
        admin = f.agents["admin"].headers
        resp = await env.client.get(
            "/api/v1/reports/run",
            params={
                "from": day,
                "to": day,
                "metrics": "calls_offered,calls_handled,calls_abandoned,asa,longest_wait,"
                "holds,hold_time,conversions,talk_time,wrap_time",
                "by": "queue",
            },
            headers=admin,
        )
        assert resp.status_code == 200, resp.text
        [row] = resp.json()["rows"]
        assert row["queue_id"] == queue
        assert (row["calls_offered"], row["calls_handled"], row["calls_abandoned"]) == (2, 1, 1)
        # The waits agree with routing's own record of the queue.
        wait = (handled.answered_at - handled.enqueued_at).total_seconds()
        assert abs(row["asa"] - wait) <= 1.0, (row, wait)
        abandoned_wait = (dropped.ended_at - dropped.enqueued_at).total_seconds()
        assert abs(row["longest_wait"] - max(wait, abandoned_wait)) <= 1.0
        assert (row["holds"], row["conversions"]) == (1, 1)
        assert abs(row["hold_time"] - 10) <= 1.0
        assert abs(row["talk_time"] - 60) <= 2.0 and abs(row["wrap_time"] - 8) <= 2.0

        async with env.sessions() as s:
            counted = list(await s.scalars(select(CountedCall.call_id)))
        assert sorted(counted) == sorted({handled.call_id, dropped.call_id})


async def _entries(env: Env) -> list[QueueEntry]:
    async with env.sessions() as s:
        return list((await s.scalars(select(QueueEntry))).all())

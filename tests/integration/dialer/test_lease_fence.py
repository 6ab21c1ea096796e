"""The lease fences the dialler's claim (both backends): a node renews the campaign's lease in
the transaction that claims a contact, so another node's takeover waits for that commit and
then finds the lease fresh; a takeover committed first makes the renewal fail."""

from __future__ import annotations

import asyncio

from tests.integration.campaigns.helpers import admin, new_list
from tests.support import Env

from omnivox.dialer.lease import Leases


async def _campaign(env: Env) -> str:
    _org, h = await admin(env)
    made = await env.client.post(
        "/api/v1/campaigns",
        headers=h,
        json={"name": "Spring", "list_ids": [await new_list(env, h)]},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_a_takeover_waits_for_the_fenced_claim_and_then_finds_the_lease_fresh(
    env: Env,
) -> None:
    cid = await _campaign(env)
    a = Leases(env.sessions, env.clock, "node-a")
    b = Leases(env.sessions, env.clock, "node-b")
    assert await a.take(cid)
    await env.clock.advance(20)  # node A stalled past its 15 s lease
    async with env.sessions() as s:
        assert await a.hold(s, cid)  # still A's: nobody took it yet
        takeover = asyncio.create_task(b.take(cid))
        await asyncio.sleep(0.3)
        assert not takeover.done(), "the takeover did not wait for the fenced transaction"
        await s.commit()  # A's claim and renewed lease, together
    assert await takeover is False
    # Later, with A gone for good, B does take it over, and A's next fence fails.
    await env.clock.advance(20)
    assert await b.take(cid)
    async with env.sessions() as s:
        assert not await a.hold(s, cid)

"""Two dialler nodes on one database (issue #6: "one app node at a time, a lock with
takeover if that node dies").

Two engines share the database, the carrier and the app's call handling, each with its own
node id, as two app nodes would. Every call either places is attributed to the engine whose
campaign loop placed it. Checked: only the lease holder dials; when it dies without
releasing, the other takes the campaign over once the lease has run out on the test's clock
and goes on dialling; a node that comes back, after a restart or a stall in the middle of a
tick, places no call once it has lost the lease; no contact is dialled twice.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from tests.integration.calls.calls_harness import Floor, floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    campaign,
    campaign_calls,
    kill,
    list_of,
    run,
    second_engine,
)
from tests.support import Env

from omnivox.campaigns.models import ContactAttempt
from omnivox.dialer.engine import DialerEngine
from omnivox.dialer.models import DialerLease
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

PERSON = PartyScript(ring_seconds=2, hang_up_after=5)
BUSY = PartyScript(behaviour=PartyBehaviour.BUSY, ring_seconds=1)
TTL = timedelta(seconds=15)


@dataclass
class Placed:
    node: str
    to: str
    at: datetime


@dataclass
class Nodes:
    """Two dialler nodes and every call each one placed."""

    f: Floor
    campaign_id: str
    boss_headers: dict[str, str]
    a: DialerEngine
    b: DialerEngine
    placed: list[Placed] = field(default_factory=list)

    def by(self, node: str) -> list[Placed]:
        return [p for p in self.placed if p.node == node]

    async def lease(self) -> DialerLease:
        async with self.f.env.sessions() as s:
            row = await s.get(DialerLease, self.campaign_id)
            assert row is not None
            return row

    async def run(self, seconds: float, *engines: DialerEngine) -> None:
        await run(self.f, seconds, engines=engines or (self.a, self.b))

    def runner_leads(self, engine: DialerEngine) -> bool:
        runner = engine.runners.get(self.campaign_id)
        return runner is not None and runner.leader


def _attribute_calls(f: Floor, nodes: dict[str, DialerEngine], out: list[Placed]) -> None:
    """Record which engine's campaign loop placed each outbound call."""
    svc = nodes["node-a"].svc
    real = svc.place_outbound_call

    async def place_outbound_call(*args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        node = next(
            (
                name
                for name, engine in nodes.items()
                if any(r.task is task for r in engine.runners.values())
            ),
            "elsewhere",
        )
        out.append(Placed(node, str(kwargs["to"]), f.env.clock.now()))
        return await real(*args, **kwargs)

    svc.place_outbound_call = place_outbound_call  # type: ignore[method-assign]


@asynccontextmanager
async def two_nodes(env: Env, script: PartyScript, **fields: Any) -> AsyncIterator[Nodes]:
    """A progressive campaign of 40 contacts and 3 agents; node A starts first and takes
    the lease, then node B starts and waits."""
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        agents = [await f.agent(org, f"agent{i}") for i in range(3)]
        window = {"window_start": "00:00", "window_end": "23:59"}
        cid, boss = await campaign(f, org, agents, **window, **fields)
        contacts = [(f"+1415557{i:04d}", "UTC", script) for i in range(40)]
        await add_contacts(f, org, await list_of(f, boss, cid), contacts)
        a, b = second_engine(f, "node-a"), second_engine(f, "node-b")
        nodes = Nodes(f, cid, boss.headers, a, b)
        _attribute_calls(f, {"node-a": a, "node-b": b}, nodes.placed)
        await a.start()
        try:
            started = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
            assert started.status_code == 200, started.text
            await nodes.run(1, a)
            await b.start()
            yield nodes
        finally:
            await a.stop()
            await b.stop()
            del f.runtime.service.place_outbound_call


async def _finish(nodes: Nodes) -> None:
    """Pause, let every call end, and check the records: one attempt per call, each with a
    disposition, no contact dialled twice, the statistics' count equal to the calls."""
    env, cid = nodes.f.env, nodes.campaign_id
    paused = await env.client.post(f"/api/v1/campaigns/{cid}/pause", headers=nodes.boss_headers)
    assert paused.status_code == 200
    await nodes.run(20)
    calls = await campaign_calls(nodes.f, cid)
    async with env.sessions() as s:
        attempts = list(await s.scalars(select(ContactAttempt)))
    stats = await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=nodes.boss_headers)
    assert len(calls) == len(nodes.placed) == len(attempts) == stats.json()["dialled"]
    assert max(Counter(c.to_number for c in calls).values()) == 1  # no contact twice
    assert {c.id for c in calls} == {a.call_id for a in attempts}
    assert all(a.disposition and a.completed_at for a in attempts)


async def test_the_lease_holder_dials_alone_and_is_taken_over_when_it_dies(env: Env) -> None:
    async with two_nodes(env, PERSON) as nodes:
        a, b = nodes.a, nodes.b
        await nodes.run(40)
        # Node A holds the lease and places every call; node B's loop only asks for it.
        assert (await nodes.lease()).node_id == "node-a"
        assert nodes.runner_leads(a) and not nodes.runner_leads(b)
        assert len(nodes.by("node-a")) >= 8 and not nodes.by("node-b")

        # Node A dies: its loops stop where they are, the lease is not released.
        await kill(a)
        died_at = env.clock.now()
        expires = (await nodes.lease()).expires_at
        assert died_at < expires <= died_at + TTL
        await nodes.run(30, b)
        # Node B took over once the lease ran out, not before, and went on dialling.
        assert (await nodes.lease()).node_id == "node-b" and nodes.runner_leads(b)
        taken_over = nodes.by("node-b")
        assert len(taken_over) >= 5
        assert min(p.at for p in taken_over) >= expires
        assert max(p.at for p in nodes.by("node-a")) <= died_at

        # Node A comes back: its loop asks for the lease, is refused, and dials nothing.
        before = len(nodes.by("node-a"))
        await a.start()
        await nodes.run(20)
        assert len(nodes.by("node-a")) == before and not nodes.runner_leads(a)
        assert (await nodes.lease()).node_id == "node-b"
        assert len(nodes.by("node-b")) > len(taken_over)
        await _finish(nodes)


def _stall_before_placing(engine: DialerEngine) -> tuple[asyncio.Event, asyncio.Event]:
    """Arm a stall: the engine's next placement waits (a long GC pause, a blocked event
    loop, a database that stops answering) between choosing its contacts and dialling.
    Returns (reached, release)."""
    reached, release = asyncio.Event(), asyncio.Event()
    real: Callable[..., Awaitable[bool]] = engine.place

    async def place(*args: Any) -> bool:
        if not reached.is_set():
            reached.set()
            await release.wait()
        return await real(*args)

    engine.place = place  # type: ignore[method-assign]
    return reached, release


async def test_a_node_back_from_a_stall_places_no_call_after_losing_its_lease(env: Env) -> None:
    # Busy numbers retry after an hour: a contact dialled by the new leader is dialable
    # again (status "retry") when the stalled node wakes up with it in its hands.
    rules = [{"code": "BUSY", "retry_after_minutes": 60, "max_retries": 3}]
    async with two_nodes(env, BUSY, max_attempts=3, retry_rules=rules) as nodes:
        a, b = nodes.a, nodes.b
        await nodes.run(3)
        assert nodes.by("node-a") and not nodes.by("node-b")
        reached, release = _stall_before_placing(a)
        while not reached.is_set():  # node A's next tick picks its contacts and stalls
            await nodes.run(0.5, b)
        stalled_at = env.clock.now()
        await nodes.run(25, b)  # the lease runs out; node B takes over and dials
        assert (await nodes.lease()).node_id == "node-b"
        assert nodes.by("node-b")
        placed = len(nodes.placed)

        release.set()  # node A wakes up mid-tick, its contacts chosen 25 s ago
        await asyncio.wait_for(a.quiesce(), timeout=10)
        await nodes.f.settle()
        assert len(nodes.placed) == placed
        assert max(p.at for p in nodes.by("node-a")) <= stalled_at
        assert not nodes.runner_leads(a)
        await nodes.run(5)  # and on its next ticks it is a follower
        assert max(p.at for p in nodes.by("node-a")) <= stalled_at
        assert len(nodes.placed) > placed and not nodes.by("elsewhere")
        await _finish(nodes)

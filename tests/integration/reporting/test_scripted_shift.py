"""Proof (issue 16, section 6): a scripted shift driven through the sandbox carrier —
inbound calls answered, abandoned and called back; an outbound campaign with a connect,
an answering machine, a no-answer and an abandon — and the figures worked out by hand
from the script, compared with the wallboard, the templates, the builder and the
exports."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from tests.integration.calls.calls_harness import Floor, floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    campaign,
    campaign_calls,
    engine_of,
    list_of,
    run,
)
from tests.integration.inbound.test_inbound_flow import NUMBER, _setup
from tests.integration.inbound.test_waiting import _on_break, _queue_settings
from tests.support import Env

from omnivox.telephony.models import Call, CallLeg
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

pytestmark = pytest.mark.slow

ANSWERED, ABANDONED, CALLED_BACK = "+14155550301", "+14155550302", "+14155550303"
CONNECT, MACHINE, NO_ANSWER, DROPPED = (
    "+14155550311",
    "+14155550312",
    "+14155550313",
    "+14155550314",
)

# By hand, from the script below.
INBOUND = {
    "calls_offered": 3,  # answered, abandoned, asked for a callback
    "calls_handled": 1,  # only the first reached an agent
    "calls_abandoned": 1,  # waited 20 s (over the 10 s short-abandon threshold), hung up
    "callbacks_requested": 1,
}
OUTBOUND = {
    "outbound_dials": 4,
    "live_answers": 2,  # the connect and the dropped answer; a machine is not live
    "outbound_connects": 1,
    "amd_machines": 1,  # it reached Alex before detection decided, and was taken back
    "outbound_abandoned": 1,
    "legal_abandon_rate": 50.0,  # 1 abandoned of 2 live answers
    "conversions": 1,
}
# All calls: 3 inbound + the callback call + 4 dials; with an agent: the answered inbound
# call, the callback and the connect; sales: the answered inbound call and the connect.
WHOLE_DAY = {"calls": 8, "calls_with_agent": 3, "conversions": 2, "callbacks_completed": 1}
# Revenue: the inbound sale (249.90) and the campaign's sale (100, the harness's amount).
REVENUE = 349.9


async def _call_of(f: Floor, sid: str) -> Call:
    """The call a carrier call belongs to: its own row, or the call whose leg it is."""
    async with f.env.sessions() as s:
        found = await s.scalar(select(Call).where(Call.provider_sid == sid))
        if found is None:
            leg = await s.scalar(select(CallLeg).where(CallLeg.provider_sid == sid))
            assert leg is not None, sid
            found = await s.get(Call, leg.call_id)
        assert found is not None
        return found


async def _inbound(f: Floor, org: str) -> str:
    bea = await f.agent(org, "bea")
    queue = await _setup(f, org, bea)
    await _queue_settings(f, queue, callback_enabled=True)
    # 1. Answered: Bea's line takes it, they talk 30 s, the caller hangs up; a sale.
    first = await f.carrier.place_inbound_call(ANSWERED, NUMBER)
    await f.advance(3)
    call_id = (await _call_of(f, first.sid)).id
    await f.advance(30)
    f.carrier.hang_up_party(first.sid)
    await f.advance(2)
    sale = {"code": "SALE", "amount": "249.90"}
    done = await f.post(bea, f"/api/v1/calls/{call_id}/disposition", sale)
    assert done.status_code == 200, done.text
    # 2. Abandoned: Bea at lunch; the caller waits 20 s and hangs up.
    await _on_break(f, bea.headers)
    second = await f.carrier.place_inbound_call(ABANDONED, NUMBER)
    await f.advance(20)
    f.carrier.hang_up_party(second.sid)
    await f.advance(2)
    # 3. Called back: the caller presses 1 and hangs up; Bea comes back, the callback
    #    rings her line, the customer answers, they talk, and it is not a sale.
    third = await f.carrier.place_inbound_call(CALLED_BACK, NUMBER)
    await f.advance(3)
    f.carrier.press_digits(third.sid, "1")
    await f.advance(12)
    assert third.is_final
    back = await f.env.client.put(
        "/api/v1/agents/me/state", headers=bea.headers, json={"state": "available"}
    )
    assert back.status_code == 200, back.text
    await f.advance(8)
    [callback] = [c for c in f.carrier.calls.values() if c.to == CALLED_BACK and not c.is_final]
    await f.advance(15)
    f.carrier.hang_up_party(callback.sid)
    await f.advance(2)
    row = await _call_of(f, callback.sid)
    done = await f.post(bea, f"/api/v1/calls/{row.id}/disposition", {"code": "NOT_INTERESTED"})
    assert done.status_code == 200, done.text
    await f.advance(1)
    return queue


async def _outbound(f: Floor, org: str) -> str:
    alex = await f.agent(org, "alex")
    cid, boss = await campaign(f, org, [alex])  # progressive, one agent
    list_id = await list_of(f, boss, cid)
    person = PartyScript(ring_seconds=3, hang_up_after=10)
    machine = PartyScript(
        behaviour=PartyBehaviour.MACHINE, ring_seconds=3, amd_seconds=0.5, hang_up_after=12
    )
    await add_contacts(
        f,
        org,
        list_id,
        [
            (CONNECT, "UTC", person),
            (MACHINE, "UTC", machine),
            (NO_ANSWER, "UTC", PartyScript(behaviour=PartyBehaviour.NO_ANSWER)),
        ],
    )
    started = await f.env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
    assert started.status_code == 200, started.text
    await run(f, 90, disposition="SALE")  # every contact dialled once and ended
    calls = await campaign_calls(f, cid)
    assert len(calls) == 3 and all(c.ended_at is not None for c in calls), [
        (c.to_number, c.state) for c in calls
    ]
    # 4. Dropped: the fourth customer answers while Alex's line has gone (browser closed).
    await add_contacts(f, org, list_id, [(DROPPED, "UTC", PartyScript(ring_seconds=3))])
    await run(f, 1)
    f.reload(alex)
    await run(f, 20)
    dropped = [c for c in await campaign_calls(f, cid) if c.to_number == DROPPED]
    assert [c.state for c in dropped] == ["abandoned"]
    return cid


async def test_a_scripted_shift_shows_the_hand_figures_everywhere(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        await engine_of(f).start()
        queue = await _inbound(f, org)
        cid = await _outbound(f, org)
        admin = f.agents["admin"].headers
        await env.counted()  # the live upkeep's last batch
        day = env.clock.now().date().isoformat()
        rng = {"from": day, "to": day}

        async def report(**params: Any) -> list[dict[str, Any]]:
            resp = await env.client.get("/api/v1/reports/run", params=rng | params, headers=admin)
            assert resp.status_code == 200, resp.text
            return list(resp.json()["rows"])

        # Templates.
        [support] = [
            r
            for r in await report(template="queue_interval", granularity="day")
            if r["queue_id"] == queue
        ]
        for metric in ("calls_offered", "calls_handled", "calls_abandoned"):
            assert support[metric] == INBOUND[metric], metric
        [spring] = [
            r for r in await report(template="campaign_performance") if r["campaign_id"] == cid
        ]
        for metric, value in OUTBOUND.items():
            assert spring[metric] == value, (metric, spring)
        [callbacks] = [r for r in await report(template="callbacks") if r["queue_id"] == queue]
        assert callbacks["callbacks_requested"] == INBOUND["callbacks_requested"]
        # The builder: any metrics, undivided.
        [whole] = await report(metrics=",".join(WHOLE_DAY))
        assert whole == WHOLE_DAY
        [money] = await report(metrics="revenue,revenue_per_sale")
        assert money == {"revenue": REVENUE, "revenue_per_sale": round(REVENUE / 2, 2)}
        # The wallboard (today), from the same rollups and the floor.
        hub = env.app.state.wallboard  # type: ignore[attr-defined]
        await asyncio.sleep(hub.settle_seconds + 0.2)
        await hub.tasks.drain()
        board = (await env.client.get("/api/v1/wallboard", headers=admin)).json()
        [tile] = [q for q in board["queues"] if q["id"] == queue]
        for metric in ("calls_offered", "calls_handled", "calls_abandoned"):
            assert tile[metric] == INBOUND[metric], metric
        [camp] = [c for c in board["campaigns"] if c["id"] == cid]
        assert camp["outbound_connects"] == OUTBOUND["outbound_connects"]
        assert camp["live_answers"] == OUTBOUND["live_answers"]
        # The CSV export of the builder's report.
        exported = await env.client.get(
            "/api/v1/reports/run",
            params=rng | {"metrics": ",".join(WHOLE_DAY), "format": "csv"},
            headers=admin,
        )
        [row] = list(csv.DictReader(io.StringIO(exported.text)))
        assert {k: int(v) for k, v in row.items()} == WHOLE_DAY
        # The XLSX export of the campaign template: the same figures, as numbers.
        xlsx = await env.client.get(
            "/api/v1/reports/run",
            params=rng | {"template": "campaign_performance", "format": "xlsx"},
            headers=admin,
        )
        assert xlsx.status_code == 200, xlsx.text
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
        assert sheet is not None
        header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
        [spring_row] = [dict(zip(header, r, strict=True)) for r in body if cid in r]
        for metric, value in OUTBOUND.items():
            assert spring_row[metric] == value, metric
        # Drill-down: each linked count opens exactly the calls behind it.
        page = await env.client.get(
            "/reports",
            params={
                "metrics": [
                    *("calls_offered", "calls_abandoned", "outbound_dials", "amd_machines"),
                    *("outbound_connects", "outbound_abandoned", "calls_with_agent"),
                ],
                "range": "custom",
                **rng,
            },
            headers=admin,
        )
        links = dict(re.findall(r'href="(/reports/calls\?[^"]+)"[^>]*>(\d+)<', page.text))
        assert len(links) == 7, links
        for href, shown in links.items():
            listed = await env.client.get(html.unescape(href), headers=admin)
            assert listed.status_code == 200, (href, listed.text[:300])
            total = re.search(r'data-testid="calls-total">(\d+) call', listed.text)
            assert total is not None and total.group(1) == shown, (href, shown)

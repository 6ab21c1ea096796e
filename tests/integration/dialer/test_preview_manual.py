"""Preview and manual campaigns, end to end over HTTP against the sandbox carrier.

Preview: the next contact comes through the dialler's own gates and is held for one agent
(no other agent, no dialler takes it; skip lets it go; an unused hold expires). Call places
it with the agent attached; the answer connects that agent, with no safe-harbour timer.
Manual: the agent picks a contact; every gate refuses with its reason; the call counts as
an attempt and its disposition drives the retry rules like a dialler call.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_dnc,
    campaign,
    campaign_calls,
    engine_of,
    run,
)
from tests.support import Env

from omnivox.campaigns.models import Contact, ContactAttempt, DncEntry
from omnivox.core.security.permissions import Role
from omnivox.dialer.contacts import claim_contact, select_dialable_contacts
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

OUTSIDE = "Asia/Dhaka"  # 18:00 at noon UTC: outside the 11:00-14:00 window
PERSON = PartyScript(ring_seconds=2)


async def _setup(
    f: Floor, org: str, agents: list[Agent], mode: str, **fields: Any
) -> tuple[str, str, Agent]:
    cid, boss = await campaign(f, org, agents, dial_mode=mode, **fields)
    detail = await f.env.client.get(f"/api/v1/campaigns/{cid}", headers=boss.headers)
    return cid, str(detail.json()["list_ids"][0]), boss


async def _start(f: Floor, boss: Agent, cid: str) -> None:
    started = await f.env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
    assert started.status_code == 200, started.text


async def _contact(
    f: Floor,
    org: str,
    list_id: str,
    phone: str,
    *,
    zone: str = "UTC",
    script: PartyScript = PERSON,
    **fields: Any,
) -> str:
    async with f.env.sessions() as s:
        row = Contact(
            organization_id=org,
            list_id=list_id,
            phone=phone,
            timezone=zone,
            timezone_source="explicit",
            created_at=f.env.clock.now(),
            **fields,
        )
        s.add(row)
        await s.commit()
        f.carrier.script_number(phone, script)
        return row.id


async def _row(env: Env, contact_id: str) -> Contact:
    async with env.sessions() as s:
        row = await s.get(Contact, contact_id)
        assert row is not None
        return row


async def _attempts(env: Env) -> list[ContactAttempt]:
    async with env.sessions() as s:
        return list((await s.scalars(select(ContactAttempt).order_by(ContactAttempt.at))).all())


async def _next(f: Floor, agent: Agent, cid: str, exclude: list[str] | None = None) -> Any:
    body = {"exclude": exclude} if exclude else None
    resp = await f.post(agent, f"/api/v1/campaigns/{cid}/preview/next", body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _offered(page: Any) -> str | None:
    return page["card"]["contact"]["id"] if page["card"] else None


async def test_preview_holds_the_next_contact_for_one_agent(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex, bea = await f.agent(org, "alex"), await f.agent(org, "bea")
        carol = await f.agent(org, "carol")  # not on the campaign
        lead = await f.agent(org, "lead", role=Role.ORG_ADMIN)
        team = await env.client.post(
            "/api/v1/teams", headers=lead.headers, json={"name": "Closers"}
        )
        assert team.status_code == 201, team.text
        members = await env.client.put(
            f"/api/v1/teams/{team.json()['id']}/members",
            headers=lead.headers,
            json={"user_ids": [bea.user_id]},
        )
        assert members.status_code == 200, members.text
        # Alex is assigned directly, Bea through her team.
        cid, list_id, admin = await _setup(
            f, org, [alex], "preview", team_ids=[team.json()["id"]], max_attempts=2
        )
        now = env.clock.now()
        top = await _contact(f, org, list_id, "+14155550101", priority=5, first_name="Ada")
        second = await _contact(f, org, list_id, "+14155550102", first_name="Bob")
        blocked = {
            await _contact(f, org, list_id, "+14155550103", zone=OUTSIDE, priority=9),
            await _contact(f, org, list_id, "+14155550104", priority=9),  # DNC below
            await _contact(f, org, list_id, "+14155550105", priority=9, attempts=2, status="retry"),
            await _contact(
                f,
                org,
                list_id,
                "+14155550106",
                priority=9,
                attempts=1,
                status="retry",
                last_abandoned_at=now - timedelta(hours=1),
            ),
        }
        await add_dnc(f, org, "+14155550104")

        draft = await f.post(alex, f"/api/v1/campaigns/{cid}/preview/next")
        assert draft.status_code == 409 and "not active" in draft.json()["detail"]
        await _start(f, admin, cid)
        refused = await f.post(carol, f"/api/v1/campaigns/{cid}/preview/next")
        assert refused.status_code == 403 and "not assigned" in refused.json()["detail"]

        # Two agents ask at the same moment: each gets a different contact.
        pages = await asyncio.gather(_next(f, alex, cid), _next(f, bea, cid))
        assert {_offered(p) for p in pages} == {top, second}
        holder = {_offered(p): who for p, who in zip(pages, (alex, bea), strict=True)}
        first, other = holder[top], holder[second]
        row = await _row(env, top)
        assert row.reserved_by == first.user_id and row.status == "new"
        assert row.reserved_until == env.clock.now() + timedelta(seconds=120)
        card = pages[0]["card"] if _offered(pages[0]) == top else pages[1]["card"]
        assert card["contact"]["first_name"] == "Ada" and card["contact"]["phone"] == "+14155550101"
        # Asking again gives the same held contact, not a second one.
        assert _offered(await _next(f, first, cid)) == top

        # Neither the other agent nor the automatic dialler's selection can take it.
        call_it = await f.post(other, f"/api/v1/campaigns/{cid}/preview/{top}/call")
        assert call_it.status_code == 409 and "no longer held for you" in call_it.json()["detail"]
        async with env.sessions() as s:
            picked = await select_dialable_contacts(s, cid, env.clock.now(), 10)
            assert top not in {c.contact_id for c in picked}
            assert not await claim_contact(s, top, env.clock.now())  # the engine's claim

        # Skip: the contact goes back to the pool, nothing is counted; the next one is
        # offered (none: the other is held and the rest are gated).
        skipped = await f.post(first, f"/api/v1/campaigns/{cid}/preview/{top}/skip")
        assert skipped.status_code == 200, skipped.text
        assert skipped.json()["card"] is None and "No contact" in skipped.json()["message"]
        row = await _row(env, top)
        assert row.reserved_by is None and row.attempts == 0 and row.status == "new"
        assert await _attempts(env) == []
        # A skipped contact comes back to the agent when nothing else can be offered.
        assert _offered(await _next(f, first, cid, exclude=[top])) == top

        # An unused hold expires: after 2 minutes the contact is anyone's again.
        env.clock.set(env.clock.now() + timedelta(seconds=121))
        assert _offered(await _next(f, other, cid)) == top
        late = await f.post(first, f"/api/v1/campaigns/{cid}/preview/{top}/call")
        assert late.status_code == 409 and late.json()["code"] == "preview-expired"

        # Gated contacts are never offered, however often the agents skip.
        seen: set[str] = set()
        for agent in (alex, bea, alex, bea):
            page = await _next(f, agent, cid)
            if (offered := _offered(page)) is not None:
                seen.add(offered)
                skip = await f.post(agent, f"/api/v1/campaigns/{cid}/preview/{offered}/skip")
                assert skip.status_code == 200
                if (again := _offered(skip.json())) is not None:
                    seen.add(again)
        assert seen and not seen & blocked

        # Paused between the preview and the call: the call is refused, nothing placed.
        held = _offered(await _next(f, alex, cid))
        assert held is not None
        paused = await env.client.post(f"/api/v1/campaigns/{cid}/pause", headers=admin.headers)
        assert paused.status_code == 200
        refused = await f.post(alex, f"/api/v1/campaigns/{cid}/preview/{held}/call")
        assert refused.status_code == 409 and "paused" in refused.json()["detail"]
        assert await campaign_calls(f, cid) == [] and await _attempts(env) == []


async def test_preview_call_connects_the_agent_who_placed_it(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        # No line (the line's auto-answer: test_agent_line.py): her softphone rings and
        # she picks up by hand, 4 s after the customer answers.
        alex, bea = await f.agent(org, "alex", line=False), await f.agent(org, "bea")
        alex.answer = False
        cid, list_id, admin = await _setup(
            f,
            org,
            [alex, bea],
            "preview",
            retry_rules=[{"code": "INTERESTED", "retry_after_minutes": 60, "max_retries": 3}],
        )
        ada = await _contact(
            f,
            org,
            list_id,
            "+14155550111",
            script=PartyScript(ring_seconds=2, hang_up_after=12),
            first_name="Ada",
            custom_fields={"plan": "gold"},
        )
        await _start(f, admin, cid)
        page = await _next(f, alex, cid)
        assert page["card"]["contact"]["custom_fields"] == {"plan": "gold"}
        assert page["card"]["attempts"] == [] and page["card"]["calls"] == []

        placed = await f.post(alex, f"/api/v1/campaigns/{cid}/preview/{ada}/call")
        assert placed.status_code == 201, placed.text
        call_id = placed.json()["call"]["id"]
        assert placed.json()["call"]["agent_id"] == alex.user_id
        assert await f.agent_state(alex) == "reserved"
        row = await _row(env, ada)
        assert row.status == "dialing" and row.reserved_by is None
        [attempt] = await _attempts(env)
        assert attempt.call_id == call_id and attempt.agent_id == alex.user_id

        await f.advance(3)  # answered at 2 s; only Alex's softphone rings
        assert alex.offers and not bea.offers
        await f.advance(4)  # well past 2 s after the answer: no safe-harbour drop
        call = await f.row(call_id)
        assert call.state == "answered_human" and call.end_reason is None
        f.carrier.softphones.handle(
            alex.phone, {"type": "answer", "call_sid": alex.offers[0]["call_sid"]}
        )
        await f.advance(1)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        assert await f.agent_state(alex) == "on_call" and await f.agent_state(bea) == "available"
        said = [e.kind for e in f.customer_leg(call).log]
        assert "say" not in said and "play" not in said  # no safe-harbour message
        assert not [e for e in await f.history(call_id) if e.trigger.startswith("amd")]
        card = await env.client.get(f"/api/v1/calls/{call_id}/contact", headers=alex.headers)
        assert card.status_code == 200 and card.json()["contact"]["id"] == ada

        await f.advance(8)  # the customer hangs up 12 s after answering
        assert await f.agent_state(alex) == "wrap_up"
        done = await f.post(alex, f"/api/v1/calls/{call_id}/disposition", {"code": "INTERESTED"})
        assert done.status_code == 200, done.text
        await f.settle()
        row = await _row(env, ada)
        [attempt] = await _attempts(env)
        assert attempt.disposition == "INTERESTED" and attempt.completed_at is not None
        assert row.status == "retry" and row.attempts == 1
        assert row.next_attempt_at == env.clock.now() + timedelta(minutes=60)
        assert await f.agent_state(alex) == "available"

        # The retry rule holds the contact back from preview until it is due.
        assert (await _next(f, alex, cid))["card"] is None
        env.clock.set(env.clock.now() + timedelta(minutes=61))
        again = await _next(f, bea, cid)
        assert _offered(again) == ada
        assert [a["disposition"] for a in again["card"]["attempts"]] == ["INTERESTED"]
        assert [c["id"] for c in again["card"]["calls"]] == [call_id]


async def test_unanswered_preview_call_frees_the_agent_and_counts(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, list_id, admin = await _setup(f, org, [alex], "preview")
        nobody = await _contact(
            f, org, list_id, "+14155550121", script=PartyScript(behaviour=PartyBehaviour.BUSY)
        )
        await _start(f, admin, cid)
        assert _offered(await _next(f, alex, cid)) == nobody
        placed = await f.post(alex, f"/api/v1/campaigns/{cid}/preview/{nobody}/call")
        assert placed.status_code == 201, placed.text
        await f.advance(4)
        [call] = await campaign_calls(f, cid)
        assert call.state == "busy"
        # Her own call went unanswered: wrap-up for a note (issue 14), then free.
        assert await f.agent_state(alex) == "wrap_up"
        noted = await f.post(alex, f"/api/v1/calls/{call.id}/disposition", {"code": "CALLBACK"})
        assert noted.status_code == 200, noted.text
        assert await f.agent_state(alex) == "available"
        [attempt] = await _attempts(env)
        row = await _row(env, nobody)
        assert attempt.disposition == "BUSY" and row.status == "retry" and row.attempts == 1


async def test_manual_dial_refuses_each_gate_and_records_the_call(env: Env) -> None:
    env.clock.set(NOON)
    now = env.clock.now()
    async with floor(env) as (f, org):
        alex, carol = await f.agent(org, "alex"), await f.agent(org, "carol")
        cid, list_id, admin = await _setup(f, org, [alex], "manual", max_attempts=3)
        ok = await _contact(
            f,
            org,
            list_id,
            "+14155550131",
            script=PartyScript(ring_seconds=2, hang_up_after=5),
            first_name="Grace",
            last_name="Hopper",
        )
        gated = {
            "outside the calling window": await _contact(
                f, org, list_id, "+14155550132", zone=OUTSIDE
            ),
            "do-not-call": await _contact(f, org, list_id, "+14155550133"),
            "maximum is 3": await _contact(
                f, org, list_id, "+14155550134", attempts=3, status="retry"
            ),
            "abandoned less than 72 hours ago": await _contact(
                f,
                org,
                list_id,
                "+14155550135",
                attempts=1,
                status="retry",
                last_abandoned_at=now - timedelta(hours=2),
            ),
            "not due before": await _contact(
                f,
                org,
                list_id,
                "+14155550136",
                attempts=1,
                status="retry",
                next_attempt_at=now + timedelta(minutes=30),
            ),
        }
        await add_dnc(f, org, "+14155550133")
        await _start(f, admin, cid)

        found = await env.client.get(
            f"/api/v1/campaigns/{cid}/manual/contacts", headers=alex.headers, params={"q": "hopper"}
        )
        assert found.status_code == 200, found.text
        assert [(r["contact"]["id"], r["dialable"]) for r in found.json()] == [(ok, True)]
        listing = await env.client.get(
            f"/api/v1/campaigns/{cid}/manual/contacts", headers=alex.headers
        )
        reasons = {r["contact"]["id"]: r["reason"] for r in listing.json()}
        for words, contact_id in gated.items():
            assert words in reasons[contact_id], (words, reasons[contact_id])
            refused = await f.post(alex, f"/api/v1/campaigns/{cid}/manual/{contact_id}/dial")
            assert refused.status_code == 409, refused.text
            assert words in refused.json()["detail"]
        assert "Asia/Dhaka" in reasons[gated["outside the calling window"]]
        assert await _attempts(env) == [] and await campaign_calls(f, cid) == []

        other = await f.post(carol, f"/api/v1/campaigns/{cid}/manual/{ok}/dial")
        assert other.status_code == 403
        assert (await f.post(alex, f"/api/v1/campaigns/{cid}/preview/next")).status_code == 409
        # Not available: refused before anything is recorded.
        away = await env.client.put(
            "/api/v1/agents/me/state", headers=alex.headers, json={"state": "offline"}
        )
        assert away.status_code == 200, away.text
        on_break = await f.post(alex, f"/api/v1/campaigns/{cid}/manual/{ok}/dial")
        assert on_break.status_code == 409 and "available" in on_break.json()["detail"]
        assert await _attempts(env) == [] and (await _row(env, ok)).status == "new"
        await env.client.put(
            "/api/v1/agents/me/state", headers=alex.headers, json={"state": "available"}
        )

        placed = await f.post(alex, f"/api/v1/campaigns/{cid}/manual/{ok}/dial")
        assert placed.status_code == 201, placed.text
        call_id = placed.json()["call"]["id"]
        twice = await f.post(alex, f"/api/v1/campaigns/{cid}/manual/{ok}/dial")
        assert twice.status_code == 409 and "being dialled" in twice.json()["detail"]
        await f.advance(4)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        await f.advance(5)
        assert await f.agent_state(alex) == "wrap_up"
        # A do-not-call disposition puts the number on the organisation's list.
        done = await f.post(alex, f"/api/v1/calls/{call_id}/disposition", {"code": "DNC"})
        assert done.status_code == 200, done.text
        await f.settle()
        row = await _row(env, ok)
        [attempt] = await _attempts(env)
        assert row.status == "dnc" and attempt.disposition == "DNC" and attempt.call_id == call_id
        async with env.sessions() as s:
            listed = await s.scalar(
                select(func.count()).where(
                    DncEntry.phone == "+14155550131", DncEntry.scope == "org"
                )
            )
        assert listed == 1
        again = await f.post(alex, f"/api/v1/campaigns/{cid}/manual/{ok}/dial")
        assert again.status_code == 409 and "do-not-call" in again.json()["detail"]


async def test_dialler_skips_a_contact_held_for_a_preview(sqlite_env: Env) -> None:
    """One list in a preview and a progressive campaign: the dialler waits for the hold."""
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex, bea = await f.agent(org, "alex"), await f.agent(org, "bea")
        cid, list_id, admin = await _setup(f, org, [alex], "preview")
        auto = await env.client.post(
            "/api/v1/campaigns",
            headers=admin.headers,
            json={
                "name": "Autumn",
                "dial_mode": "progressive",
                "window_start": "11:00",
                "window_end": "14:00",
                "agent_ids": [bea.user_id],
                "list_ids": [list_id],
            },
        )
        assert auto.status_code == 201, auto.text
        shared = await _contact(f, org, list_id, "+14155550141")
        await _start(f, admin, cid)
        assert _offered(await _next(f, alex, cid)) == shared
        engine = engine_of(f)
        await engine.start()
        try:
            await _start(f, admin, auto.json()["id"])
            await run(f, 3)
            assert await campaign_calls(f, auto.json()["id"]) == []
            skip = await f.post(alex, f"/api/v1/campaigns/{cid}/preview/{shared}/skip")
            assert skip.status_code == 200
            await run(f, 3)
            [call] = await campaign_calls(f, auto.json()["id"])
            assert call.to_number == "+14155550141"
        finally:
            await engine.stop()


async def test_bad_input_is_refused_with_a_message(sqlite_env: Env) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, _list_id, admin = await _setup(f, org, [alex], "manual")
        await _start(f, admin, cid)
        other_list = await env.client.post(
            "/api/v1/lists", headers=admin.headers, json={"name": "Elsewhere"}
        )
        stray = await _contact(f, org, other_list.json()["id"], "+14155550151")
        missing = await f.post(alex, f"/api/v1/campaigns/{cid}/manual/{stray}/dial")
        assert missing.status_code == 404 and "campaign's lists" in missing.json()["detail"]
        unknown = await f.post(alex, f"/api/v1/campaigns/{'x' * 32}/manual/{stray}/dial")
        assert unknown.status_code == 404
        long_q = await env.client.get(
            f"/api/v1/campaigns/{cid}/manual/contacts",
            headers=alex.headers,
            params={"q": "9" * 101},
        )
        assert long_q.status_code == 422
        wrong_body = await env.client.post(
            f"/api/v1/campaigns/{cid}/preview/next",
            headers=alex.headers,
            json={"exclude": "nope"},
        )
        assert wrong_body.status_code == 422
        assert await _attempts(env) == []
        row = await _row(env, stray)
        assert row.status == "new" and row.reserved_by is None


async def test_an_agent_previewing_a_contact_is_not_offered_inbound_calls(
    sqlite_env: Env,
) -> None:
    from tests.integration.inbound.test_inbound_flow import CALLER, NUMBER
    from tests.integration.inbound.test_inbound_flow import _setup as queue_setup

    sqlite_env.clock.set(NOON)
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")  # idle longest: the queue's first choice
        await f.advance(5)
        bea = await f.agent(org, "bea")
        cid, list_id, boss = await _setup(f, org, [alex], "preview")
        await _contact(f, org, list_id, "+14155550101")
        await _start(f, boss, cid)
        await queue_setup(f, org, alex, bea)
        card = await _next(f, alex, cid)
        assert _offered(card) is not None  # Alex is looking at a contact, about to dial
        await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        assert alex.offers == [] and len(bea.offers) == 1


async def test_an_agent_previewing_a_contact_is_not_counted_ready_by_the_dialler(
    sqlite_env: Env,
) -> None:
    """Alex is on a preview and a progressive campaign: while he reads a previewed contact,
    the progressive dialler does not dial for him."""
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, list_id, admin = await _setup(f, org, [alex], "preview")
        other = await env.client.post("/api/v1/lists", headers=admin.headers, json={"name": "B"})
        assert other.status_code == 201, other.text
        auto = await env.client.post(
            "/api/v1/campaigns",
            headers=admin.headers,
            json={
                "name": "Autumn",
                "dial_mode": "progressive",
                "window_start": "11:00",
                "window_end": "14:00",
                "agent_ids": [alex.user_id],
                "list_ids": [other.json()["id"]],
            },
        )
        assert auto.status_code == 201, auto.text
        previewed = await _contact(f, org, list_id, "+14155550151")
        await _contact(f, org, other.json()["id"], "+14155550152")
        await _start(f, admin, cid)
        assert _offered(await _next(f, alex, cid)) == previewed
        engine = engine_of(f)
        await engine.start()
        try:
            await _start(f, admin, auto.json()["id"])
            await run(f, 3)
            assert await campaign_calls(f, auto.json()["id"]) == []
            done = await f.post(alex, f"/api/v1/campaigns/{cid}/preview/{previewed}/skip")
            assert done.status_code == 200 and _offered(done.json()) is None
            await run(f, 3)
            [call] = await campaign_calls(f, auto.json()["id"])
            assert call.to_number == "+14155550152"
        finally:
            await engine.stop()

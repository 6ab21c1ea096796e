"""A simulated shift on the sandbox (issue #6): 500 contacts, 5 virtual agents, predictive.

The campaign runs from 12:50 UTC for 18 virtual minutes on the test's clock, on SQLite and
PostgreSQL. Its contacts live in six zones (window 11:00-14:00 local): some are inside it
all along, some come into it at 13:00 UTC, some leave it then, some never enter it. Some
are on the organisation's or the campaign's do-not-call list (one set added mid-shift),
some have used up their attempts already. Parties answer, talk and hang up, are busy,
never answer or are machines; agents disposition every call they take, some "no answer"
(retried, like the carrier's no-answers and busies); one agent misses offers for the first
minute, so some answers are abandoned with the safe-harbour message. Then the campaign is
paused while contacts are still due, and the floor runs until every call has ended.

Everything is checked from the database (calls, attempts, contacts) and the HTTP API.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.integration.calls.calls_harness import floor
from tests.integration.dialer.dialer_harness import (
    ContactSpec,
    add_contacts,
    add_dnc,
    campaign,
    campaign_calls,
    engine_of,
    list_of,
    run,
)
from tests.support import Env

from omnivox.campaigns.models import Contact, ContactAttempt
from omnivox.dialer.contacts import select_dialable_contacts
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

pytestmark = pytest.mark.slow

B = PartyBehaviour
START = datetime(2026, 3, 10, 12, 50, tzinfo=UTC)  # a Tuesday
TURN = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # some windows open, some close
CONTACTS = 500
MAX_ATTEMPTS = 3
SAFE_HARBOUR = "Sorry we missed you, this is Acme, we will call again."
# Zones without daylight saving time, so the test decides the same way all year.
ZONES = [
    "UTC",  # 12:50 local: inside all shift
    "UTC",
    "UTC",
    "UTC",
    "UTC",
    "Atlantic/Cape_Verde",  # UTC-1, 11:50: inside
    "America/Noronha",  # UTC-2, 10:50: comes into the window at 13:00 UTC
    "UTC America/Noronha",  # a number in two zones: both must allow it (from 13:00)
    "Africa/Lagos",  # UTC+1, 13:50: leaves the window at 13:00 UTC
    "Asia/Dhaka",  # UTC+6, 18:50: outside all shift
]
SCRIPTS = [
    PartyScript(ring_seconds=3, hang_up_after=10),
    PartyScript(ring_seconds=5, hang_up_after=16),
    PartyScript(ring_seconds=2, hang_up_after=6),
    # A machine: it may reach an agent before AMD decides, and is taken back (docs/dialer.md).
    PartyScript(behaviour=B.MACHINE, ring_seconds=4, amd_seconds=1.0, hang_up_after=12),
    PartyScript(behaviour=B.BUSY, ring_seconds=1),
    PartyScript(behaviour=B.NO_ANSWER),
    PartyScript(ring_seconds=4, hang_up_after=8),
]
AGENT_CODES = ["SALE", "NOT_INTERESTED", "NO_ANSWER", "INTERESTED"]


def phone(i: int) -> str:
    return f"+1415556{i:04d}"


def agent_code(number: str) -> str:
    """What the agent enters in wrap-up: "NO_ANSWER" for every fourth number (retried)."""
    return AGENT_CODES[int(number[-4:]) % len(AGENT_CODES)]


def contact_list() -> tuple[list[ContactSpec], set[str], set[str], set[str]]:
    """The contacts, with the org-DNC, campaign-DNC and used-up numbers. Contacts that
    must never be dialled get the highest priority, so a gate that leaks shows at once."""
    specs: list[ContactSpec] = []
    org_dnc, campaign_dnc, used_up = set(), set(), set()
    for i in range(CONTACTS):
        zone = ZONES[i % len(ZONES)]
        fields: dict[str, object] = {"priority": 5 if "Noronha" in zone or "Lagos" in zone else 0}
        if zone == "Asia/Dhaka":
            fields["priority"] = 9
        if i % 25 == 0:
            org_dnc.add(phone(i))
            fields["priority"] = 9
        elif i % 25 == 1:
            campaign_dnc.add(phone(i))
            fields["priority"] = 9
        elif i % 25 == 2:
            used_up.add(phone(i))
            fields.update(priority=9, attempts=MAX_ATTEMPTS, status="retry")
        specs.append((phone(i), zone, SCRIPTS[i % len(SCRIPTS)], fields))
    return specs, org_dnc, campaign_dnc, used_up


def inside_window(zones: str, at: datetime) -> bool:
    return all(time(11) <= at.astimezone(ZoneInfo(z)).time() < time(14) for z in zones.split())


async def test_shift_of_500_contacts_respects_every_gate_and_pause_stops_at_once(
    env: Env,
) -> None:
    env.clock.set(START)
    specs, org_dnc, campaign_dnc, used_up = contact_list()
    async with floor(env) as (f, org):
        agents = [await f.agent(org, f"agent{i}") for i in range(5)]
        cid, boss = await campaign(
            f,
            org,
            agents,
            dial_mode="predictive",
            max_attempts=MAX_ATTEMPTS,
            retry_rules=[
                {"code": "NO_ANSWER", "retry_after_minutes": 4, "max_retries": 5},
                {"code": "BUSY", "retry_after_minutes": 2, "max_retries": 5},
            ],
            safe_harbour_text=SAFE_HARBOUR,
        )
        await add_contacts(f, org, await list_of(f, boss, cid), specs)
        for number in org_dnc:
            await add_dnc(f, org, number)
        for number in campaign_dnc:
            await add_dnc(f, org, number, campaign_id=cid)
        api, h = env.client, boss.headers
        engine = engine_of(f)
        await engine.start()
        try:
            assert (await api.post(f"/api/v1/campaigns/{cid}/start", headers=h)).status_code == 200
            agents[4].answer = False  # misses every offer for a minute: abandons
            await run(f, 60, disposition=agent_code)
            agents[4].answer = True
            await run(f, 240, disposition=agent_code)
            # Mid-shift, ten numbers not dialled yet go on the campaign's list.
            async with env.sessions() as s:
                fresh = await s.scalars(
                    select(Contact.phone)
                    .where(Contact.status == "new", Contact.timezone == "UTC")
                    .order_by(Contact.phone)
                )
                late_dnc = [n for n in fresh if n not in org_dnc | campaign_dnc][:10]
            assert len(late_dnc) == 10
            late_dnc_at = env.clock.now()
            for number in late_dnc:
                added = await api.post(
                    "/api/v1/dnc", headers=h, json={"phone": number, "campaign_id": cid}
                )
                assert added.status_code == 201, added.text
            await run(f, 780, disposition=agent_code)
            # Pause with contacts still due and agents on the floor.
            async with env.sessions() as s:
                due = await select_dialable_contacts(s, cid, env.clock.now(), 5)
            assert due, "the shift ran out of contacts: the pause would prove nothing"
            paused = await api.post(f"/api/v1/campaigns/{cid}/pause", headers=h)
            assert paused.status_code == 200
            paused_at = env.clock.now()
            placed_at_pause = len(await campaign_calls(f, cid))
            await run(f, 90, disposition=agent_code)  # every call ends; agents disposition
            calls = await campaign_calls(f, cid)
            stats = (await api.get(f"/api/v1/campaigns/{cid}/live", headers=h)).json()
            said = {
                c.id: [e.detail.get("text") for e in f.customer_leg(c).log if e.kind == "say"]
                for c in calls
                if c.state == "abandoned"
            }
        finally:
            await engine.stop()

    async with env.sessions() as s:
        contacts = {c.phone: c for c in await s.scalars(select(Contact))}
        attempts = list(await s.scalars(select(ContactAttempt)))

    # Pausing stops new calls at once, though contacts were due and agents free.
    assert len(calls) == placed_at_pause
    assert all(c.created_at <= paused_at for c in calls)
    assert stats["agents"]["available"] == 5
    # The shift dialled most of the list (several hundred calls).
    dialled = Counter(c.to_number for c in calls)
    assert len(calls) >= 350, len(calls)

    # Calling windows: every call inside its contact's window in every zone of it; the
    # zones that opened at 13:00 were dialled, only after it; the one that closed, before.
    for call in calls:
        zones = contacts[call.to_number].timezone
        assert inside_window(zones, call.created_at), (zones, call.created_at)
    by_zone = Counter(contacts[c.to_number].timezone for c in calls)
    assert by_zone["America/Noronha"] > 0 and by_zone["UTC America/Noronha"] > 0
    assert by_zone["Africa/Lagos"] > 0 and by_zone["Asia/Dhaka"] == 0
    assert min(c.created_at for c in calls if "Noronha" in contacts[c.to_number].timezone) >= TURN
    assert max(c.created_at for c in calls if "Lagos" in contacts[c.to_number].timezone) < TURN

    # Do-not-call: the organisation's and the campaign's lists, and numbers added mid-shift.
    assert not (org_dnc | campaign_dnc) & set(dialled)
    assert all(c.created_at < late_dnc_at for c in calls if c.to_number in late_dnc)

    # Max attempts: never beyond the campaign's limit; used-up contacts never dialled.
    assert not used_up & set(dialled)
    per_contact = Counter(a.contact_id for a in attempts)
    for number, contact in contacts.items():
        before = MAX_ATTEMPTS if number in used_up else 0
        assert contact.attempts == before + per_contact[contact.id] == before + dialled[number]
        assert contact.attempts <= MAX_ATTEMPTS
    assert max(dialled.values()) == MAX_ATTEMPTS  # retries happened, up to the limit

    # Every call ended, and its (one) attempt carries a disposition.
    assert all(c.state in {"completed", "busy", "no_answer", "abandoned", "failed"} for c in calls)
    assert all(c.ended_at is not None for c in calls)
    by_call = {a.call_id: a for a in attempts}
    assert len(by_call) == len(attempts) == len(calls)
    assert all(by_call[c.id].disposition and by_call[c.id].completed_at for c in calls)
    assert not [c for c in contacts.values() if c.status == "dialing"]
    talked = [c for c in calls if c.agent_id is not None and c.state == "completed"]
    assert talked and all(c.disposition_code for c in talked)
    codes = Counter(a.disposition for a in attempts)
    assert {*AGENT_CODES, "BUSY", "ABANDONED"} <= set(codes), codes

    # Abandons: the safe-harbour message, within 2 s of the answer (the test's 0.5 s steps).
    abandoned = [c for c in calls if c.state == "abandoned"]
    assert abandoned
    for call in abandoned:
        assert call.answered_at is not None and call.ended_at is not None
        assert (call.ended_at - call.answered_at) <= timedelta(seconds=2.5)
        assert SAFE_HARBOUR in said[call.id]

    # The abandon rate shown is the one the call records give.
    live = [
        c
        for c in calls
        if c.answered_at is not None and c.end_reason != "machine" and c.state != "answered_machine"
    ]
    assert stats["dialled"] == len(calls)
    assert stats["answered"] == sum(c.answered_at is not None for c in calls)
    assert stats["abandoned"] == len(abandoned) and stats["live_answers"] == len(live)
    assert stats["abandon_rate"] == pytest.approx(len(abandoned) / len(live))

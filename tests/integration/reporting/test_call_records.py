"""Call detail records and downloads: the calls behind a report's figures (the same count
per period), keyset pages that return every call once, who sees which calls, the
recording player only for those who may hear recordings, and the report and record
downloads (content type, file name)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlencode

from tests.integration.reporting.shift import Shift, build_shift
from tests.integration.reporting.test_reports_api import _shift
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony import Recording

DAY = {"from": "2026-03-10", "to": "2026-03-10"}
TWILIO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


async def _records(env: Env, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    resp = await env.client.get("/api/v1/reports/calls", params={**DAY, **params}, headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _report(env: Env, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    resp = await env.client.get("/api/v1/reports/run", params={**DAY, **params}, headers=headers)
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, Any]] = resp.json()["rows"]
    return rows


async def _admin(env: Env, shift: Shift) -> dict[str, str]:
    await env.user(shift.org_id, "boss@acme.example.com", Role.ORG_ADMIN)
    return await env.token("boss@acme.example.com")


async def test_a_period_drills_down_to_as_many_calls_as_the_report_counts(env: Env) -> None:
    shift = await _shift(env)
    boss = await _admin(env, shift)
    periods = await _report(
        env, boss, metrics="calls,calls_abandoned", granularity="15m", filter="queue=Support"
    )
    # By hand: three Support calls end 09:00-09:15 (09:02:38, 09:06:25, 09:10:05), one
    # at 09:20:40.
    assert [(r["period"][11:16], r["calls"]) for r in periods] == [("09:00", 3), ("09:15", 1)]
    for row in periods:
        found = await _records(env, boss, period=row["period"], granularity="15m", queue="Support")
        assert found["total"] == row["calls"] == len(found["rows"])
        assert {r["queue"] for r in found["rows"]} == {"Support"}
        abandoned = await _records(
            env, boss, period=row["period"], granularity="15m", queue="Support", outcome="abandoned"
        )
        assert abandoned["total"] == row["calls_abandoned"]
    # The day's outbound figures drill down the same way, by outcome.
    (day,) = await _report(env, boss, metrics="outbound_dials,amd_machines,outbound_connects")
    assert (await _records(env, boss, direction="outbound"))["total"] == day["outbound_dials"] == 4
    machines = await _records(env, boss, direction="outbound", outcome="machine")
    assert machines["total"] == day["amd_machines"] == 1
    answered = await _records(env, boss, campaign="Spring", outcome="answered")
    assert answered["total"] == day["outbound_connects"] == 2
    first = next(
        r for r in (await _records(env, boss, disposition="SALE", queue="Support"))["rows"]
    )
    assert (first["start"], first["end"], first["wait_seconds"], first["talk_seconds"]) == (
        "2026-03-10 09:00:00",
        "2026-03-10 09:02:38",
        8.0,
        120.0,
    )
    assert (await _records(env, boss, number="0199", outcome="unanswered"))["total"] == 0


async def test_keyset_pages_return_every_call_exactly_once(env: Env) -> None:
    shift = await _shift(env)
    boss = await _admin(env, shift)
    seen: list[str] = []
    after = ""
    for _ in range(10):
        page = await _records(env, boss, limit=2, **({"after": after} if after else {}))
        assert page["total"] == 9
        seen += [r["call_id"] for r in page["rows"]]
        if page["next"] is None:
            break
        after = page["next"]
    assert sorted(seen) == sorted(shift.call_ids) and len(seen) == len(set(seen)) == 9
    bad = await env.client.get(
        "/api/v1/reports/calls", params={**DAY, "after": "nonsense"}, headers=boss
    )
    assert bad.status_code == 422 and "after" in bad.text


async def test_an_agent_sees_only_their_own_calls_and_no_tenant_another(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await _shift(env)
    other = await build_shift(env, slug="other")
    boss = await _admin(env, shift)
    assert (await _records(env, boss))["total"] == 9  # not the other organisation's 9
    alice = await env.token("alice@acme.example.com")
    mine = await _records(env, alice)
    assert mine["total"] == 3 and {r["agent"] for r in mine["rows"]} == {"alice"}
    refused = await env.client.get(
        "/api/v1/reports/calls", params={**DAY, "agent": "bob@acme.example.com"}, headers=alice
    )
    assert refused.status_code == 403
    theirs = await env.client.get(
        "/api/v1/reports/calls", params={**DAY, "queue": other.support}, headers=boss
    )
    assert theirs.status_code == 422 and "no queue" in theirs.text
    page = await env.client.get("/reports/calls", params=DAY, headers=alice)
    assert page.status_code == 200 and 'data-testid="calls-total">3 calls' in page.text


async def test_the_recording_player_is_only_for_those_who_may_hear_recordings(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    shift = await _shift(env)
    async with env.sessions() as s:
        heard = Recording(
            call_id=shift.call_ids[0],
            organization_id=shift.org_id,
            provider_sid="RE1",
            status="completed",
            duration_seconds=120,
            url=TWILIO_URL,
        )
        sandbox = Recording(
            call_id=shift.call_ids[1],
            organization_id=shift.org_id,
            provider_sid="RE2",
            status="completed",
            duration_seconds=60,
            url="http://127.0.0.1/sandbox/rec/RE2",
        )
        s.add_all([heard, sandbox])
        await s.commit()
    await env.user(shift.org_id, "sue@acme.example.com", Role.SUPERVISOR)
    sue = await env.token("sue@acme.example.com", whole_role=True)
    page = await env.client.get("/reports/calls", params=DAY, headers=sue)
    assert page.status_code == 200
    assert f'src="/reports/recordings/{heard.id}/audio"' in page.text
    assert "sandbox recording, 60 s (no audio)" in page.text
    no_audio = await env.client.get(f"/reports/recordings/{sandbox.id}/audio", headers=sue)
    assert no_audio.status_code == 409
    alice = await env.token("alice@acme.example.com", whole_role=True)
    hers = await env.client.get("/reports/calls", params=DAY, headers=alice)
    # Her own call has a recording, but an agent may not hear recordings.
    assert hers.status_code == 200 and shift.call_ids[0] in hers.text
    assert "recording-player" not in hers.text and "/audio" not in hers.text
    refused = await env.client.get(f"/reports/recordings/{heard.id}/audio", headers=alice)
    assert refused.status_code == 403


async def test_the_page_filters_pages_and_says_what_is_wrong(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await _shift(env)
    boss = await _admin(env, shift)
    page = await env.client.get(
        "/reports/calls", params={**DAY, "queue": "Support", "outcome": "abandoned"}, headers=boss
    )
    assert page.status_code == 200 and 'data-testid="calls-total">2 calls' in page.text
    assert page.text.count("<tr data-call=") == 2
    # A link naming only a period: its own dates (a week from Monday 9 March).
    week = await env.client.get(
        "/reports/calls", params={"period": "2026-03-09", "granularity": "week"}, headers=boss
    )
    assert week.status_code == 200 and 'data-testid="calls-total">9 calls' in week.text
    assert 'name="to" value="2026-03-15"' in week.text
    env.settings.report_records_page_size = 4  # the app reads its settings per request
    url, seen, totals, pages = "/reports/calls?" + urlencode(DAY), [], set(), 0
    while url:
        pages += 1
        page = await env.client.get(url.replace("&amp;", "&"), headers=boss)
        assert page.status_code == 200
        seen += re.findall(r'<tr data-call="(\w+)"', page.text)
        totals |= set(re.findall(r'data-testid="calls-total">(\d+) calls', page.text))
        found = re.search(r'<a href="([^"]+)" data-testid="calls-next">', page.text)
        url = found.group(1) if found else ""
    assert len(seen) == len(set(seen)) == 9 and totals == {"9"} and pages == 3
    bad = await env.client.get("/reports/calls", params={**DAY, "outcome": "maybe"}, headers=boss)
    assert bad.status_code == 422 and "outcome" in bad.text
    bad = await env.client.get(
        "/reports/calls", params={**DAY, "period": "2026-03-10"}, headers=boss
    )
    assert bad.status_code == 422 and "granularity" in bad.text


async def test_downloads_carry_their_type_and_file_name(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await _shift(env)
    boss = await _admin(env, shift)
    params = {**DAY, "template": "queue_interval", "granularity": "day"}
    for fmt, kind, magic in (
        ("csv", "text/csv", b"period,"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
    ):
        resp = await env.client.get(
            "/api/v1/reports/run", params={**params, "format": fmt}, headers=boss
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith(kind)
        assert resp.headers["content-disposition"] == (
            f'attachment; filename="queue_interval-2026-03-10-2026-03-10.{fmt}"'
        )
        assert resp.content.startswith(magic)
    calls = await env.client.get(
        "/api/v1/reports/calls", params={**DAY, "format": "csv", "queue": "Support"}, headers=boss
    )
    assert calls.headers["content-disposition"].endswith(
        'filename="calls-2026-03-10-2026-03-10.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(calls.text, newline="")))
    assert len(rows) == 4 and rows[0]["queue"] == "Support"
    none = await env.client.get(
        "/api/v1/reports/calls",
        params={"from": "2026-03-11", "to": "2026-03-11", "format": "csv"},
        headers=boss,
    )
    assert none.text.splitlines() == [
        ",".join(
            [
                "call_id",
                "start",
                "end",
                "direction",
                "from",
                "to",
                "queue",
                "campaign",
                "agent",
                "disposition",
                "outcome",
                "wait_seconds",
                "talk_seconds",
                "end_reason",
            ]
        )
    ]


async def test_agent_activity_and_contacts_export(env: Env) -> None:
    shift = await _shift(env)
    boss = await _admin(env, shift)
    resp = await env.client.get(
        "/api/v1/reports/export/agent-activity",
        params={**DAY, "filter": "agent=alice@acme.example.com", "format": "json"},
        headers=boss,
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-disposition"].endswith(
        'filename="agent-activity-2026-03-10-2026-03-10.json"'
    )
    rows = resp.json()
    # By hand: available 08:50:00-09:00:08 (10 min 8 s), on call to 09:02:38, wrap-up
    # 20 s, available to 09:30, lunch break 30 min, available 30 min, then offline (still running).
    assert [(r["state"], r["reason"], r["duration_seconds"]) for r in rows] == [
        ("available", None, 608.0),
        ("on_call", None, 150.0),
        ("wrap_up", None, 20.0),
        ("available", None, 1622.0),
        ("break", "lunch", 1800.0),
        ("available", None, 1800.0),
        ("offline", None, None),
    ]
    alice = await env.token("alice@acme.example.com")
    refused = await env.client.get(
        "/api/v1/reports/export/contacts", params={"format": "csv"}, headers=alice
    )
    assert refused.status_code == 403
    await _contacts(env, shift.org_id)
    contacts = await env.client.get(
        "/api/v1/reports/export/contacts",
        params={"format": "csv", "filter": "campaign=Autumn"},
        headers=boss,
    )
    assert contacts.status_code == 200, contacts.text
    rows = list(csv.DictReader(io.StringIO(contacts.text, newline="")))
    assert [
        (r["campaign"], r["phone"], r["first_name"], r["status"], r["attempts"]) for r in rows
    ] == [
        ("Autumn", "+14155550123", "'=HYPERLINK(1)", "done", "2"),
    ]
    assert (
        rows[0]["last_disposition"] == "SALE" and rows[0]["last_attempt"] == "2026-03-10 09:30:00"
    )


async def _contacts(env: Env, org_id: str) -> None:
    """A campaign with one list of one contact (a hostile name), tried twice; another
    campaign's contact that the filter leaves out."""
    from datetime import UTC, datetime

    from omnivox.campaigns import Contact, lists
    from omnivox.campaigns import campaigns as campaign_service
    from omnivox.campaigns.schemas import CampaignCreate, ContactCreate, ListCreate
    from omnivox.core.security.principal import Principal

    actor, now = Principal.system(org_id), datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    async with env.sessions() as s:
        for name, first in (("Autumn", "=HYPERLINK(1)"), ("Winter", "Other")):
            the_list = await lists.create_list(s, actor, ListCreate(name=f"{name} list"))
            await campaign_service.create_campaign(
                s, actor, CampaignCreate(name=name, list_ids=[the_list.id])
            )
            contact = await lists.add_contact(
                s,
                actor,
                the_list.id,
                ContactCreate(phone="+14155550123", first_name=first, timezone="UTC"),
                now,
            )
            row = await s.get(Contact, contact.id)
            assert row is not None
            row.status, row.attempts, row.last_disposition = "done", 2, "SALE"
            row.last_attempt_at = now
        await s.commit()


async def test_a_supervisor_bounded_by_team_sees_their_team_calls_and_recordings(
    sqlite_env: Env,
) -> None:
    from omnivox.accounts import Organization, teams
    from omnivox.accounts.schemas import TeamCreate, TeamMembersWrite
    from omnivox.core.security.principal import Principal

    env = sqlite_env
    shift = await _shift(env)
    sup = await env.user(shift.org_id, "sue@acme.example.com", Role.SUPERVISOR)
    async with env.sessions() as s:
        actor = Principal.system(shift.org_id)
        team = await teams.create_team(s, actor, TeamCreate(name="Morning"))
        await teams.set_team_members(s, actor, team.id, TeamMembersWrite(user_ids=[sup, shift.bob]))
        org = await s.get(Organization, shift.org_id)
        assert org is not None
        org.supervisor_scope = "teams"
        # Alice's first call is recorded: not Sue's to hear, her team is Bob's.
        alices = Recording(
            call_id=shift.call_ids[0],
            organization_id=shift.org_id,
            provider_sid="RE9",
            status="completed",
            url=TWILIO_URL,
        )
        s.add(alices)
        await s.commit()
    sue = await env.token("sue@acme.example.com", whole_role=True)
    found = await _records(env, sue)
    assert found["total"] == 2 and {r["agent"] for r in found["rows"]} == {"bob"}
    refused = await env.client.get(f"/reports/recordings/{alices.id}/audio", headers=sue)
    assert refused.status_code == 404

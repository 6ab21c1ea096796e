"""The dialler's data side on both backends: selection order and gates, outcomes, DNC
dispositions, callbacks first, lifecycle history, validation naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.campaigns.helpers import admin, new_list
from tests.support import Env

from omnivox.campaigns import is_dnc
from omnivox.core.security.permissions import Role
from omnivox.dialer.attempts import begin_attempt, record_attempt_outcome
from omnivox.dialer.contacts import select_dialable_contacts
from omnivox.dialer.dial_settings import get_dial_settings

NOON_NY = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 13:00 New York, 02:00 Tokyo


async def _setup(env: Env) -> tuple[dict[str, str], str, dict[str, str]]:
    org, headers = await admin(env)
    agent = await env.user(org, "alex@acme.example.com", Role.AGENT)  # a campaign needs one
    list_id = await new_list(env, headers)
    ids = {}
    for phone, tz, prio in (
        ("+12125550101", "America/New_York", 0),
        ("+12125550102", "America/New_York", 5),
        ("+81312345678", "Asia/Tokyo", 9),
        ("+12125550103", "America/New_York", 0),
    ):
        resp = await env.client.post(
            f"/api/v1/lists/{list_id}/contacts",
            json={"phone": phone, "timezone": tz, "priority": prio},
            headers=headers,
        )
        assert resp.status_code == 201, resp.text
        ids[phone] = resp.json()["id"]
    resp = await env.client.post(
        "/api/v1/campaigns",
        json={
            "name": "Spring",
            "list_ids": [list_id],
            "caller_ids": ["+14155550199"],
            "window_start": "09:00",
            "window_end": "21:00",
            "max_attempts": 3,
            "agent_ids": [agent],
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return headers, resp.json()["id"], ids


async def test_selection_order_gates_and_outcomes(env: Env) -> None:
    headers, campaign_id, ids = await _setup(env)
    await env.client.post("/api/v1/dnc", json={"phone": "+12125550103"}, headers=headers)
    async with env.sessions() as s:
        picked = await select_dialable_contacts(s, campaign_id, NOON_NY, 10)
    # Tokyo is asleep and +…103 is on the DNC list; priority first.
    assert [p.phone for p in picked] == ["+12125550102", "+12125550101"]

    async with env.sessions() as s:
        await begin_attempt(s, campaign_id, ids["+12125550102"], NOON_NY, call_id="CA1")
        assert [p.phone for p in await select_dialable_contacts(s, campaign_id, NOON_NY, 10)] == [
            "+12125550101"
        ]  # in flight: not offered twice
        out = await record_attempt_outcome(
            s, ids["+12125550102"], "NO_ANSWER", NOON_NY, campaign_id=campaign_id
        )
        assert out.status == "retry" and out.next_attempt_at == NOON_NY + timedelta(hours=2)
        assert len(await select_dialable_contacts(s, campaign_id, NOON_NY, 10)) == 1
        later = NOON_NY + timedelta(hours=2)
        assert len(await select_dialable_contacts(s, campaign_id, later, 10)) == 2
        await record_attempt_outcome(
            s, ids["+12125550101"], "DNC", NOON_NY, campaign_id=campaign_id
        )
        assert await is_dnc(
            s,
            (await get_dial_settings(s, campaign_id)).organization_id,
            campaign_id,
            "+12125550101",
        )
        await record_attempt_outcome(
            s, ids["+12125550102"], "ABANDONED", later, campaign_id=campaign_id
        )
        assert await select_dialable_contacts(s, campaign_id, later + timedelta(hours=71), 10) == []
        guaranteed = await select_dialable_contacts(
            s, campaign_id, later + timedelta(hours=71), 10, agent_guaranteed=True
        )
        assert [p.phone for p in guaranteed] == ["+12125550102"]
    detail = await env.client.get(f"/api/v1/contacts/{ids['+12125550102']}", headers=headers)
    history = detail.json()["attempts_history"]
    assert [h["disposition"] for h in history] == ["ABANDONED", "NO_ANSWER"]
    assert history[1]["call_id"] == "CA1" and detail.json()["attempts"] == 2


async def test_due_callbacks_come_first_in_the_contacts_zone(env: Env) -> None:
    headers, campaign_id, ids = await _setup(env)
    env.clock.set(NOON_NY - timedelta(hours=3))
    resp = await env.client.post(
        "/api/v1/callbacks",
        json={
            "contact_id": ids["+12125550101"],
            "campaign_id": campaign_id,
            "due_local": "2026-03-10T12:30:00",
        },  # New York wall clock = 16:30 UTC
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["due_at"].startswith("2026-03-10T16:30")
    async with env.sessions() as s:
        picked = await select_dialable_contacts(s, campaign_id, NOON_NY, 10)
    assert picked[0].phone == "+12125550101" and picked[0].callback_id == resp.json()["id"]
    cancel = await env.client.post(f"/api/v1/callbacks/{resp.json()['id']}/cancel", headers=headers)
    assert cancel.status_code == 204


async def test_lifecycle_history_and_field_errors(env: Env) -> None:
    headers, campaign_id, _ids = await _setup(env)
    for action, status in (
        ("start", "active"),
        ("pause", "paused"),
        ("start", "active"),
        ("complete", "completed"),
    ):
        await env.clock.advance(60)
        resp = await env.client.post(f"/api/v1/campaigns/{campaign_id}/{action}", headers=headers)
        assert resp.json()["status"] == status
    refused = await env.client.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    assert refused.status_code == 409
    history = (
        await env.client.get(f"/api/v1/campaigns/{campaign_id}/history", headers=headers)
    ).json()
    assert [h["to_status"] for h in history] == ["active", "paused", "active", "completed"]
    assert {h["actor_email"] for h in history} == {"boss@acme.example.com"}
    before = (await env.client.get("/api/v1/campaigns", headers=headers)).json()
    for body, field in (
        ({"name": "X", "caller_ids": ["12"]}, "caller_ids"),
        ({"name": "X", "window_start": "22:00", "window_end": "08:00"}, "window_start"),
        (
            {
                "name": "X",
                "retry_rules": [{"code": "NOPE", "retry_after_minutes": 5, "max_retries": 1}],
            },
            "retry_rules",
        ),
    ):
        resp = await env.client.post("/api/v1/campaigns", json=body, headers=headers)
        assert resp.status_code == 422, resp.text
        assert field in resp.text
    bad_tz = await env.client.post(
        "/api/v1/lists/x/contacts",
        json={"phone": "+12125550109", "timezone": "Mars/Base"},
        headers=headers,
    )
    assert bad_tz.status_code == 422 and "timezone" in bad_tz.text
    assert (await env.client.get("/api/v1/campaigns", headers=headers)).json() == before


async def test_other_tenants_objects_are_invisible(env: Env) -> None:
    _headers, campaign_id, ids = await _setup(env)
    _other, theirs = await admin(env, "other")
    assert (
        await env.client.get(f"/api/v1/campaigns/{campaign_id}", headers=theirs)
    ).status_code == 404
    assert (
        await env.client.get(f"/api/v1/contacts/{ids['+12125550101']}", headers=theirs)
    ).status_code == 404
    assert (await env.client.get("/api/v1/contacts", headers=theirs)).json()["total"] == 0
    resp = await env.client.post(
        "/api/v1/campaigns", json={"name": "X", "list_ids": ["nope"]}, headers=theirs
    )
    assert resp.status_code == 422

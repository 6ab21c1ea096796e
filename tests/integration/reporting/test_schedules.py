"""Report schedules as a person manages them: the API and the pages, what is refused
(and why, in the answer), who sees which schedules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.integration.platform.test_auth import login
from tests.integration.reporting.schedule_support import DAILY, admin
from tests.support import Env

from omnivox.core.config import Environment
from omnivox.core.errors import Conflict, InvalidInput
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.reporting.schedule_models import ReportSchedule
from omnivox.reporting.schedules import ScheduleWrite, check_schedule, create_schedule

URL = "/api/v1/reports/schedules"
MAILED = DAILY | {"emails": ["ops@acme.example.com"]}


@pytest.fixture(autouse=True)
def _local_receivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests' webhooks are on this machine (or example.com, not resolved here)."""
    monkeypatch.setenv("OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE", "true")


async def test_create_read_update_delete(env: Env) -> None:
    headers = await admin(env)
    created = await env.client.post(URL, json=MAILED, headers=headers)
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["description"] == "Daily at 07:00 (UTC)"
    listed = await env.client.get(URL, headers=headers)
    assert [s["id"] for s in listed.json()] == [schedule["id"]]

    monthly = MAILED | {"frequency": "monthly", "day_of_month": 31, "at": "06:30"}
    monthly |= {"timezone": "America/New_York", "range": "last_month"}
    updated = await env.client.put(f"{URL}/{schedule['id']}", json=monthly, headers=headers)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["description"] == "Monthly on day 31 at 06:30 (America/New_York)"
    # From 2026-03-10: 31 March, 06:30 EDT.
    assert body["next_slot"] == "2026-03-31T10:30:00+00:00"

    deleted = await env.client.delete(f"{URL}/{schedule['id']}", headers=headers)
    assert deleted.status_code == 204
    gone = await env.client.get(f"{URL}/{schedule['id']}", headers=headers)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"metrics": ["calls_offerd"]}, "metrics", "unknown metric 'calls_offerd'"),
        ({"by": ["planet"]}, "by", "unknown dimension 'planet'"),
        ({"template": "queue_interval"}, "metrics", "either a template or metrics"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone 'Mars/Olympus'"),
        ({"emails": []}, "emails", "at least one e-mail address or a webhook URL"),
        ({"emails": ["not-an-address"]}, "emails", "not a valid email address"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url", "is not an https or http URL"),
        ({"frequency": "weekly"}, "weekday", "names its weekday"),
        ({"frequency": "monthly", "day_of_month": 32}, "day_of_month", "less than or equal"),
        ({"at": "25:00"}, "at", "time"),
        ({"format": "docx"}, "format", "'csv', 'xlsx' or 'pdf'"),
        ({"range": "last_year"}, "range", "yesterday"),
        (
            {"emails": [f"p{i}@acme.example.com" for i in range(21)]},
            "emails",
            "21 recipients; a schedule sends to at most 20 (OMNIVOX_SCHEDULE_MAX_RECIPIENTS)",
        ),
    ],
)
async def test_bad_schedules_are_refused_saying_what(
    sqlite_env: Env, change: dict[str, Any], field: str, says: str
) -> None:
    headers = await admin(sqlite_env)
    resp = await sqlite_env.client.post(URL, json=MAILED | change, headers=headers)
    assert resp.status_code == 422, resp.text
    assert field in resp.text and says in resp.text, resp.text
    listed = await sqlite_env.client.get(URL, headers=headers)
    assert listed.json() == []


async def test_production_sends_to_https_webhooks_only(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    owner = await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    actor = Principal(owner, org, "boss@acme.example.com", "boss", Role.ORG_ADMIN, "system")
    production = env.settings.model_copy(update={"env": Environment.PRODUCTION})
    data = ScheduleWrite.model_validate(DAILY | {"webhook_url": "http://example.com/hook"})
    async with env.sessions() as s:
        with pytest.raises(InvalidInput, match="production sends reports over https only"):
            await check_schedule(s, actor, data, production, env.clock.now())
        https = ScheduleWrite.model_validate(DAILY | {"webhook_url": "https://example.com/hook"})
        await check_schedule(s, actor, https, production, env.clock.now())


async def test_schedules_per_organisation_are_limited(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    owner = await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    actor = Principal(owner, org, "boss@acme.example.com", "boss", Role.ORG_ADMIN, "system")
    settings = env.settings.model_copy(update={"schedule_max_per_org": 1})
    data = ScheduleWrite.model_validate(MAILED)
    async with env.sessions() as s:
        await create_schedule(s, actor, data, settings, env.clock.now())
        with pytest.raises(Conflict, match="OMNIVOX_SCHEDULE_MAX_PER_ORG is 1"):
            await create_schedule(s, actor, data, settings, env.clock.now())


async def test_nobody_reaches_another_organisations_schedule(env: Env) -> None:
    theirs = await admin(env, "theirs")
    created = await env.client.post(URL, json=MAILED, headers=theirs)
    schedule_id = created.json()["id"]
    mine = await admin(env, "mine")
    assert (await env.client.get(URL, headers=mine)).json() == []
    for method, path in [
        ("GET", f"{URL}/{schedule_id}"),
        ("PUT", f"{URL}/{schedule_id}"),
        ("DELETE", f"{URL}/{schedule_id}"),
        ("POST", f"{URL}/{schedule_id}/run-now"),
        ("GET", f"{URL}/{schedule_id}/deliveries"),
        ("GET", f"/reports/schedules/{schedule_id}/deliveries"),
    ]:
        resp = await env.client.request(
            method, path, headers=mine, json=MAILED if method == "PUT" else None
        )
        assert resp.status_code == 404, (method, path, resp.text)
    still = await env.client.get(f"{URL}/{schedule_id}", headers=theirs)
    assert still.status_code == 200


async def test_supervisors_keep_their_own_admins_see_all_agents_none(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    boss = await admin(env, org=org)
    await env.user(org, "sue@acme.example.com", Role.SUPERVISOR)
    await env.user(org, "al@acme.example.com", Role.AGENT)
    sue = await env.token("sue@acme.example.com")
    sues = (await env.client.post(URL, json=MAILED | {"name": "Sue's"}, headers=sue)).json()
    boss_own = await env.client.post(URL, json=MAILED | {"name": "Boss's"}, headers=boss)
    assert boss_own.status_code == 201

    assert [s["name"] for s in (await env.client.get(URL, headers=sue)).json()] == ["Sue's"]
    everything = (await env.client.get(URL, headers=boss)).json()
    assert sorted(s["name"] for s in everything) == ["Boss's", "Sue's"]
    other = await env.client.get(f"{URL}/{boss_own.json()['id']}", headers=sue)
    assert other.status_code == 404
    assert (await env.client.get(f"{URL}/{sues['id']}", headers=boss)).status_code == 200

    agent = await env.token("al@acme.example.com")
    refused = await env.client.post(URL, json=MAILED, headers=agent)
    assert refused.status_code == 403
    assert (await env.client.get("/reports/schedules", headers=agent)).status_code == 403


async def test_the_pages_create_edit_and_delete(sqlite_env: Env) -> None:
    env = sqlite_env
    headers = await admin(env)
    page = await env.client.get("/reports/schedules", headers=headers)
    assert page.status_code == 200 and "No schedule yet." in page.text
    form = {
        "name": "Weekly agents",
        "template": "",
        "metrics": "calls_handled, aht",
        "by": "agent",
        "filters": "",
        "granularity": "",
        "range": "last_week",
        "frequency": "weekly",
        "weekday": "0",
        "day_of_month": "1",
        "at": "08:00",
        "timezone": "Europe/London",
        "format": "csv",
        "emails": "ops@acme.example.com,\nlead@acme.example.com",
        "webhook_url": "https://example.com/hook",
        "enabled": "on",
    }
    posted = await env.client.post("/reports/schedules", data=form, headers=headers)
    # See other: a refresh of the page it lands on does not create the schedule again.
    assert posted.status_code == 303, posted.text
    (schedule,) = (await env.client.get(URL, headers=headers)).json()
    assert posted.headers["location"] == f"/reports/schedules/{schedule['id']}"
    created = await env.client.get(posted.headers["location"], headers=headers)
    assert "Weekly on Monday at 08:00 (Europe/London)" in created.text
    async with env.sessions() as s:
        stored = await s.get(ReportSchedule, schedule["id"])
        assert stored is not None
    shown = re.search(r'data-testid="webhook-secret">(\w+)<', created.text)
    assert shown and shown.group(1) == stored.webhook_secret
    again = await env.client.get(posted.headers["location"], headers=headers)
    assert again.status_code == 200 and stored.webhook_secret not in again.text  # once
    assert len((await env.client.get(URL, headers=headers)).json()) == 1
    assert schedule["emails"] == ["ops@acme.example.com", "lead@acme.example.com"]
    assert (schedule["metrics"], schedule["by"]) == (["calls_handled", "aht"], ["agent"])

    bad = await env.client.post(
        f"/reports/schedules/{schedule['id']}", data=form | {"metrics": "nope"}, headers=headers
    )
    assert bad.status_code == 422 and "unknown metric &#39;nope&#39;" in bad.text
    edit = await env.client.post(
        f"/reports/schedules/{schedule['id']}", data=form | {"at": "09:15"}, headers=headers
    )
    assert edit.status_code == 303
    assert (await env.client.get(URL, headers=headers)).json()[0]["at"] == "09:15"

    deleted = await env.client.post(f"/reports/schedules/{schedule['id']}/delete", headers=headers)
    assert deleted.status_code == 303
    assert (await env.client.get(URL, headers=headers)).json() == []


async def test_a_signed_in_browser_uses_the_forms_with_their_csrf_tokens(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    assert (await login(env, "boss@acme.example.com")).status_code == 303  # type: ignore[attr-defined]
    page = await env.client.get("/reports/schedules")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the form carries no CSRF token"
    form = {
        "csrf_token": token.group(1),
        "name": "Month so far",
        "template": "queue_interval",
        "granularity": "day",
        "range": "month_to_date",
        "frequency": "monthly",
        "day_of_month": "31",
        "at": "18:00",
        "timezone": "America/New_York",
        "format": "csv",
        "emails": "ops@acme.example.com",
        "enabled": "on",
    }
    no_token = await env.client.post("/reports/schedules", data=form | {"csrf_token": "x"})
    assert no_token.status_code == 403
    posted = await env.client.post("/reports/schedules", data=form)
    assert posted.status_code == 303, posted.text
    created = await env.client.get(posted.headers["location"])
    assert "Monthly on day 31 at 18:00 (America/New_York)" in created.text
    schedule_id = re.search(r"/reports/schedules/(\w+)$", posted.headers["location"])
    assert schedule_id
    assert "webhook-secret" not in created.text  # no webhook, no secret
    sent = await env.client.post(
        f"/reports/schedules/{schedule_id.group(1)}/run-now", data={"csrf_token": token.group(1)}
    )
    assert sent.status_code == 303
    await env.app.state.jobs.drain()  # type: ignore[attr-defined]
    assert sent.headers["location"] == f"/reports/schedules/{schedule_id.group(1)}/deliveries"
    log = await env.client.get(sent.headers["location"])
    assert log.status_code == 200 and "(sent on request)" in log.text
    # No mail server in this test's settings: the log says so, and it will be retried.
    assert "no mail server configured (OMNIVOX_SMTP_HOST and OMNIVOX_SMTP_FROM)" in log.text

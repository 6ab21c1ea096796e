"""Report schedules as a person manages them: the API and the pages, what is refused
(and why, in the answer), who sees which schedules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.integration.platform.test_auth import login
from tests.integration.reporting.schedule_support import DAILY, admin
from tests.integration.reporting.shift import build_shift
from tests.support import Env

from omnivox.accounts import Organization
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
        # Saved reports' last_7_days includes today; a schedule's range says which days.
        ({"range": "last_7_days"}, "range", "previous_7_days"),
        # A header line break: every e-mail of the schedule would fail.
        ({"name": "Daily\nqueues"}, "name", "control characters"),
        ({"name": "Daily\tqueues"}, "name", "control characters"),
        # Run once as the owner when saved, as at each slot: refused now, not at 7 a.m.
        ({"filters": {"queue": "Nowhere"}}, "filter", "no queue 'Nowhere' in this organisation"),
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


async def test_what_could_never_be_delivered_is_refused_when_saved(env: Env) -> None:
    theirs = await build_shift(env, "theirs")
    mine = await build_shift(env, "mine")
    headers = await admin(env, "mine", org=mine.org_id)
    # Another organisation's queue, by its id: not a queue of this organisation.
    other = await env.client.post(
        URL, json=MAILED | {"filters": {"queue": theirs.support}}, headers=headers
    )
    assert other.status_code == 422 and "in this organisation" in other.text, other.text
    # The compliance report covers whole campaigns: a supervisor bounded by team may
    # schedule reports, but not that one.
    await env.user(mine.org_id, "sue@mine.example.com", Role.SUPERVISOR)
    async with env.sessions() as s:
        org = await s.get(Organization, mine.org_id)
        assert org is not None
        org.supervisor_scope = "teams"
        await s.commit()
    sue = await env.token("sue@mine.example.com")
    compliance = MAILED | {"metrics": [], "by": [], "template": "abandon_compliance"}
    refused = await env.client.post(URL, json=compliance, headers=sue)
    assert refused.status_code == 403 and "reports:all" in refused.text, refused.text
    mine_ok = await env.client.post(URL, json=compliance, headers=headers)
    assert mine_ok.status_code == 201, mine_ok.text
    for who in (headers, sue):
        assert [s["template"] for s in (await env.client.get(URL, headers=who)).json()] == (
            ["abandon_compliance"] if who is headers else []
        )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
async def test_webhooks_inside_the_network_are_refused(
    sqlite_env: Env, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    env = sqlite_env
    monkeypatch.setattr(env.settings, "schedule_webhook_allow_private", False)
    headers = await admin(env)
    resp = await env.client.post(URL, json=DAILY | {"webhook_url": url}, headers=headers)
    assert resp.status_code == 422, resp.text
    assert "OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE" in resp.text
    if "localhost" in url:  # what the name resolves to is not told
        assert "127.0.0.1" not in resp.text
    assert (await env.client.get(URL, headers=headers)).json() == []


async def test_a_webhook_host_is_resolved_when_saved(
    sqlite_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sqlite_env
    monkeypatch.setattr(env.settings, "schedule_webhook_allow_private", False)
    headers = await admin(env)
    unknown = DAILY | {"webhook_url": "https://nowhere.invalid/hook"}
    resp = await env.client.post(URL, json=unknown, headers=headers)
    assert resp.status_code == 422 and "'nowhere.invalid' cannot be resolved" in resp.text
    public = DAILY | {"webhook_url": "https://93.184.215.14/hook"}
    assert (await env.client.post(URL, json=public, headers=headers)).status_code == 201


async def test_a_new_webhook_gets_a_new_secret_shown_once(sqlite_env: Env) -> None:
    env = sqlite_env
    headers = await admin(env)
    created = (await env.client.post(URL, json=MAILED, headers=headers)).json()
    path = f"{URL}/{created['id']}"

    async def stored() -> str:
        async with env.sessions() as s:
            row = await s.get(ReportSchedule, created["id"])
            assert row is not None
            return row.webhook_secret

    first = created["webhook_secret"]
    hooked = MAILED | {"webhook_url": "https://hooks.example.com/a"}
    added = await env.client.put(path, json=hooked, headers=headers)
    assert added.status_code == 200, added.text
    secret = added.json()["webhook_secret"]
    assert secret != first and secret == await stored()
    assert "webhook_secret" not in (await env.client.get(path, headers=headers)).json()
    # Saved again with the same URL: the secret stays, and is not shown again.
    same = await env.client.put(path, json=hooked | {"at": "08:00"}, headers=headers)
    assert "webhook_secret" not in same.json() and await stored() == secret
    moved = await env.client.put(
        path, json=MAILED | {"webhook_url": "https://hooks.example.com/b"}, headers=headers
    )
    assert moved.json()["webhook_secret"] not in (secret, first)
    assert moved.json()["webhook_secret"] == await stored()
    # Lost it: a new one on request.
    renewed = await env.client.post(f"{path}/webhook-secret", headers=headers)
    assert renewed.status_code == 200 and renewed.json()["webhook_secret"] == await stored()

    # The page: "New secret" shows the new one once, on the schedule's page.
    page = f"/reports/schedules/{created['id']}"
    assert 'data-testid="new-secret-form"' in (await env.client.get(page, headers=headers)).text
    posted = await env.client.post(f"{page}/webhook-secret", headers=headers)
    assert posted.status_code == 303 and posted.headers["location"] == page
    shown = await env.client.get(page, headers=headers)
    now_secret = await stored()
    assert now_secret != renewed.json()["webhook_secret"]
    assert f'data-testid="webhook-secret">{now_secret}<' in shown.text
    assert now_secret not in (await env.client.get(page, headers=headers)).text
    # A webhook set through the edit form: its secret is shown once as well.
    form = {
        "name": "Queues yesterday",
        "metrics": "calls_offered",
        "by": "queue",
        "range": "yesterday",
        "frequency": "daily",
        "at": "07:00",
        "timezone": "UTC",
        "format": "csv",
        "emails": "ops@acme.example.com",
        "webhook_url": "https://hooks.example.com/c",
        "enabled": "on",
    }
    edited = await env.client.post(page, data=form, headers=headers)
    assert edited.status_code == 303 and edited.headers["location"] == page
    assert f">{await stored()}<" in (await env.client.get(page, headers=headers)).text
    mailed_only = await env.client.post(URL, json=MAILED | {"name": "B"}, headers=headers)
    no_hook = await env.client.post(
        f"{URL}/{mailed_only.json()['id']}/webhook-secret", headers=headers
    )
    assert no_hook.status_code == 409 and "no webhook" in no_hook.text


async def test_the_form_starts_in_the_organisations_zone_and_says_which_days(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    org = await env.org("acme", tz="America/Los_Angeles")
    headers = await admin(env, org=org)
    page = await env.client.get("/reports/schedules", headers=headers)
    assert 'name="timezone" value="America/Los_Angeles"' in page.text
    assert ">The 7 days before the slot</option>" in page.text
    created = await env.client.post(
        URL, json=MAILED | {"range": "previous_7_days"}, headers=headers
    )
    assert created.status_code == 201, created.text
    listed = await env.client.get("/reports/schedules", headers=headers)
    assert "<td>The 7 days before the slot</td>" in listed.text

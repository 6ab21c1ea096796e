"""Report schedules delivering: e-mail to a local SMTP server, a signed webhook to a local
HTTP server, retries with back-off in the delivery log, each slot once across racing
runners and restarts, catching up a slot missed while down."""

from __future__ import annotations

import asyncio
import csv
import email
import hashlib
import hmac
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from tests.integration.reporting.schedule_support import (
    DAILY,
    Hook,
    Picky,
    RunningSmtp,
    SmtpServer,
    admin,
    free_port,
    job_queue,
    mail_settings,
    webhook_server,
)
from tests.integration.reporting.shift import build_shift
from tests.integration.reporting.test_reports import announce
from tests.support import Env

from omnivox.accounts import Organization, teams
from omnivox.accounts.schemas import TeamCreate, TeamMembersWrite
from omnivox.app import create_app
from omnivox.core.db import create_engine, create_session_factory
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.reporting import schedule_delivery
from omnivox.reporting.schedule_delivery import deliver_due
from omnivox.reporting.schedule_models import ReportDelivery
from omnivox.reporting.service import report_for

SLOT = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # the first 07:00 after the fixed clock


@pytest.fixture(autouse=True)
def _local_receivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests' webhooks are on this machine (or example.com, not resolved here)."""
    monkeypatch.setenv("OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE", "true")


@pytest.fixture
def hook() -> Iterator[tuple[str, Hook]]:
    yield from webhook_server()


async def _to_slot(env: Env, after: float = 30) -> None:
    await env.clock.advance((SLOT - env.clock.now()).total_seconds() + after)


async def _log(env: Env, headers: dict[str, str], schedule_id: str) -> list[dict[str, object]]:
    resp = await env.client.get(
        f"/api/v1/reports/schedules/{schedule_id}/deliveries", headers=headers
    )
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, object]] = resp.json()
    return rows


async def test_an_emailed_report_carries_the_days_figures(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await build_shift(env)
    await announce(env, shift)
    headers = await admin(env, org=shift.org_id)
    body = DAILY | {"emails": ["ops@acme.example.com", "boss@acme.example.com"]}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["next_slot"] == SLOT.isoformat()

    port = free_port()
    queue, tasks = job_queue(env, mail_settings(env, port))
    await _to_slot(env)
    with SmtpServer(port) as inbox:
        await deliver_due(queue.context, {})
    await tasks.stop()

    # One message each: no recipient sees the others' addresses.
    assert [e.rcpt_tos for e in inbox.messages] == [
        ["ops@acme.example.com"],
        ["boss@acme.example.com"],
    ]
    envelope = inbox.messages[1]
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "boss@acme.example.com" and "ops@" not in envelope.content.decode()
    assert message["Subject"] == "Queues yesterday 2026-03-10 to 2026-03-10"
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "queues-yesterday_2026-03-10_2026-03-10.csv"
    rows = list(csv.DictReader(io.StringIO(part.get_content())))
    # The scripted morning's hand-worked figures (test_reports.py): Support 4, Sales 1.
    assert {r["queue"]: r["calls_offered"] for r in rows} == {"": "0", "Sales": "1", "Support": "4"}

    (logged,) = await _log(env, headers, schedule["id"])
    assert logged["status"] == "sent" and logged["attempts"] == 1
    assert logged["slot_at"] == SLOT.isoformat()
    assert logged["recipients"] == ["ops@acme.example.com", "boss@acme.example.com"]


async def test_a_webhook_gets_the_file_signed_with_the_schedules_secret(
    env: Env, hook: tuple[str, Hook]
) -> None:
    url, received = hook
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    assert created.status_code == 201, created.text
    secret = created.json()["webhook_secret"]
    assert len(secret) == 64
    # Shown once: reading the schedule again does not give it.
    again = await env.client.get(
        f"/api/v1/reports/schedules/{created.json()['id']}", headers=headers
    )
    assert "webhook_secret" not in again.json()

    queue, tasks = job_queue(env, env.settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()

    (req_headers, body) = received.requests[0]
    assert len(received.requests) == 1
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert req_headers["X-Omnivox-Signature"] == f"sha256={expected}"
    assert req_headers["Content-Type"] == "text/csv"
    assert req_headers["X-Omnivox-Slot"] == SLOT.isoformat()
    assert body.decode().splitlines()[0] == "queue,queue_id,calls_offered"
    # A tampered body does not verify.
    forged = hmac.new(secret.encode(), body + b"x", hashlib.sha256).hexdigest()
    assert req_headers["X-Omnivox-Signature"] != f"sha256={forged}"


async def test_smtp_down_is_retried_with_back_off_then_sent(sqlite_env: Env) -> None:
    env = sqlite_env
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules",
        json=DAILY | {"emails": ["ops@acme.example.com"]},
        headers=headers,
    )
    schedule_id = created.json()["id"]
    port = free_port()  # nothing listens there yet
    settings = mail_settings(env, port, schedule_retry_seconds=60)
    queue, tasks = job_queue(env, settings)
    await _to_slot(env)

    await deliver_due(queue.context, {})
    (first,) = await _log(env, headers, schedule_id)
    assert (first["status"], first["attempts"]) == ("pending", 1)
    assert f"127.0.0.1:{port}" in str(first["last_error"])
    failed_at = env.clock.now()
    assert first["next_attempt_at"] == (failed_at + timedelta(seconds=60)).isoformat()

    await env.clock.advance(30)  # not yet due: nothing is tried
    await deliver_due(queue.context, {})
    assert (await _log(env, headers, schedule_id))[0]["attempts"] == 1

    await env.clock.advance(31)  # the deferred retry wakes and fails again: twice the wait
    await tasks.drain()
    (second,) = await _log(env, headers, schedule_id)
    assert (second["status"], second["attempts"]) == ("pending", 2)
    assert second["next_attempt_at"] == (env.clock.now() + timedelta(seconds=120)).isoformat()

    with SmtpServer(port) as inbox:
        await env.clock.advance(120)
        await tasks.drain()
    await tasks.stop()
    (third,) = await _log(env, headers, schedule_id)
    assert (third["status"], third["attempts"]) == ("sent", 3)
    assert third["sent_at"] == env.clock.now().isoformat()
    assert len(inbox.messages) == 1


async def test_a_delivery_gives_up_after_the_maximum_attempts(sqlite_env: Env) -> None:
    env = sqlite_env
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules",
        json=DAILY | {"emails": ["ops@acme.example.com"]},
        headers=headers,
    )
    settings = mail_settings(env, free_port(), schedule_max_attempts=1)
    queue, tasks = job_queue(env, settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()
    (row,) = await _log(env, headers, created.json()["id"])
    assert row["status"] == "failed"
    assert "gave up after 1 attempts, OMNIVOX_SCHEDULE_MAX_ATTEMPTS" in str(row["last_error"])


async def test_two_runners_racing_for_a_slot_deliver_it_once(
    env: Env, hook: tuple[str, Hook]
) -> None:
    url, received = hook
    headers = await admin(env)
    await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    await _to_slot(env)
    # Two processes: each its own engine (its own connections) and queue.
    engines = [create_engine(env.settings.database_url) for _ in range(2)]
    contexts = []
    supervisors = []
    for engine in engines:
        queue, tasks = job_queue(env, env.settings)
        queue.context = type(queue.context)(
            create_session_factory(engine), env.settings, env.clock, queue
        )
        contexts.append(queue.context)
        supervisors.append(tasks)
    try:
        await asyncio.gather(*(deliver_due(c, {}) for c in contexts for _ in range(2)))
    finally:
        for tasks in supervisors:
            await tasks.stop()
        for engine in engines:
            await engine.dispose()
    assert len(received.requests) == 1
    async with env.sessions() as s:
        rows = list(await s.scalars(select(ReportDelivery)))
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)]


async def test_a_restart_neither_resends_nor_forgets_a_missed_slot(
    env: Env, hook: tuple[str, Hook]
) -> None:
    url, received = hook
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    schedule_id = created.json()["id"]
    settings = env.settings.model_copy(update={"schedule_catch_up_hours": 30})
    queue, tasks = job_queue(env, settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()
    assert len(received.requests) == 1

    # "Restart": a new process on the same database, a little later the same morning.
    await env.clock.advance(600)
    engine = create_engine(env.settings.database_url)
    try:
        queue, tasks = job_queue(env, settings)
        queue.context = type(queue.context)(
            create_session_factory(engine), settings, env.clock, queue
        )
        await deliver_due(queue.context, {})
        assert len(received.requests) == 1  # the delivered slot is not sent again

        # Down for three days: the slot 48 h ago is outside the 30 h catch-up window, the
        # ones 24 h ago and today within it; each is sent once, however often the pass runs.
        await env.clock.advance(3 * 86400)
        await deliver_due(queue.context, {})
        await deliver_due(queue.context, {})
        await tasks.stop()
    finally:
        await engine.dispose()
    slots = [r["slot_at"] for r in await _log(env, headers, schedule_id)]
    assert slots == [(SLOT + timedelta(days=d)).isoformat() for d in (3, 2, 0)]
    assert [h["X-Omnivox-Slot"] for h, _ in received.requests] == slots[::-1]


async def test_run_now_sends_at_once_through_the_servers_queue(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    schedule_id = created.json()["id"]
    resp = await env.client.post(
        f"/api/v1/reports/schedules/{schedule_id}/run-now", headers=headers
    )
    assert resp.status_code == 202, resp.text
    assert resp.json()["manual"] is True
    await env.app.state.jobs.drain()  # type: ignore[attr-defined]
    assert len(received.requests) == 1
    (row,) = await _log(env, headers, schedule_id)
    assert (row["status"], row["range"]) == ("sent", ["2026-03-09", "2026-03-09"])


async def test_a_failing_webhook_is_logged_with_its_answer(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    env = sqlite_env
    url, received = hook
    received.status = 500
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    queue, tasks = job_queue(env, env.settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()
    (row,) = await _log(env, headers, created.json()["id"])
    assert row["status"] == "pending"
    assert row["last_error"] == f"webhook {url} answered 500"
    page = await env.client.get(
        f"/reports/schedules/{created.json()['id']}/deliveries", headers=headers
    )
    assert page.status_code == 200
    assert "answered 500" in page.text and 'data-status="pending"' in page.text


async def test_a_schedule_carries_only_what_its_owner_may_see(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    env = sqlite_env
    url, received = hook
    shift = await build_shift(env)
    await announce(env, shift)
    sup = await env.user(shift.org_id, "sue@acme.example.com", Role.SUPERVISOR)
    async with env.sessions() as s:
        actor = Principal.system(shift.org_id)
        team = await teams.create_team(s, actor, TeamCreate(name="Morning"))
        await teams.set_team_members(s, actor, team.id, TeamMembersWrite(user_ids=[sup, shift.bob]))
        org = await s.get(Organization, shift.org_id)
        assert org is not None
        org.supervisor_scope = "teams"  # supervisors see their teams' agents only
        await s.commit()
    sue = await env.token("sue@acme.example.com")
    body = DAILY | {"metrics": ["calls_with_agent"], "by": ["agent"], "webhook_url": url}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=sue)
    assert created.status_code == 201, created.text

    queue, tasks = job_queue(env, env.settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()
    (_headers, sent) = received.requests[0]
    rows = list(csv.DictReader(io.StringIO(sent.decode())))
    assert [(r["agent"], r["calls_with_agent"]) for r in rows] == [("bob", "2")]


async def test_the_server_runs_due_schedules_itself_on_sqlite(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    assert created.status_code == 201
    await _to_slot(env)
    app = create_app(env.settings, clock=env.clock)  # `omnivox serve`, started after the slot
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.05)
        assert received.requests == []  # the first pass comes one tick after the start
        for _ in range(20):  # ticks of the server's own clock
            await env.clock.advance(env.settings.jobs_tick_seconds)
            for _ in range(20):
                if received.requests:
                    break
                await asyncio.sleep(0.05)
            if received.requests:
                break
    await app.state.omnivox.engine.dispose()
    assert [h["X-Omnivox-Slot"] for h, _ in received.requests] == [SLOT.isoformat()]


async def test_a_paused_schedule_sends_nothing_and_does_not_catch_up(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    body = DAILY | {"webhook_url": url}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    schedule_id = created.json()["id"]
    paused = await env.client.put(
        f"/api/v1/reports/schedules/{schedule_id}",
        json=body | {"enabled": False},
        headers=headers,
    )
    assert paused.json()["next_slot"] is None
    queue, tasks = job_queue(env, env.settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    assert received.requests == []
    # Resumed after the slot: the slot that fell during the pause is not sent.
    await env.client.put(f"/api/v1/reports/schedules/{schedule_id}", json=body, headers=headers)
    await deliver_due(queue.context, {})
    await tasks.stop()
    assert received.requests == []
    assert await _log(env, headers, schedule_id) == []


async def test_a_file_over_the_size_limit_fails_naming_the_limit(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    created = await env.client.post(
        "/api/v1/reports/schedules", json=DAILY | {"webhook_url": url}, headers=headers
    )
    settings = env.settings.model_copy(update={"schedule_max_attachment_bytes": 10})
    queue, tasks = job_queue(env, settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()
    assert received.requests == []
    (row,) = await _log(env, headers, created.json()["id"])
    assert (row["status"], row["attempts"]) == ("failed", 1)  # no retry: it would not shrink
    assert "over the 10-byte limit (OMNIVOX_SCHEDULE_MAX_ATTACHMENT_BYTES)" in str(
        row["last_error"]
    )


@pytest.mark.parametrize(("max_attempts", "status"), [(5, "pending"), (1, "failed")])
async def test_a_database_error_in_one_delivery_spares_the_others(
    env: Env,
    hook: tuple[str, Hook],
    monkeypatch: pytest.MonkeyPatch,
    max_attempts: int,
    status: str,
) -> None:
    url, received = hook
    headers = await admin(env)
    for name in ("First", "Second"):
        body = DAILY | {"name": name, "webhook_url": url}
        created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
        assert created.status_code == 201, created.text
    calls: list[str] = []

    async def failing_once(session: AsyncSession, *args: Any) -> Any:
        calls.append("run")
        if len(calls) == 1:  # e.g. a statement timeout: PostgreSQL aborts the transaction
            await session.execute(text("SELECT * FROM no_such_table"))
        return await report_for(session, *args)

    monkeypatch.setattr(schedule_delivery, "report_for", failing_once)
    settings = env.settings.model_copy(update={"schedule_max_attempts": max_attempts})
    queue, tasks = job_queue(env, settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})  # does not raise
    await tasks.stop()

    assert len(received.requests) == 1  # the other delivery of the pass still went
    async with env.sessions() as s:
        rows = list(await s.scalars(select(ReportDelivery).order_by(ReportDelivery.status)))
    failed = [r for r in rows if r.status != "sent"]
    assert len(rows) == 2 and len(failed) == 1
    (row,) = failed
    assert (row.status, row.attempts, row.lease_until) == (status, 1, None)
    assert "no_such_table" in row.last_error
    if status == "failed":
        assert "gave up after 1 attempts, OMNIVOX_SCHEDULE_MAX_ATTEMPTS" in row.last_error


async def test_a_delivery_whose_attempt_escapes_is_retried_after_its_lease(
    sqlite_env: Env, hook: tuple[str, Hook], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a failure the attempt cannot record costs only that delivery, and only until
    its lease ends."""
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    for name in ("First", "Second"):
        body = DAILY | {"name": name, "webhook_url": url}
        await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    real = schedule_delivery._finish
    broken: list[str] = []

    async def finish_fails_once(*args: Any) -> Any:
        if not broken:
            broken.append("x")
            raise RuntimeError("the database went away")
        return await real(*args)

    monkeypatch.setattr(schedule_delivery, "_finish", finish_fails_once)
    queue, tasks = job_queue(env, env.settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})  # does not raise
    assert len(received.requests) == 2  # the second delivery went too
    async with env.sessions() as s:
        rows = list(await s.scalars(select(ReportDelivery)))
    assert sorted(r.status for r in rows) == ["sending", "sent"]
    await env.clock.advance(env.settings.schedule_lease_seconds + 1)
    await deliver_due(queue.context, {})
    await tasks.stop()
    async with env.sessions() as s:
        rows = list(await s.scalars(select(ReportDelivery)))
    assert sorted(r.status for r in rows) == ["sent", "sent"]
    assert len(received.requests) == 2  # its webhook had taken the file: not sent again


async def test_the_report_covers_the_organisations_days_not_the_schedules(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    """A Los Angeles organisation with a 06:00 UTC schedule: at that slot it is still
    23:00 on the 10th there, so "yesterday" is the 9th (the 10th has not ended)."""
    env = sqlite_env
    url, _received = hook
    org = await env.org("acme", tz="America/Los_Angeles")
    headers = await admin(env, org=org)
    body = DAILY | {"at": "06:00", "webhook_url": url}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    assert created.status_code == 201, created.text
    queue, tasks = job_queue(env, env.settings)
    slot = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)
    await env.clock.advance((slot - env.clock.now()).total_seconds() + 30)
    await deliver_due(queue.context, {})
    await tasks.stop()
    (row,) = await _log(env, headers, created.json()["id"])
    assert row["slot_at"] == slot.isoformat()
    assert row["range"] == ["2026-03-09", "2026-03-09"]
    assert row["status"] == "sent"


@pytest.mark.parametrize(("late", "sent"), [(5, 1), (29, 1), (95, 0)])
async def test_no_catching_up_still_delivers_within_one_tick(
    sqlite_env: Env, hook: tuple[str, Hook], late: int, sent: int
) -> None:
    """OMNIVOX_SCHEDULE_CATCH_UP_HOURS=0: a slot found by the next pass (at most one
    tick, 30 s, late) is delivered; one older than that is skipped."""
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    body = DAILY | {"webhook_url": url}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    assert created.status_code == 201
    settings = env.settings.model_copy(
        update={"schedule_catch_up_hours": 0, "jobs_tick_seconds": 30}
    )
    queue, tasks = job_queue(env, settings)
    await _to_slot(env, after=late)  # the first pass after the slot
    await deliver_due(queue.context, {})
    await tasks.stop()
    assert len(received.requests) == sent
    assert len(await _log(env, headers, created.json()["id"])) == sent


async def test_a_refused_recipient_is_named_and_retried_alone(sqlite_env: Env) -> None:
    env = sqlite_env
    headers = await admin(env)
    body = DAILY | {"emails": ["ops@acme.example.com", "gone@acme.example.com"]}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    assert created.status_code == 201
    port = free_port()
    queue, tasks = job_queue(env, mail_settings(env, port, schedule_retry_seconds=60))
    await _to_slot(env)
    picky = Picky(refuse="gone@")
    with RunningSmtp(picky, port):
        await deliver_due(queue.context, {})
    (first,) = await _log(env, headers, created.json()["id"])
    assert (first["status"], first["attempts"]) == ("pending", 1)
    error = str(first["last_error"])
    assert "refused 1 recipient(s): gone@acme.example.com (550 no such user)" in error
    assert [e.rcpt_tos for e in picky.messages] == [["ops@acme.example.com"]]

    picky.refuse = None  # the mailbox exists now
    with RunningSmtp(picky, port):
        await env.clock.advance(61)
        await tasks.drain()
    await tasks.stop()
    (second,) = await _log(env, headers, created.json()["id"])
    assert (second["status"], second["attempts"]) == ("sent", 2)
    # ops is not mailed twice.
    assert [e.rcpt_tos for e in picky.messages] == [
        ["ops@acme.example.com"],
        ["gone@acme.example.com"],
    ]


async def test_a_webhook_inside_the_network_is_refused_when_sent(
    sqlite_env: Env, hook: tuple[str, Hook]
) -> None:
    """Saved while private addresses were allowed (or the name has changed since): the
    send checks again and posts nothing."""
    env = sqlite_env
    url, received = hook
    headers = await admin(env)
    body = DAILY | {"webhook_url": url}
    created = await env.client.post("/api/v1/reports/schedules", json=body, headers=headers)
    assert created.status_code == 201
    settings = env.settings.model_copy(update={"schedule_webhook_allow_private": False})
    queue, tasks = job_queue(env, settings)
    await _to_slot(env)
    await deliver_due(queue.context, {})
    await tasks.stop()
    (row,) = await _log(env, headers, created.json()["id"])
    assert row["status"] == "pending" and received.requests == []
    assert "OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE=true allows them" in str(row["last_error"])

"""The queue and number admin pages: HTTP round trips through the same domain functions as
the API, errors shown next to the field with nothing stored, other tenants' queues 404."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from tests.integration.platform.test_auth import login, page_csrf
from tests.support import Env

from omnivox.accounts import teams
from omnivox.accounts.models import AuditEntry
from omnivox.accounts.schemas import SkillCreate
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.routing.models import InboundNumber, Queue, QueueMember

NUMBER = "+14155550142"


async def _admin(env: Env, slug: str = "acme") -> tuple[str, dict[str, str]]:
    """An organisation with a signed-in admin; returns (org id, HTMX headers with CSRF)."""
    org = await env.org(slug)
    await env.user(org, f"admin@{slug}.example.com", Role.ORG_ADMIN)
    await login(env, f"admin@{slug}.example.com")
    page = await env.client.get("/admin/queues")
    assert page.status_code == 200
    return org, {"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"}


async def _queues(env: Env, org: str) -> dict[str, Queue]:
    async with env.sessions() as s:
        rows = await s.scalars(select(Queue).where(Queue.organization_id == org))
        return {q.name: q for q in rows}


async def _members(env: Env, queue_id: str) -> dict[str, int]:
    async with env.sessions() as s:
        rows = await s.scalars(select(QueueMember).where(QueueMember.queue_id == queue_id))
        return {m.user_id: m.priority for m in rows}


async def _numbers(env: Env) -> list[tuple[str, str]]:
    async with env.sessions() as s:
        return [(n.number, n.target_id) for n in await s.scalars(select(InboundNumber))]


async def _actions(env: Env, org: str) -> list[str]:
    async with env.sessions() as s:
        rows = await s.scalars(
            select(AuditEntry)
            .where(AuditEntry.organization_id == org)
            .order_by(AuditEntry.created_at)
        )
        return [a.action for a in rows if a.action.startswith(("queue.", "number."))]


def _form(**changes: str) -> dict[str, str]:
    """Every field of the queue page's settings form."""
    return {
        "name": "Sales",
        "strategy": "longest_idle",
        "priority": "0",
        "offer_timeout_seconds": "15",
        "service_level_seconds": "20",
        "max_wait_seconds": "",
        "overflow_kind": "",
        "overflow_queue": "",
        "overflow_number": "",
        "greeting": "Thank you for calling. Please hold.",
        "announce_every_seconds": "",
        "callback_retries": "1",
        "callback_retry_minutes": "5",
        **changes,
    }


def _error(html: str, field: str) -> str:
    found = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    assert found, f"no error shown for {field}"
    return found.group(1)


async def test_queue_create_edit_and_list(env: Env) -> None:
    org, h = await _admin(env)
    async with env.sessions() as s:
        spanish = await teams.create_skill(s, Principal.system(org), SkillCreate(name="Spanish"))
    empty = await env.client.get("/admin/queues")
    assert "No queues yet" in empty.text and 'hx-post="/admin/queues"' in empty.text

    made = await env.client.post(
        "/admin/queues",
        headers=h,
        data={
            "name": "Sales",
            "strategy": "skills",
            "priority": "5",
            "service_level_seconds": "30",
        },
    )
    assert made.status_code == 200 and "Created queue Sales" in made.text
    assert 'data-queue="Sales"' in made.text
    await env.client.post("/admin/queues", headers=h, data={"name": "Billing"})
    stored = await _queues(env, org)
    sales, billing = stored["Sales"], stored["Billing"]
    assert (sales.strategy, sales.priority, sales.service_level_seconds) == ("skills", 5, 30.0)
    assert sales.greeting == "Thank you for calling. Please hold."  # defaults kept

    page = await env.client.get(f"/admin/queues/{sales.id}")
    assert page.status_code == 200
    assert f'name="skill_{spanish.id}"' in page.text
    assert f'<option value="{billing.id}"' in page.text  # overflow chooser: other queues

    saved = await env.client.post(
        f"/admin/queues/{sales.id}",
        headers=h,
        data=_form(
            name="Sales EU",
            strategy="round_robin",
            priority="7",
            offer_timeout_seconds="25",
            answer_mode="auto",
            service_level_seconds="45",
            max_wait_seconds="120",
            overflow_kind="queue",
            overflow_queue=billing.id,
            overflow_number="+14155550100",  # ignored: the kind decides
            greeting="Hola, please hold.",
            announce_every_seconds="60",
            callback_enabled="on",
            callback_retries="3",
            callback_retry_minutes="15",
            **{f"skill_{spanish.id}": "7"},
        ),
    )
    assert saved.status_code == 200, saved.text
    assert "Saved queue Sales EU" in saved.text
    api = (await env.client.get(f"/api/v1/queues/{sales.id}")).json()
    assert api == {
        "id": sales.id,
        "name": "Sales EU",
        "strategy": "round_robin",
        "priority": 7,
        "service_level_seconds": 45.0,
        "max_wait_seconds": 120.0,
        "overflow_kind": "queue",
        "overflow_target": billing.id,
        "offer_timeout_seconds": 25,
        "answer_mode": "auto",
        "required_skills": {spanish.id: 7},
        "greeting": "Hola, please hold.",
        "announce_every_seconds": 60,
        "callback_enabled": True,
        "callback_retries": 3,
        "callback_retry_minutes": 15,
    }
    again = (await env.client.get(f"/admin/queues/{sales.id}")).text
    assert f'<option value="{billing.id}" selected>' in again
    assert '<option value="7" selected>at least 7</option>' in again
    assert 'name="callback_enabled" checked' in again
    assert '<option value="auto" selected>' in again
    # The retry settings are shown as saved, with their meaning in words.
    assert re.search(
        r'try again \(0-5 more times\) <input name="callback_retries"[^>]*value="3"', again
    )
    assert re.search(
        r'\(1-120 minutes[^<]*<input name="callback_retry_minutes"[^>]*value="15"', again
    )

    # Voicemail and external overflow targets; unchecking the switch turns callbacks off.
    await env.client.post(
        f"/admin/queues/{sales.id}",
        headers=h,
        data=_form(max_wait_seconds="60", overflow_kind="voicemail"),
    )
    api = (await env.client.get(f"/api/v1/queues/{sales.id}")).json()
    assert (api["overflow_kind"], api["overflow_target"]) == ("voicemail", "default")
    assert api["callback_enabled"] is False and api["required_skills"] == {}
    await env.client.post(
        f"/admin/queues/{sales.id}",
        headers=h,
        data=_form(
            max_wait_seconds="60", overflow_kind="external", overflow_number="+1 415 555 0100"
        ),
    )
    api = (await env.client.get(f"/api/v1/queues/{sales.id}")).json()
    assert (api["overflow_kind"], api["overflow_target"]) == ("external", "+14155550100")

    assert await _actions(env, org) == [
        "queue.create",
        "queue.create",
        "queue.update",
        "queue.update",
        "queue.update",
    ]


async def test_invalid_queue_forms_show_the_field_and_store_nothing(sqlite_env: Env) -> None:
    env = sqlite_env
    org, h = await _admin(env)
    bad_new = await env.client.post(
        "/admin/queues", headers=h, data={"name": "", "priority": "500"}
    )
    assert bad_new.status_code == 422
    assert "Name:" in _error(bad_new.text, "name")
    assert "less than or equal to 100" in _error(bad_new.text, "priority")
    assert 'value="500"' in bad_new.text  # what was typed stays in the form
    assert await _queues(env, org) == {}

    await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    await env.client.post("/admin/queues", headers=h, data={"name": "Billing"})
    dup = await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    assert dup.status_code == 409 and "already used" in _error(dup.text, "name")
    sales = (await _queues(env, org))["Sales"]
    before = (await env.client.get(f"/api/v1/queues/{sales.id}")).json()
    audited = await _actions(env, org)

    cases: list[tuple[dict[str, str], str, str, int]] = [
        (_form(priority="abc", offer_timeout_seconds="3"), "priority", "valid integer", 422),
        (_form(offer_timeout_seconds="3"), "offer_timeout_seconds", "greater than or equal", 422),
        (
            _form(overflow_kind="voicemail"),
            "max_wait_seconds",
            "Maximum wait (max_wait_seconds) must be set when an overflow is chosen",
            422,
        ),
        (
            _form(max_wait_seconds="60", overflow_kind="external", overflow_number="12345"),
            "overflow_target",
            "not an E.164 number",
            422,
        ),
        (
            _form(max_wait_seconds="60", overflow_kind="queue", overflow_queue=sales.id),
            "overflow_target",
            "cannot overflow into itself",
            422,
        ),
        (
            _form(max_wait_seconds="60", overflow_kind="queue", overflow_queue="0" * 32),
            "overflow_target",
            "no such queue",
            422,
        ),
        (_form(**{"skill_" + "0" * 32: "5"}), "required_skills", "unknown skill", 422),
        (
            _form(**{"skill_" + "0" * 32: "11"}),
            "required_skills",
            "(required_skills) must be between 1 and 10, not 11",
            422,
        ),
        (_form(announce_every_seconds="5"), "announce_every_seconds", "greater than", 422),
        (
            _form(callback_retries="6"),
            "callback_retries",
            "(callback_retries) must be a whole number from 0 to 5, not 6",
            422,
        ),
        (
            _form(callback_retry_minutes="0"),
            "callback_retry_minutes",
            "(callback_retry_minutes) must be a whole number from 1 to 120, not 0",
            422,
        ),
        (_form(name="Billing"), "name", "already used", 409),
    ]
    for data, field, reason, status in cases:
        resp = await env.client.post(f"/admin/queues/{sales.id}", headers=h, data=data)
        assert resp.status_code == status, (field, resp.text)
        assert reason in _error(resp.text, field), field
        assert 'data-testid="form-errors"' in resp.text
    assert (await env.client.get(f"/api/v1/queues/{sales.id}")).json() == before
    assert await _actions(env, org) == audited


async def test_members_added_reprioritised_and_removed(env: Env) -> None:
    org, h = await _admin(env)
    alex = await env.user(org, "alex@acme.example.com", Role.AGENT)
    bea = await env.user(org, "bea@acme.example.com", Role.AGENT)
    await env.user(org, "rita@acme.example.com", Role.REPORTING)  # takes no calls
    await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    sales = (await _queues(env, org))["Sales"]

    page = (await env.client.get(f"/admin/queues/{sales.id}")).text
    assert "alex@acme.example.com" in page and "rita@acme.example.com" not in page
    url = f"/admin/queues/{sales.id}/members"
    added = await env.client.post(url, headers=h, data={"user_id": alex, "priority": "2"})
    assert added.status_code == 200 and "Added alex (priority 2)" in added.text
    await env.client.post(url, headers=h, data={"user_id": bea, "priority": "0"})
    assert await _members(env, sales.id) == {alex: 2, bea: 0}
    changed = await env.client.post(url, headers=h, data={"user_id": bea, "priority": "9"})
    assert "Saved bea (priority 9)" in changed.text
    assert await _members(env, sales.id) == {alex: 2, bea: 9}

    too_high = await env.client.post(url, headers=h, data={"user_id": bea, "priority": "101"})
    assert too_high.status_code == 422
    assert "less than or equal to 100" in _error(too_high.text, "priority")
    nobody = await env.client.post(url, headers=h, data={"user_id": "", "priority": "1"})
    assert nobody.status_code == 422 and "choose an agent" in _error(nobody.text, "user_id")
    theirs = await env.user(await env.org("other"), "x@other.example.com", Role.AGENT)
    stranger = await env.client.post(url, headers=h, data={"user_id": theirs, "priority": "1"})
    assert stranger.status_code == 422
    assert "unknown user ids" in _error(stranger.text, "members")
    assert await _members(env, sales.id) == {alex: 2, bea: 9}

    removed = await env.client.post(f"{url}/{alex}/delete", headers=h)
    assert removed.status_code == 200 and "Removed alex" in removed.text
    assert await _members(env, sales.id) == {bea: 9}
    again = await env.client.post(f"{url}/{alex}/delete", headers=h)
    assert again.status_code == 404
    listing = (await env.client.get("/admin/queues")).text
    row = re.search(r'data-queue="Sales">.*?member-count">(\d+)<', listing, re.DOTALL)
    assert row and row.group(1) == "1"
    assert (await _actions(env, org)).count("queue.members") == 4


async def test_numbers_added_listed_and_deleted(env: Env) -> None:
    org, h = await _admin(env)
    none_yet = (await env.client.get("/admin/numbers")).text
    assert "Create a" in none_yet and 'hx-post="/admin/numbers"' not in none_yet
    await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    sales = (await _queues(env, org))["Sales"]

    bad = await env.client.post(
        "/admin/numbers", headers=h, data={"number": "12345", "target": f"queue:{sales.id}"}
    )
    assert bad.status_code == 422
    assert "not an E.164 number" in _error(bad.text, "number")
    assert 'value="12345"' in bad.text
    elsewhere = await env.client.post(
        "/admin/numbers", headers=h, data={"number": NUMBER, "target": "queue:" + "0" * 32}
    )
    assert elsewhere.status_code == 422 and "queue" in _error(elsewhere.text, "target_id")
    assert await _numbers(env) == []

    added = await env.client.post(
        "/admin/numbers",
        headers=h,
        data={
            "number": "+1 (415) 555-0142",
            "friendly_name": "Sales line",
            "target": f"queue:{sales.id}",
        },
    )
    assert added.status_code == 200 and f"Added {NUMBER}" in added.text
    assert f'data-number="{NUMBER}"' in added.text and "Sales line" in added.text
    assert await _numbers(env) == [(NUMBER, sales.id)]
    dup = await env.client.post(
        "/admin/numbers", headers=h, data={"number": NUMBER, "target": f"queue:{sales.id}"}
    )
    assert dup.status_code == 409 and "already in use" in _error(dup.text, "number")

    listing = (await env.client.get("/admin/queues")).text
    assert re.search(rf'data-queue="Sales">.*?routed-numbers">\{NUMBER}<', listing, re.DOTALL)
    number_id = re.search(r'hx-post="/admin/numbers/(\w+)/delete"', added.text)
    assert number_id
    gone = await env.client.post(f"/admin/numbers/{number_id.group(1)}/delete", headers=h)
    assert gone.status_code == 200 and f"Deleted {NUMBER}" in gone.text
    assert await _numbers(env) == []
    assert await _actions(env, org) == ["queue.create", "number.create", "number.delete"]


async def test_queue_delete_is_refused_while_something_points_at_it(env: Env) -> None:
    org, h = await _admin(env)
    await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    await env.client.post("/admin/queues", headers=h, data={"name": "Billing"})
    q = await _queues(env, org)
    await env.client.post(
        "/admin/numbers", headers=h, data={"number": NUMBER, "target": "queue:" + q["Sales"].id}
    )
    routed = await env.client.post(f"/admin/queues/{q['Sales'].id}/delete", headers=h)
    assert routed.status_code == 409
    assert "a number still routes to this queue" in routed.text
    assert 'data-testid="delete-error"' in routed.text

    await env.client.post(
        f"/admin/queues/{q['Sales'].id}",
        headers=h,
        data=_form(max_wait_seconds="60", overflow_kind="queue", overflow_queue=q["Billing"].id),
    )
    fed = await env.client.post(f"/admin/queues/{q['Billing'].id}/delete", headers=h)
    assert fed.status_code == 409 and "queue &#39;Sales&#39; overflows to this queue" in fed.text
    assert set(await _queues(env, org)) == {"Sales", "Billing"}

    await env.client.post(
        f"/admin/queues/{q['Sales'].id}", headers=h, data=_form(name="Sales")
    )  # no overflow any more
    gone = await env.client.post(f"/admin/queues/{q['Billing'].id}/delete", headers=h)
    assert gone.status_code == 204 and gone.headers["HX-Redirect"] == "/admin/queues"
    assert set(await _queues(env, org)) == {"Sales"}
    assert "queue.delete" in await _actions(env, org)


async def test_other_tenants_queue_is_not_found(sqlite_env: Env) -> None:
    env = sqlite_env
    theirs = await env.org("theirs")
    async with env.sessions() as s:
        queue = Queue(organization_id=theirs, name="Theirs")
        s.add(queue)
        await s.commit()
        their_queue = queue.id
    _org, h = await _admin(env)
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/admin/queues/{their_queue}", None),
        ("POST", f"/admin/queues/{their_queue}", _form(name="Mine now")),
        ("POST", f"/admin/queues/{their_queue}/members", {"user_id": "x", "priority": "0"}),
        ("POST", f"/admin/queues/{their_queue}/delete", None),
    ]
    for method, path, data in requests:
        resp = await env.client.request(method, path, headers=h, data=data)
        assert resp.status_code == 404, (method, path, resp.status_code)
    # Nor can a number of ours route to their queue.
    sneaky = await env.client.post(
        "/admin/numbers", headers=h, data={"number": NUMBER, "target": f"queue:{their_queue}"}
    )
    assert sneaky.status_code == 422
    assert (await _queues(env, theirs))["Theirs"].name == "Theirs"
    assert "Theirs" not in (await env.client.get("/admin/queues")).text


async def test_readers_see_the_pages_without_forms(sqlite_env: Env) -> None:
    env = sqlite_env
    org, h = await _admin(env)
    await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    sales = (await _queues(env, org))["Sales"]
    await env.user(org, "sue@acme.example.com", Role.SUPERVISOR)
    await login(env, "sue@acme.example.com")
    page = await env.client.get("/admin/queues")
    assert page.status_code == 200 and 'data-queue="Sales"' in page.text
    assert 'hx-post="/admin/queues"' not in page.text
    detail = await env.client.get(f"/admin/queues/{sales.id}")
    assert detail.status_code == 200 and "<fieldset disabled>" in detail.text
    assert "Delete queue" not in detail.text and "Add agent" not in detail.text
    h = {"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"}
    refused = await env.client.post("/admin/queues", headers=h, data={"name": "Mine"})
    assert refused.status_code == 403
    assert set(await _queues(env, org)) == {"Sales"}
    agent_nav = await env.client.get("/")
    assert 'href="/admin/queues"' in agent_nav.text  # supervisors read queue settings


async def test_numbers_route_to_an_agent_or_a_voicemail_box(env: Env) -> None:
    org, h = await _admin(env)
    await env.client.post("/admin/queues", headers=h, data={"name": "Sales"})
    sales = (await _queues(env, org))["Sales"]
    alex = await env.user(org, "alex@acme.example.com", Role.AGENT)
    page = (await env.client.get("/admin/numbers")).text
    assert f'value="agent:{alex}"' in page and f'value="voicemail:{sales.id}"' in page
    direct = await env.client.post(
        "/admin/numbers", headers=h, data={"number": NUMBER, "target": f"agent:{alex}"}
    )
    assert direct.status_code == 200, direct.text
    box = await env.client.post(
        "/admin/numbers",
        headers=h,
        data={"number": "+14155550143", "target": f"voicemail:{sales.id}"},
    )
    assert box.status_code == 200, box.text
    assert "voicemail box of Sales" in box.text
    wrong = await env.client.post(
        "/admin/numbers", headers=h, data={"number": "+14155550144", "target": f"agent:{sales.id}"}
    )
    assert wrong.status_code == 422 and "not a user of your organisation" in wrong.text
    async with env.sessions() as s:
        kinds = {
            n.number: (n.target_kind, n.target_id) for n in await s.scalars(select(InboundNumber))
        }
    assert kinds == {NUMBER: ("agent", alex), "+14155550143": ("voicemail", sales.id)}

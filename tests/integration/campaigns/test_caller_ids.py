"""Caller IDs: a campaign or an agent presents only the organisation's own numbers or the
caller IDs its admins listed, never another organisation's number (both backends)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import func, select
from tests.integration.campaigns.helpers import CALLER_ID, admin, new_list
from tests.support import Env

from omnivox.campaigns.models import Campaign

OWN = "+14155550142"  # a number routed to the organisation, not listed in its settings
THEIRS = "+14155550177"  # another organisation's number
_names = itertools.count()


async def _route_number(env: Env, headers: dict[str, str], number: str) -> None:
    queue = await env.client.post("/api/v1/queues", headers=headers, json={"name": "Support"})
    assert queue.status_code == 201, queue.text
    made = await env.client.post(
        "/api/v1/numbers", headers=headers, json={"number": number, "target_id": queue.json()["id"]}
    )
    assert made.status_code == 201, made.text


async def _campaign(env: Env, headers: dict[str, str], caller_ids: list[str]) -> Any:
    name = f"Spring {next(_names)}"
    list_id = await new_list(env, headers, name)
    return await env.client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={"name": name, "list_ids": [list_id], "caller_ids": caller_ids},
    )


async def _campaigns(env: Env) -> int:
    async with env.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(Campaign)) or 0)


async def test_a_campaign_presents_only_the_organisations_numbers(env: Env) -> None:
    _other, other_headers = await admin(env, "globex")
    await _route_number(env, other_headers, THEIRS)
    _org, h = await admin(env)
    await _route_number(env, h, OWN)

    made_before = await _campaigns(env)
    unlisted = await _campaign(env, h, [CALLER_ID, "+14155550100"])
    assert unlisted.status_code == 422
    assert unlisted.json()["errors"][0]["field"] == "caller_ids"
    assert "+14155550100 is not one of the organisation's numbers" in unlisted.json()["detail"]
    assert await _campaigns(env) == made_before  # nothing stored

    # Another organisation's number cannot be listed in the settings (issue 15, item 7),
    # nor presented.
    listed = await env.client.patch(
        "/api/v1/organization", headers=h, json={"default_caller_ids": [CALLER_ID, THEIRS]}
    )
    assert listed.status_code == 422
    assert listed.json()["errors"][0]["field"] == "default_caller_ids"
    assert f"{THEIRS} belongs to another organisation" in listed.json()["detail"]
    kept = await env.client.get("/api/v1/organization", headers=h)
    assert kept.json()["default_caller_ids"] == [CALLER_ID]
    foreign = await _campaign(env, h, [THEIRS])
    assert foreign.status_code == 422
    assert f"{THEIRS} belongs to another organisation" in foreign.json()["detail"]

    # Its own numbers and its listed caller IDs are.
    made = await _campaign(env, h, [CALLER_ID, OWN])
    assert made.status_code == 201, made.text
    assert made.json()["caller_ids"] == [CALLER_ID, OWN]
    edited = await env.client.patch(
        f"/api/v1/campaigns/{made.json()['id']}", headers=h, json={"caller_ids": ["+1415555"]}
    )
    assert edited.status_code == 422  # not E.164; the stored list is kept
    again = await env.client.get(f"/api/v1/campaigns/{made.json()['id']}", headers=h)
    assert again.json()["caller_ids"] == [CALLER_ID, OWN]


async def test_a_caller_id_withdrawn_from_the_settings_stops_the_campaign_starting(
    env: Env,
) -> None:
    _org, h = await admin(env)
    made = await _campaign(env, h, [CALLER_ID])
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    withdrawn = await env.client.patch(
        "/api/v1/organization", headers=h, json={"default_caller_ids": ["+14155550111"]}
    )
    assert withdrawn.status_code == 200
    start = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=h)
    assert start.status_code == 409
    assert f"caller ID {CALLER_ID} is no longer one of the organisation's" in start.text
    shown = await env.client.get(f"/api/v1/campaigns/{cid}", headers=h)
    assert shown.json()["status"] == "draft"


async def test_click_to_call_refuses_a_caller_id_the_organisation_does_not_have(
    env: Env,
) -> None:
    _other, other_headers = await admin(env, "globex")
    await _route_number(env, other_headers, THEIRS)
    _org, h = await admin(env)
    for number, message in (
        ("+14155550100", "is not one of the organisation's numbers"),
        (THEIRS, "belongs to another organisation"),
    ):
        resp = await env.client.post(
            "/api/v1/calls", headers=h, json={"to": "+14155550123", "from": number}
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0]["field"] == "from"
        assert message in resp.json()["detail"]
    calls = await env.client.get("/api/v1/calls", headers=h)
    assert calls.json() == []  # no call was placed


async def test_default_caller_ids_refuse_another_organisations_number_everywhere(
    env: Env,
) -> None:
    """The settings page and the platform admin's API check as the own-organisation API
    does."""
    from tests.integration.platform.test_auth import login, page_csrf

    from omnivox.core.security.permissions import Role

    other, other_headers = await admin(env, "globex")
    await _route_number(env, other_headers, THEIRS)
    org, h = await admin(env)
    await env.user(org, "root@acme.example.com", Role.PLATFORM_ADMIN)
    platform = await env.token("root@acme.example.com")
    resp = await env.client.patch(
        f"/api/v1/organizations/{org}", headers=platform, json={"default_caller_ids": [THEIRS]}
    )
    assert resp.status_code == 422 and "belongs to another organisation" in resp.text
    # Its own number (routed to it) may be listed by the platform admin too.
    ok = await env.client.patch(
        f"/api/v1/organizations/{other}", headers=platform, json={"default_caller_ids": [THEIRS]}
    )
    assert ok.status_code == 200, ok.text

    await login(env, "boss@acme.example.com")
    page = await env.client.get("/admin/settings")
    form = await env.client.post(
        "/admin/settings/profile",
        data={"name": "Acme", "timezone": "UTC", "default_caller_ids": f"{CALLER_ID}, {THEIRS}"},
        headers={"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"},
    )
    assert form.status_code == 422 and "belongs to another organisation" in form.text
    kept = await env.client.get("/api/v1/organization", headers=h)
    assert kept.json()["default_caller_ids"] == [CALLER_ID]

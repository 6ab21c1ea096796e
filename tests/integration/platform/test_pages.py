"""HTMX pages round-trip through the same services as the API."""

from __future__ import annotations

import re

from tests.integration.platform.test_auth import login, page_csrf
from tests.support import Env

from omnivox.core.security.permissions import Role


async def _admin_page(env: Env, path: str) -> tuple[str, dict[str, str]]:
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    await login(env, "admin@acme.example.com")
    page = await env.client.get(path)
    assert page.status_code == 200
    return page.text, {"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"}


async def test_business_hours_form_keeps_split_days(sqlite_env: Env) -> None:
    env = sqlite_env
    _, h = await _admin_page(env, "/admin/settings")
    form = {
        "opens_0_0": "09:00",
        "closes_0_0": "12:00",
        "opens_0_1": "13:00",
        "closes_0_1": "17:30",
        "opens_2_0": "",
        "closes_2_0": "",
    }
    saved = await env.client.post("/admin/settings/hours", data=form, headers=h)
    assert saved.status_code == 200 and "Business hours saved" in saved.text
    api = await env.client.get("/api/v1/settings/business-hours")
    assert [(i["weekday"], i["opens"], i["closes"]) for i in api.json()["intervals"]] == [
        (0, "09:00:00", "12:00:00"),
        (0, "13:00:00", "17:30:00"),
    ]
    page = (await env.client.get("/admin/settings")).text
    assert 'name="opens_0_1" value="13:00"' in page and 'name="opens_0_2" value=""' in page
    half = await env.client.post(
        "/admin/settings/hours", headers=h, data={"opens_1_0": "09:00", "closes_1_0": ""}
    )
    assert half.status_code == 422 and half.headers["HX-Retarget"] == "#flash"
    assert len((await env.client.get("/api/v1/settings/business-hours")).json()["intervals"]) == 2


async def test_compliance_form_takes_percent(sqlite_env: Env) -> None:
    env = sqlite_env
    _, h = await _admin_page(env, "/admin/settings")
    form = {
        "abandon_rate_percent": "2.5",
        "abandon_window_hours": "24",
        "calling_window_start": "09:00",
        "calling_window_end": "20:00",
        "recording_disclosure": "Recorded.",
    }
    assert (
        await env.client.post("/admin/settings/compliance", data=form, headers=h)
    ).status_code == 200
    stored = (await env.client.get("/api/v1/settings/compliance")).json()
    assert stored["abandon_rate_cap"] == "0.0250" and stored["abandon_window_hours"] == 24
    bad = await env.client.post(
        "/admin/settings/compliance", headers=h, data={**form, "abandon_rate_percent": "lots"}
    )
    assert bad.status_code == 422 and "abandon_rate_percent" in bad.text


async def test_user_edit_and_delete_from_the_page(sqlite_env: Env) -> None:
    env = sqlite_env
    _, h = await _admin_page(env, "/admin/users")
    made = await env.client.post(
        "/admin/users",
        headers=h,
        data={
            "name": "Dee",
            "email": "dee@acme.example.com",
            "role": "agent",
            "password": "dee-pass-1234",
        },
    )
    assert "Created dee@acme.example.com" in made.text
    user_id = re.search(
        r'data-user="dee@acme.example.com">.*?/admin/users/(\w+)/edit', made.text, re.DOTALL
    )
    assert user_id
    edit = await env.client.get(f"/admin/users/{user_id.group(1)}/edit", headers=h)
    assert f'hx-post="/admin/users/{user_id.group(1)}"' in edit.text
    saved = await env.client.post(
        f"/admin/users/{user_id.group(1)}",
        headers=h,
        data={"name": "Dee Lead", "role": "supervisor", "is_active": "on"},
    )
    assert "Saved dee@acme.example.com" in saved.text
    api = (await env.client.get(f"/api/v1/users/{user_id.group(1)}")).json()
    assert api["name"] == "Dee Lead" and api["role"] == "supervisor" and api["is_active"]
    gone = await env.client.post(f"/admin/users/{user_id.group(1)}/delete", headers=h)
    assert "dee@acme.example.com" not in gone.text


async def test_two_factor_on_and_off_from_the_account_page(sqlite_env: Env) -> None:
    import pyotp

    env = sqlite_env
    _, h = await _admin_page(env, "/account")
    setup = await env.client.post("/account/totp/setup", headers=h)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', setup.text)
    assert secret
    totp = pyotp.TOTP(secret.group(1))
    on = await env.client.post(
        "/account/totp/enable", headers=h, data={"code": totp.at(env.clock.now())}
    )
    assert "Two-factor sign-in is on" in on.text
    await env.clock.advance(31)
    off = await env.client.post(
        "/account/totp/disable", headers=h, data={"code": totp.at(env.clock.now())}
    )
    assert "Two-factor sign-in is off" in off.text
    me = (await env.client.get("/api/v1/me")).json()
    assert me["totp_enabled"] is False

"""Per-organisation IP allow-lists (issue 15): the web UI and API tokens separately,
behind the configured trusted proxies, with a guard that keeps the administrator saving
the list inside it."""

from __future__ import annotations

from tests.integration.platform.test_auth import login, page_csrf
from tests.support import Env

from omnivox.core.security.permissions import Role

OFFICE = "203.0.113.0/24"


def _from(address: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    """A request as it reaches us through our proxy (the test client is 127.0.0.1)."""
    return {**(headers or {}), "X-Forwarded-For": address}


async def test_api_tokens_only_from_listed_addresses(sqlite_env: Env) -> None:
    env = sqlite_env
    env.settings.trusted_proxies = "127.0.0.1/32"  # the proxy in front of us
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    boss = await env.token("boss@acme.example.com")
    bad = await env.client.patch(
        "/api/v1/organization", headers=boss, json={"ip_allow_api": ["not-an-address"]}
    )
    assert bad.status_code == 422 and "not-an-address" in bad.text
    # Saving from outside the new list would lock the boss's own token out: refused.
    locked = await env.client.patch(
        "/api/v1/organization",
        headers=_from("198.51.100.7", boss),
        json={"ip_allow_api": [OFFICE]},
    )
    assert locked.status_code == 422 and "lock yourself out" in locked.text
    saved = await env.client.patch(
        "/api/v1/organization",
        headers=_from("203.0.113.9", boss),
        json={"ip_allow_api": [OFFICE, "2001:db8::1"]},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["ip_allow_api"] == [OFFICE, "2001:db8::1/128"]
    inside = await env.client.get("/api/v1/me", headers=_from("203.0.113.50", boss))
    assert inside.status_code == 200
    outside = await env.client.get("/api/v1/me", headers=_from("198.51.100.7", boss))
    assert outside.status_code == 403 and "198.51.100.7" in outside.json()["detail"]
    # A header from an untrusted peer is not believed: only our proxies' count.
    env.settings.trusted_proxies = ""
    spoofed = await env.client.get("/api/v1/me", headers=_from("203.0.113.50", boss))
    assert spoofed.status_code == 403  # the peer itself (127.0.0.1) is not listed


async def test_the_web_interface_only_from_listed_addresses(sqlite_env: Env) -> None:
    env = sqlite_env
    env.settings.trusted_proxies = "127.0.0.1/32"
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    await env.user(org, "al@acme.example.com", Role.AGENT)
    boss = await env.token("boss@acme.example.com")
    env.client.headers["X-Forwarded-For"] = "203.0.113.9"
    signed = await login(env, "boss@acme.example.com")
    assert signed.status_code == 303  # type: ignore[attr-defined]
    csrf = {"X-CSRF-Token": page_csrf((await env.client.get("/")).text)}
    # In a browser session the web list is the one that must keep the saver inside.
    locked = await env.client.patch(
        "/api/v1/organization", headers=csrf, json={"ip_allow_web": ["198.51.100.0/24"]}
    )
    assert locked.status_code == 422 and "ip_allow_web" in locked.text
    saved = await env.client.patch(
        "/api/v1/organization", headers=csrf, json={"ip_allow_web": [OFFICE]}
    )
    assert saved.status_code == 200, saved.text
    assert (await env.client.get("/agent")).status_code in (200, 303)
    # The same session from elsewhere is refused; so is signing in from there.
    env.client.headers["X-Forwarded-For"] = "198.51.100.7"
    away = await env.client.get("/api/v1/me")
    assert away.status_code == 403
    env.client.cookies.clear()
    refused = await login(env, "al@acme.example.com")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "198.51.100.7" in refused.text  # type: ignore[attr-defined]
    # API tokens have their own list (empty: anywhere).
    assert (await env.client.get("/api/v1/me", headers=boss)).status_code == 200
    del env.client.headers["X-Forwarded-For"]

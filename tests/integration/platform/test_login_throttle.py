"""Sign-in throttling per client address and per account, with growing delays rather than
a lock others can trigger, bounded storage, and the client address behind trusted proxies."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select
from tests.support import PASSWORD, Env

from omnivox.accounts.models import LoginThrottle
from omnivox.core.security.permissions import Role


async def attempt(env: Env, email: str, password: str, via: str | None = None) -> httpx.Response:
    """One sign-in, with a fresh form; ``via`` is the X-Forwarded-For a proxy would add."""
    headers = {"X-Forwarded-For": via} if via else {}
    page = await env.client.get("/login", headers=headers)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return await env.client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf.group(1), "next": "/"},
        headers=headers,
    )


async def _rows(env: Env) -> int:
    async with env.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(LoginThrottle)) or 0)


async def test_spraying_many_accounts_from_one_address_is_slowed(sqlite_env: Env) -> None:
    env = sqlite_env
    free = env.settings.login_address_max_failures
    for i in range(free):
        resp = await attempt(env, f"user{i}@acme.example.com", "Spring2026!")
        assert resp.status_code == 401, (i, resp.status_code)
    slowed = await attempt(env, "user99@acme.example.com", "Spring2026!")
    assert slowed.status_code == 429
    assert slowed.headers["retry-after"] == "1"
    assert "this address" in slowed.text and "try again in 1 second" in slowed.text
    await env.clock.advance(1)
    assert (await attempt(env, "user98@acme.example.com", "Spring2026!")).status_code == 401
    again = await attempt(env, "user97@acme.example.com", "Spring2026!")
    assert again.status_code == 429 and again.headers["retry-after"] == "2"  # growing


async def test_failures_on_one_account_grow_the_delay_and_never_lock_it(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "a@acme.example.com", Role.AGENT)
    free = env.settings.login_max_failures
    for _ in range(free):
        assert (await attempt(env, "a@acme.example.com", "wrong-password-1")).status_code == 401
    waits = []
    for _ in range(4):
        slowed = await attempt(env, "a@acme.example.com", PASSWORD)  # right, but too soon
        assert slowed.status_code == 429 and "this account" in slowed.text
        waits.append(int(slowed.headers["retry-after"]))
        await env.clock.advance(waits[-1])
        assert (await attempt(env, "a@acme.example.com", "wrong-password-1")).status_code == 401
    assert waits == [1, 2, 4, 8]
    await env.clock.advance(16)
    assert (await attempt(env, "a@acme.example.com", PASSWORD)).status_code == 303


async def test_others_cannot_lock_a_user_out(sqlite_env: Env) -> None:
    """An attacker at one address hammering a known account does not keep its owner, at
    another address behind the same trusted proxy, from signing in."""
    env = sqlite_env
    env.settings.trusted_proxies = "127.0.0.1/32"  # the test client's peer is the proxy
    org = await env.org("acme")
    await env.user(org, "victim@acme.example.com", Role.AGENT)
    for _ in range(12):
        await attempt(env, "victim@acme.example.com", "guess-123456", via="203.0.113.9")
    blocked = await attempt(env, "victim@acme.example.com", "guess-123456", via="203.0.113.9")
    assert blocked.status_code == 429
    owner = await attempt(env, "victim@acme.example.com", PASSWORD, via="198.51.100.7")
    assert owner.status_code == 303


async def test_an_untrusted_forwarded_for_header_is_ignored(sqlite_env: Env) -> None:
    env = sqlite_env
    free = env.settings.login_address_max_failures
    for i in range(free):
        await attempt(env, f"user{i}@acme.example.com", "x-password-1", via=f"10.9.9.{i}")
    rotated = await attempt(env, "other@acme.example.com", "x-password-1", via="10.9.9.250")
    assert rotated.status_code == 429, "a client chose its own address"


async def test_throttle_storage_is_bounded(sqlite_env: Env) -> None:
    env = sqlite_env
    env.settings.login_throttle_max_rows = 12
    env.settings.login_address_max_failures = 1000
    for i in range(30):
        await attempt(env, f"nobody{i}@acme.example.com", "x-password-1")
    assert await _rows(env) <= 12
    await env.clock.advance(env.settings.login_lockout_minutes * 60 + 1)
    await attempt(env, "late@acme.example.com", "x-password-1")
    assert await _rows(env) <= 3  # expired rows are pruned: only this attempt's remain
    async with env.sessions() as s:
        keys = list((await s.scalars(select(LoginThrottle.key))).all())
    assert not any("late@" in k for k in keys), "typed e-mails are stored only as digests"


async def test_parallel_failures_from_one_address_are_all_counted(env: Env) -> None:
    """Attackers send in parallel: no 500 from two requests creating one counter, and no
    failure lost to a read-modify-write race."""
    import asyncio

    results = await asyncio.gather(
        *(attempt(env, f"user{i}@acme.example.com", "Spring2026!") for i in range(8))
    )
    assert sorted(r.status_code for r in results) == [401] * 8
    async with env.sessions() as s:
        counted = await s.scalar(
            select(LoginThrottle.failures).where(LoginThrottle.key == "addr:127.0.0.1")
        )
    assert counted == 8


async def test_an_api_tokens_origin_is_the_client_behind_a_trusted_proxy(sqlite_env: Env) -> None:
    env = sqlite_env
    env.settings.trusted_proxies = "127.0.0.1/32"
    org = await env.org("acme")
    await env.user(org, "al@acme.example.com", Role.AGENT)
    headers = await env.token("al@acme.example.com")
    via = {**headers, "X-Forwarded-For": "203.0.113.5"}
    assert (await env.client.get("/api/v1/me", headers=via)).status_code == 200
    listed = await env.client.get("/api/v1/tokens", headers=via)
    assert listed.json()[0]["last_used_from"] == "203.0.113.5"

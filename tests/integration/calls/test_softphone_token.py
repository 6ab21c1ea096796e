"""The softphone access token: a Twilio Voice grant for the agent's identity."""

from __future__ import annotations

import jwt
from tests.support import Env

from omnivox.core.security.permissions import Role


async def test_agent_gets_a_voice_token_for_their_identity(sqlite_env: Env) -> None:
    org = await sqlite_env.org("acme")
    agent = await sqlite_env.user(org, "a@acme.example.com", Role.AGENT)
    h = await sqlite_env.token("a@acme.example.com")
    resp = await sqlite_env.client.get("/api/v1/telephony/token", headers=h)
    assert resp.status_code == 200
    body = resp.json()
    assert body["identity"] == f"agent_{agent}"
    assert body["sandbox_softphone_url"].endswith("/sandbox/softphone")
    sandbox = sqlite_env.settings.sandbox
    claims = jwt.decode(
        body["token"], sandbox.api_key_secret.get_secret_value(), algorithms=["HS256"]
    )
    assert claims["iss"] == sandbox.api_key_sid and claims["sub"] == sandbox.account_sid
    assert claims["grants"]["identity"] == body["identity"]
    assert claims["grants"]["voice"]["incoming"]["allow"] is True


async def test_reporting_users_get_no_softphone(sqlite_env: Env) -> None:
    org = await sqlite_env.org("acme")
    await sqlite_env.user(org, "r@acme.example.com", Role.REPORTING)
    h = await sqlite_env.token("r@acme.example.com")
    assert (await sqlite_env.client.get("/api/v1/telephony/token", headers=h)).status_code == 403

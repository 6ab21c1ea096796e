"""The sandbox carrier is one simulated network: organisations only reach their own numbers."""

from __future__ import annotations

from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.routing.models import InboundNumber, Queue


async def test_supervisors_simulate_callers_on_their_own_numbers_only(sqlite_env: Env) -> None:
    env = sqlite_env
    mine, theirs = await env.org("mine"), await env.org("theirs")
    await env.user(mine, "sup@mine.example.com", Role.SUPERVISOR)
    h = await env.token("sup@mine.example.com")
    async with env.sessions() as s:
        for org, number in ((mine, "+15005550006"), (theirs, "+15005550007")):
            queue = Queue(organization_id=org, name="Q")
            s.add(queue)
            await s.flush()
            s.add(
                InboundNumber(
                    organization_id=org, number=number, target_kind="queue", target_id=queue.id
                )
            )
        await s.commit()
    runtime = env.app.state.telephony  # type: ignore[attr-defined]
    for number in ("+15005550006", "+15005550007"):
        runtime.provision_number(number)
    ok = await env.client.post(
        "/api/v1/sandbox/inbound-calls",
        headers=h,
        json={"from": "+14155550123", "to": "+15005550006"},
    )
    assert ok.status_code == 201, ok.text
    other = await env.client.post(
        "/api/v1/sandbox/inbound-calls",
        headers=h,
        json={"from": "+14155550123", "to": "+15005550007"},
    )
    assert other.status_code == 404
    assert (await env.client.get("/sandbox/control/calls", headers=h)).status_code == 403
    await runtime.stop()

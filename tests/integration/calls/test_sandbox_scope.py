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


async def _number_in_db(env: Env, org: str, number: str) -> None:
    """A number stored by another process (``omnivox demo seed``) or another node: this
    node's sandbox carrier was never told about it."""
    async with env.sessions() as s:
        queue = Queue(organization_id=org, name=f"Q {number}")
        s.add(queue)
        await s.flush()
        s.add(
            InboundNumber(
                organization_id=org, number=number, target_kind="queue", target_id=queue.id
            )
        )
        await s.commit()


async def test_the_sandbox_follows_numbers_added_and_removed_while_running(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    org = await env.org("mine")
    await env.user(org, "boss@mine.example.com", Role.ORG_ADMIN)
    h = await env.token("boss@mine.example.com")
    runtime = env.app.state.telephony  # type: ignore[attr-defined]
    await _number_in_db(env, org, "+15005550008")
    # Simulating a caller on it works at once (it used to answer 500: "… is not a number
    # configured on the sandbox carrier").
    rang = await env.client.post(
        "/api/v1/sandbox/inbound-calls",
        headers=h,
        json={"from": "+14155550123", "to": "+15005550008"},
    )
    assert rang.status_code == 201, rang.text

    # Added through the API and removed through it: the carrier follows both ways.
    queue = await env.client.post("/api/v1/queues", headers=h, json={"name": "Support"})
    made = await env.client.post(
        "/api/v1/numbers",
        headers=h,
        json={"number": "+15005550009", "target_id": queue.json()["id"]},
    )
    assert made.status_code == 201 and "+15005550009" in runtime.carrier.numbers
    gone = await env.client.delete(f"/api/v1/numbers/{made.json()['id']}", headers=h)
    assert gone.status_code == 204 and "+15005550009" not in runtime.carrier.numbers
    refused = await env.client.post(
        "/api/v1/sandbox/inbound-calls",
        headers=h,
        json={"from": "+14155550123", "to": "+15005550009"},
    )
    assert refused.status_code == 404 and "not one of your organisation's numbers" in refused.text

    # Another node or process adds one: the periodic sweep provisions it.
    await _number_in_db(env, org, "+15005550010")
    await env.app.state.routing.follow_numbers(runtime.follow_numbers)  # type: ignore[attr-defined]
    assert "+15005550010" in runtime.carrier.numbers
    await runtime.stop()

"""Callback-in-queue in a real browser: a caller who pressed 1 hung up and kept their place;
when the agent becomes available their desktop offers the callback, and accepting it
rings the customer, who answers and is connected."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, add_people

pytestmark = pytest.mark.e2e
NUMBER = "+15005550009"
CALLER = "+14155550177"


@pytest.fixture(scope="module")
def admin(server: Server) -> dict[str, str]:
    h = add_people(server, (("lee", "agent"),))
    api = httpx.Client(base_url=server.url, headers=h)
    always = {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}
    assert api.put("/api/v1/settings/business-hours", json=always).status_code == 200
    made = api.post(
        "/api/v1/queues",
        json={"name": "Callbacks", "callback_enabled": True, "announce_every_seconds": 20},
    )
    assert made.status_code == 201, made.text
    queue = made.json()
    users = {u["email"]: u["id"] for u in api.get("/api/v1/users").json()}
    members = {"members": [{"user_id": users["lee@acme.example.com"]}]}
    assert api.put(f"/api/v1/queues/{queue['id']}/members", json=members).status_code == 200
    routed = api.post("/api/v1/numbers", json={"number": NUMBER, "target_id": queue["id"]})
    assert routed.status_code == 201, routed.text
    return h


def _sandbox(server: Server, admin: dict[str, str], method: str, path: str, **kw: Any) -> Any:
    resp = httpx.request(method, f"{server.url}/sandbox/control{path}", headers=admin, **kw)
    resp.raise_for_status()
    return resp.json() if resp.content else None


def test_callback_request_is_offered_and_dialled_after_the_agent_accepts(
    browser: Any, server: Server, admin: dict[str, str]
) -> None:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    lee = context.new_page()
    lee.goto(f"{server.url}/login?next=/agent")
    lee.fill("input[name=email]", "lee@acme.example.com")
    lee.fill("input[name=password]", PASSWORD)
    lee.click("button[type=submit]")
    lee.wait_for_url(f"{server.url}/agent")
    expect(lee.get_by_test_id("phone-status")).to_have_text("ready")

    # Nobody is available: the caller hears the offer and presses 1 during it.
    script = {"digits": [[4.0, "1"]]}
    caller = _sandbox(
        server,
        admin,
        "POST",
        "/inbound-calls",
        json={"from": CALLER, "to": NUMBER, "script": script},
    )
    deadline = time.monotonic() + 30
    while _sandbox(server, admin, "GET", f"/calls/{caller['sid']}")["status"] != "completed":
        assert time.monotonic() < deadline, "the caller did not hang up after asking for a callback"
        time.sleep(0.5)

    lee.get_by_test_id("go-available").click()
    incoming = lee.get_by_test_id("incoming")
    expect(incoming).to_be_visible()
    expect(incoming).to_contain_text("Callback request")
    expect(incoming).to_contain_text(CALLER)
    lee.get_by_test_id("accept").click()
    expect(lee.get_by_test_id("call-state")).to_have_text("connected", timeout=15_000)
    expect(lee.get_by_test_id("call-party")).to_have_text(CALLER)
    lee.get_by_test_id("hangup").click()
    lee.get_by_test_id("disposition-code").select_option("SALE")
    lee.get_by_test_id("sale-amount").fill("100")  # a sale needs its amount
    lee.get_by_test_id("submit-disposition").click()
    expect(lee.get_by_test_id("agent-state")).to_have_text("available")
    context.close()

"""The wallboard in a real browser (issue 16): a supervisor opens it and sees a caller
arrive and leave without reloading; TV mode fills the screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, add_people

pytestmark = pytest.mark.e2e
NUMBER = "+15005550021"
CALLER = "+14155550171"


@pytest.fixture(scope="module")
def admin(server: Server) -> dict[str, str]:
    h = add_people(server, (("wes", "supervisor"),))
    api = httpx.Client(base_url=server.url, headers=h)
    always = {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}
    assert api.put("/api/v1/settings/business-hours", json=always).is_success
    queue = api.post("/api/v1/queues", json={"name": "Wallboard queue"})
    assert queue.status_code == 201, queue.text
    routed = api.post("/api/v1/numbers", json={"number": NUMBER, "target_id": queue.json()["id"]})
    assert routed.status_code == 201, routed.text
    return h


@pytest.fixture
def wes(browser: Any, server: Server, admin: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/wallboard")
    page.fill("input[name=email]", "wes@acme.example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/wallboard")
    yield page
    context.close()


def test_the_wallboard_follows_a_caller_without_a_reload(
    wes: Any, server: Server, admin: dict[str, str]
) -> None:
    tile = wes.locator(".tile[data-queue='Wallboard queue']")
    expect(wes.get_by_test_id("wb-status")).to_have_text("live")
    # (The queue was just set up: it shows from the next change on the floor, or a
    # snapshot older than max_age_seconds; other tests' changes may already show it.)
    caller = httpx.post(
        f"{server.url}/sandbox/control/inbound-calls",
        headers=admin,
        json={"from": CALLER, "to": NUMBER},
    )
    assert caller.status_code == 201, caller.text
    # Nobody serves the queue: the caller waits, and the screen shows it by itself.
    expect(tile.get_by_test_id("wb-waiting")).to_have_text("1", timeout=5_000)
    hung_up = httpx.post(
        f"{server.url}/sandbox/control/calls/{caller.json()['sid']}/hangup", headers=admin
    )
    assert hung_up.status_code == 204
    expect(tile.get_by_test_id("wb-waiting")).to_have_text("0", timeout=5_000)
    expect(tile.get_by_test_id("wb-abandoned")).to_contain_text("1", timeout=5_000)
    wes.get_by_test_id("wb-tv").click()
    expect(wes.get_by_test_id("wallboard")).to_have_class("wallboard tv")
    expect(wes.get_by_test_id("wb-error")).to_be_hidden()

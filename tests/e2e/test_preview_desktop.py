"""Preview and manual campaigns on the agent desktop, in a browser, on the sandbox carrier.

Pia takes the next contact of a preview campaign (the server holds it for her), sees the
contact card, skips it, calls the next one, accepts her softphone leg, hangs up and
dispositions. On a manual campaign she searches, sees why a number on the do-not-call list
cannot be dialled, and dials another contact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, add_people

pytestmark = pytest.mark.e2e


def _api(server: Server, headers: dict[str, str], method: str, path: str, **kw: Any) -> Any:
    resp = httpx.request(method, f"{server.url}{path}", headers=headers, **kw)
    assert resp.status_code < 300, f"{method} {path}: {resp.status_code} {resp.text}"
    return resp.json() if resp.content else None


def _campaign(
    server: Server, admin: dict[str, str], name: str, mode: str, agent_id: str, contacts: list[Any]
) -> str:
    made = _api(server, admin, "POST", "/api/v1/lists", json={"name": f"{name} list"})
    for contact in contacts:
        _api(server, admin, "POST", f"/api/v1/lists/{made['id']}/contacts", json=contact)
    campaign = _api(
        server,
        admin,
        "POST",
        "/api/v1/campaigns",
        json={
            "name": name,
            "dial_mode": mode,
            # The browser test runs on the wall clock: a window open all day.
            "window_start": "00:00",
            "window_end": "23:59",
            "agent_ids": [agent_id],
            "list_ids": [made["id"]],
            "script": f"Hello, this is Acme about {name}.",
        },
    )
    _api(server, admin, "POST", f"/api/v1/campaigns/{campaign['id']}/start")
    return str(campaign["id"])


@pytest.fixture(scope="module")
def setup(server: Server) -> dict[str, str]:
    admin = add_people(server, (("pia", "agent"),))
    _api(
        server,
        admin,
        "PATCH",
        "/api/v1/organization",
        json={"default_caller_ids": ["+14155550100"]},
    )
    users = _api(server, admin, "GET", "/api/v1/users")
    pia = next(u["id"] for u in users if u["email"] == "pia@acme.example.com")
    preview = _campaign(
        server,
        admin,
        "Preview spring",
        "preview",
        pia,
        [
            {
                "phone": "+14155550701",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "timezone": "UTC",
                "priority": 5,
                "custom_fields": {"plan": "gold"},
            },
            {
                "phone": "+14155550702",
                "first_name": "Bob",
                "last_name": "Babbage",
                "timezone": "UTC",
            },
        ],
    )
    manual = _campaign(
        server,
        admin,
        "Manual autumn",
        "manual",
        pia,
        [
            {
                "phone": "+14155550711",
                "first_name": "Grace",
                "last_name": "Hopper",
                "timezone": "UTC",
            },
            {
                "phone": "+14155550712",
                "first_name": "Grace",
                "last_name": "Kelly",
                "timezone": "UTC",
            },
        ],
    )
    _api(server, admin, "POST", "/api/v1/dnc", json={"phone": "+14155550712"})
    return {"preview": preview, "manual": manual}


@pytest.fixture
def pia(browser: Any, server: Server, setup: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/agent")
    page.fill("input[name=email]", "pia@acme.example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/agent")
    expect(page.get_by_test_id("phone-status")).to_have_text("ready")
    page.get_by_test_id("go-available").click()
    expect(page.get_by_test_id("agent-state")).to_have_text("available")
    yield page
    context.close()


def _finish_call(page: Any, code: str) -> None:
    # The agent's own call connects over their line, with no offer to accept (issue 14).
    expect(page.get_by_test_id("call-state")).to_have_text("connected", timeout=8_000)
    expect(page.get_by_test_id("incoming")).to_be_hidden()
    page.get_by_test_id("hangup").click()
    expect(page.get_by_test_id("disposition-form")).to_be_visible()
    page.get_by_test_id("disposition-code").select_option(code)
    if code == "SALE":  # a sale needs its amount
        page.get_by_test_id("sale-amount").fill("100")
    page.get_by_test_id("submit-disposition").click()
    expect(page.get_by_test_id("agent-state")).to_have_text("available")


def test_preview_skip_call_and_manual_dial(pia: Any, setup: dict[str, str]) -> None:
    page = pia
    asked: list[str] = []  # GET /calls/{id}/contact: once per campaign call (issue 14)
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/contact") else None)
    expect(page.get_by_test_id("campaign-desk")).to_be_visible()
    page.get_by_test_id("desk-campaign").select_option(setup["preview"])
    expect(page.get_by_test_id("desk-script")).to_have_text(
        "Hello, this is Acme about Preview spring."
    )
    page.get_by_test_id("preview-next").click()
    expect(page.get_by_test_id("preview-name")).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("preview-phone")).to_have_text("+14155550701")
    expect(page.get_by_test_id("preview-held")).to_contain_text("held for you until")
    expect(page.get_by_test_id("contact-details")).to_contain_text("gold")
    expect(page.get_by_test_id("customer-history")).to_contain_text("First call")

    page.get_by_test_id("preview-skip").click()
    expect(page.get_by_test_id("preview-name")).to_have_text("Bob Babbage")
    page.get_by_test_id("preview-call").click()
    expect(page.get_by_test_id("preview-card")).to_be_hidden()
    expect(page.get_by_test_id("call-party")).to_have_text("+14155550702")
    _finish_call(page, "INTERESTED")
    # Bob is waiting for his retry; Ada, skipped, is offered again.
    page.get_by_test_id("preview-next").click()
    expect(page.get_by_test_id("preview-name")).to_have_text("Ada Lovelace")

    page.get_by_test_id("desk-campaign").select_option(setup["manual"])
    expect(page.get_by_test_id("manual-panel")).to_be_visible()
    page.get_by_test_id("manual-query").fill("grace")
    page.get_by_test_id("manual-find").click()
    rows = page.get_by_test_id("manual-results").locator("tr")
    expect(rows).to_have_count(2)
    kelly = rows.filter(has_text="Kelly")
    expect(kelly.get_by_test_id("manual-reason")).to_contain_text("do-not-call")
    expect(kelly.get_by_test_id("manual-dial")).to_be_disabled()
    rows.filter(has_text="Hopper").get_by_test_id("manual-dial").click()
    expect(page.get_by_test_id("call-party")).to_have_text("+14155550711")
    _finish_call(page, "SALE")
    assert len(asked) == 2 and len(set(asked)) == 2  # two campaign calls, asked once each

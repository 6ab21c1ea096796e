"""Inbound calls in real browsers: a caller on the sandbox reaches the longest-idle agent,
who accepts, holds, resumes and warm-transfers; offers refused and left to ring out move
on; a wrap-up left alone times out. Sam's live floor follows within a second."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, add_people

pytestmark = pytest.mark.e2e
NUMBER = "+15005550006"
LIVE = 1_000


@pytest.fixture(scope="module")
def admin(server: Server) -> dict[str, str]:
    h = add_people(server, (("ina", "agent"), ("jo", "agent"), ("kit", "supervisor")))
    api = httpx.Client(base_url=server.url, headers=h)
    always = {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}
    assert api.put("/api/v1/settings/business-hours", json=always).status_code == 200
    queue = api.post("/api/v1/queues", json={"name": "Inbound", "offer_timeout_seconds": 5}).json()
    users = {u["email"]: u["id"] for u in api.get("/api/v1/users").json()}
    members = [{"user_id": users[f"{n}@acme.example.com"]} for n in ("ina", "jo")]
    assert (
        api.put(f"/api/v1/queues/{queue['id']}/members", json={"members": members}).status_code
        == 200
    )
    assert (
        api.post("/api/v1/numbers", json={"number": NUMBER, "target_id": queue["id"]}).status_code
        == 201
    )
    return h


@pytest.fixture
def pages(browser: Any, server: Server) -> Iterator[dict[str, Any]]:
    contexts, out = [], {}
    for who, path in (("ina", "/agent"), ("jo", "/agent"), ("kit", "/supervisor")):
        context = browser.new_context()
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server.url}/login?next={path}")
        page.fill("input[name=email]", f"{who}@acme.example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}{path}")
        out[who] = page
    yield out
    for c in contexts:
        c.close()


def _sandbox(server: Server, admin: dict[str, str], method: str, path: str, **kw: Any) -> Any:
    resp = httpx.request(method, f"{server.url}/sandbox/control{path}", headers=admin, **kw)
    resp.raise_for_status()
    return resp.json() if resp.content else None


def _ready(page: Any) -> None:
    expect(page.get_by_test_id("phone-status")).to_have_text("ready")
    page.get_by_test_id("go-available").click()
    expect(page.get_by_test_id("agent-state")).to_have_text("available")


def _row(kit: Any, who: str) -> Any:
    return kit.locator(f"tr[data-agent='{who}@acme.example.com'] [data-testid=agent-state]")


def test_caller_reaches_an_agent_who_transfers(
    pages: dict[str, Any], server: Server, admin: dict[str, str]
) -> None:
    ina, jo, kit = pages["ina"], pages["jo"], pages["kit"]
    _ready(ina)
    _ready(jo)
    caller = _sandbox(
        server, admin, "POST", "/inbound-calls", json={"from": "+14155550188", "to": NUMBER}
    )
    expect(_row(kit, "ina")).to_have_text("reserved", timeout=5_000)
    expect(ina.get_by_test_id("incoming")).to_be_visible()
    expect(ina.get_by_test_id("incoming")).to_contain_text("+14155550188")
    ina.get_by_test_id("accept").click()
    expect(ina.get_by_test_id("call-state")).to_have_text("connected")
    expect(_row(kit, "ina")).to_have_text("on call", timeout=LIVE)
    expect(kit.locator("tr[data-agent='ina@acme.example.com']")).to_contain_text("+14155550188")
    ina.get_by_test_id("hold").click()
    expect(ina.get_by_test_id("call-state")).to_have_text("on hold")
    # This call's row: the server (shared by every browser test) may hold other calls.
    state = kit.locator("#calls tr", has_text="+14155550188").get_by_test_id("call-state")
    expect(state).to_have_text("on hold", timeout=LIVE)
    ina.get_by_test_id("resume").click()
    expect(state).to_have_text("connected", timeout=LIVE)
    ina.locator("details.transfer summary").click()
    ina.get_by_test_id("transfer-target").select_option(label="Jo")
    ina.get_by_test_id("transfer").click()
    expect(jo.get_by_test_id("incoming")).to_be_visible()
    jo.get_by_test_id("accept").click()
    expect(ina.get_by_test_id("call-state")).to_have_text("in conference")
    ina.get_by_test_id("complete-transfer").click()
    expect(_row(kit, "jo")).to_have_text("on call", timeout=LIVE)
    expect(_row(kit, "ina")).to_have_text("wrap up", timeout=LIVE)
    ina.get_by_test_id("disposition-code").select_option("INTERESTED")
    ina.get_by_test_id("submit-disposition").click()
    expect(_row(kit, "ina")).to_have_text("available", timeout=LIVE)
    _sandbox(server, admin, "POST", f"/calls/{caller['sid']}/hangup")
    expect(_row(kit, "jo")).to_have_text("wrap up", timeout=LIVE)
    jo.get_by_test_id("disposition-code").select_option("SALE")
    jo.get_by_test_id("sale-amount").fill("100")  # a sale needs its amount
    jo.get_by_test_id("submit-disposition").click()
    expect(_row(kit, "jo")).to_have_text("available", timeout=LIVE)


def test_refused_missed_and_unfinished_wrap_up(
    pages: dict[str, Any], server: Server, admin: dict[str, str]
) -> None:
    ina, jo, kit = pages["ina"], pages["jo"], pages["kit"]
    _ready(ina)
    _ready(jo)
    # The supervisor's sandbox panel plays the caller (the demo's way in).
    expect(kit.get_by_test_id("simulate-to")).to_contain_text(NUMBER)
    kit.fill("#simulate-form input[name=from]", "+14155550177")
    kit.get_by_test_id("simulate").click()
    expect(ina.get_by_test_id("incoming")).to_be_visible()
    expect(ina.get_by_test_id("incoming")).to_contain_text("+14155550177")
    [caller] = [
        c
        for c in _sandbox(server, admin, "GET", "/calls")
        if c["from"] == "+14155550177" and c["status"] not in ("completed", "canceled")
    ]
    ina.get_by_test_id("reject").click()
    expect(ina.get_by_test_id("incoming")).to_be_hidden()
    expect(_row(kit, "ina")).to_have_text("available", timeout=LIVE)
    expect(jo.get_by_test_id("incoming")).to_be_visible()
    # Jo lets the offer ring out (5 s): missed, and on break.
    expect(_row(kit, "jo")).to_have_text("break (missed)", timeout=8_000)
    expect(jo.get_by_test_id("incoming")).to_be_hidden()
    expect(jo.get_by_test_id("agent-state")).to_have_text("break (missed)")
    # Nobody left to offer it to: the caller waits; Ina (who refused once) is not re-offered.
    expect(ina.get_by_test_id("incoming")).to_be_hidden()
    waiting = kit.locator("[data-queue='Inbound'] [data-testid=queue-waiting]")
    expect(waiting).to_have_text("1", timeout=4_000)
    _sandbox(server, admin, "POST", f"/calls/{caller['sid']}/hangup")
    expect(waiting).to_have_text("0", timeout=4_000)

    second = _sandbox(
        server, admin, "POST", "/inbound-calls", json={"from": "+14155550166", "to": NUMBER}
    )
    expect(ina.get_by_test_id("incoming")).to_be_visible()
    ina.get_by_test_id("accept").click()
    expect(ina.get_by_test_id("call-state")).to_have_text("connected")
    # Ina sends the caller back to the queue; Jo, back from break, takes it.
    ina.locator("details.transfer summary").click()
    ina.get_by_test_id("transfer-target").select_option(label="Queue: Inbound")
    ina.get_by_test_id("transfer").click()
    expect(_row(kit, "ina")).to_have_text("wrap up", timeout=LIVE)
    jo.get_by_test_id("go-available").click()
    expect(jo.get_by_test_id("incoming")).to_be_visible()
    jo.get_by_test_id("accept").click()
    expect(jo.get_by_test_id("call-state")).to_have_text("connected")
    expect(_row(kit, "jo")).to_have_text("on call", timeout=LIVE)
    _sandbox(server, admin, "POST", f"/calls/{second['sid']}/hangup")
    expect(_row(kit, "jo")).to_have_text("wrap up", timeout=LIVE)
    # Nobody dispositions: the wrap-ups time out (6 s here) and both are available again.
    expect(_row(kit, "ina")).to_have_text("available", timeout=15_000)
    expect(_row(kit, "jo")).to_have_text("available", timeout=15_000)
    expect(ina.get_by_test_id("disposition-form")).to_be_hidden()

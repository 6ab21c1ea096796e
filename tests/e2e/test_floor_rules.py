"""Issue 14's floor rules in a real browser, on the sandbox carrier in real time: a desktop
that follows the call (only valid actions, recording indicator, timers, shortcuts, the
contact asked for only when there is one), the disposition required before Available, a
supervisor who hangs up a call nobody took from the live floor (which lists agents, not
administrators), a callback booked on an inbound call, campaign set-up on its page, and
input patterns that current Chromium accepts."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, add_people

pytestmark = pytest.mark.e2e
CUSTOMER = "+14155550161"
CALLER = "+14155550162"
NUMBER = "+15005550014"
LIVE = 1_500
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "omnivox" / "web" / "templates"


@pytest.fixture(scope="module")
def admin(server: Server) -> dict[str, str]:
    h = add_people(server, (("flo", "agent"), ("gus", "agent"), ("hal", "supervisor")))
    api = httpx.Client(base_url=server.url, headers=h)
    assert api.patch(
        "/api/v1/organization", json={"default_caller_ids": ["+14155550100"]}
    ).is_success
    compliance = {
        "abandon_rate_cap": "0.03",
        "abandon_window_hours": 720,
        "calling_window_start": "00:00",
        "calling_window_end": "23:59",
        "recording_disclosure": "Calls are recorded.",
    }
    assert api.put("/api/v1/settings/compliance", json=compliance).is_success
    always = {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}
    assert api.put("/api/v1/settings/business-hours", json=always).is_success
    queue = api.post("/api/v1/queues", json={"name": "Floor rules"})
    assert queue.status_code == 201, queue.text
    users = {u["email"]: u["id"] for u in api.get("/api/v1/users").json()}
    members = {"members": [{"user_id": users["gus@acme.example.com"]}]}
    assert api.put(f"/api/v1/queues/{queue.json()['id']}/members", json=members).is_success
    routed = api.post("/api/v1/numbers", json={"number": NUMBER, "target_id": queue.json()["id"]})
    assert routed.status_code == 201, routed.text
    return {**h, "queue_id": queue.json()["id"], "gus": users["gus@acme.example.com"]}


@pytest.fixture
def pages(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context()
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


def _sign_in(page: Any, server: Server, who: str, path: str) -> None:
    page.goto(f"{server.url}/login?next={path}")
    page.fill("input[name=email]", f"{who}@acme.example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{path}")


def _sandbox(server: Server, admin: dict[str, str], method: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": admin["Authorization"]}
    resp = httpx.request(method, f"{server.url}/sandbox/control{path}", headers=headers, **kw)
    resp.raise_for_status()
    return resp.json() if resp.content else None


def _api(server: Server, admin: dict[str, str], method: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": admin["Authorization"]}
    resp = httpx.request(method, f"{server.url}{path}", headers=headers, **kw)
    assert resp.is_success, resp.text
    return resp.json() if resp.content else None


def _ready(page: Any) -> None:
    expect(page.get_by_test_id("phone-status")).to_have_text("ready")
    page.get_by_test_id("go-available").click()
    expect(page.get_by_test_id("agent-state")).to_have_text("available")


def _shown(page: Any) -> set[str]:
    """The call controls the desktop shows."""
    return set(
        page.eval_on_selector_all(
            "[data-call]", "els => els.filter(e => !e.hidden).map(e => e.dataset.call)"
        )
    )


def test_the_desktop_follows_the_call_and_wants_its_disposition(
    pages: Any, server: Server, admin: dict[str, str]
) -> None:
    _sandbox(
        server,
        admin,
        "PUT",
        f"/numbers/{CUSTOMER}/script",
        json={"behaviour": "answer", "ring_seconds": 1},
    )
    flo = pages()
    asked: list[str] = []
    flo.on("request", lambda r: asked.append(r.url) if r.url.endswith("/contact") else None)
    _sign_in(flo, server, "flo", "/agent")
    expect(flo.get_by_test_id("shortcuts")).to_contain_text("Alt+Shift")
    _ready(flo)
    flo.get_by_test_id("dial-number").fill(CUSTOMER)
    flo.get_by_test_id("dial").click()
    # Her own call comes over her line: connected with no click, no offer to accept.
    expect(flo.get_by_test_id("call-state")).to_have_text("connected", timeout=8_000)
    expect(flo.get_by_test_id("incoming")).to_be_hidden()
    expect(flo.get_by_test_id("hangup")).to_be_visible()
    assert _shown(flo) == {"hold", "mute", "recording/start", "hangup"}
    expect(flo.get_by_test_id("recording-indicator")).to_be_hidden()

    flo.keyboard.press("Alt+Shift+R")  # record
    expect(flo.get_by_test_id("recording-indicator")).to_be_visible()
    expect(flo.get_by_test_id("recording-indicator")).to_have_text("● Recording")
    assert _shown(flo) == {"hold", "mute", "recording/pause", "recording/stop", "hangup"}
    flo.get_by_test_id("record-pause").click()  # card details: recording paused
    expect(flo.get_by_test_id("recording-indicator")).to_have_text("Recording paused")
    expect(flo.get_by_test_id("record-resume")).to_be_visible()
    expect(flo.get_by_test_id("record-pause")).to_be_hidden()

    flo.keyboard.press("Alt+Shift+O")  # hold
    expect(flo.get_by_test_id("call-state")).to_have_text("on hold")
    expect(flo.get_by_test_id("hold-timer")).to_have_text(re.compile(r"on hold 0:0\d"))
    expect(flo.get_by_test_id("resume")).to_be_visible()
    expect(flo.get_by_test_id("hold")).to_be_hidden()
    flo.keyboard.press("Alt+Shift+O")  # resume
    expect(flo.get_by_test_id("call-state")).to_have_text("connected")
    expect(flo.get_by_test_id("hold-timer")).to_be_hidden()
    flo.keyboard.press("Alt+Shift+M")  # mute
    expect(flo.get_by_test_id("unmute")).to_be_visible()
    expect(flo.get_by_test_id("mute")).to_be_hidden()
    expect(flo.get_by_test_id("complete-transfer")).to_be_hidden()  # no transfer under way
    expect(flo.get_by_test_id("call-timer")).to_have_text(re.compile(r"0:\d\d"))

    flo.keyboard.press("Alt+Shift+H")  # hang up
    expect(flo.get_by_test_id("disposition-form")).to_be_visible()
    expect(flo.get_by_test_id("wrap-up-timer")).to_have_text(re.compile(r"0:0\d"))
    expect(flo.get_by_test_id("callback-fields")).to_be_hidden()  # nobody to call back from
    # Available is refused until the disposition is saved (the wrap-up here lasts 6 s).
    flo.get_by_test_id("go-available").click()
    expect(flo.get_by_test_id("desktop-error")).to_contain_text("save the disposition")
    expect(flo.get_by_test_id("agent-state")).to_have_text("wrap up")
    flo.get_by_test_id("disposition-code").select_option("SALE")
    flo.get_by_test_id("sale-amount").fill("100")  # a sale needs its amount
    flo.get_by_test_id("submit-disposition").click()
    expect(flo.get_by_test_id("agent-state")).to_have_text("available")
    assert asked == []  # not a campaign call: its contact is never asked for


def test_a_supervisor_hangs_up_a_call_from_the_live_floor(
    pages: Any, server: Server, admin: dict[str, str]
) -> None:
    _sandbox(
        server,
        admin,
        "PUT",
        f"/numbers/{CUSTOMER}/script",
        json={"behaviour": "answer", "ring_seconds": 1},
    )
    flo, hal = pages(), pages()
    _sign_in(flo, server, "flo", "/agent")
    _sign_in(hal, server, "hal", "/supervisor")
    _ready(flo)
    # The floor lists agents, not the administrators and the platform operator.
    expect(hal.locator("tr[data-agent='flo@acme.example.com']")).to_be_visible()
    expect(hal.locator("tr[data-agent='admin@acme.example.com']")).to_have_count(0)
    expect(hal.locator("tr[data-agent='root@acme.example.com']")).to_have_count(0)

    flo.get_by_test_id("dial-number").fill(CUSTOMER)
    flo.get_by_test_id("dial").click()
    row = hal.locator("#calls tr", has_text=CUSTOMER)
    expect(row.get_by_test_id("call-state")).to_have_text("connected", timeout=8_000)
    hal.once("dialog", lambda d: d.accept())
    row.get_by_test_id("hangup-call").click()
    # Ended by the supervisor while talking: the call waits for its disposition in wrap-up.
    # (the hang-up waits for the carrier's answer, then the floor hears the call's change)
    expect(row.get_by_test_id("call-state")).to_have_text("wrap up", timeout=8_000)
    # Ended by the supervisor while talking: the agent still owes the outcome.
    expect(flo.get_by_test_id("agent-state")).to_have_text("wrap up", timeout=8_000)
    agent_row = hal.locator("tr[data-agent='flo@acme.example.com'] [data-testid=agent-state]")
    expect(agent_row).to_have_text("wrap up", timeout=LIVE)
    live = [
        c
        for c in _sandbox(server, admin, "GET", "/calls")
        if c["to"] == CUSTOMER and c["status"] not in ("completed", "canceled", "busy")
    ]
    assert live == []  # the customer is not left on the line


def test_call_back_later_on_an_inbound_call(
    pages: Any, server: Server, admin: dict[str, str]
) -> None:
    gus = pages()
    _sign_in(gus, server, "gus", "/agent")
    _ready(gus)
    caller = _sandbox(server, admin, "POST", "/inbound-calls", json={"from": CALLER, "to": NUMBER})
    expect(gus.get_by_test_id("incoming")).to_be_visible()
    gus.get_by_test_id("accept").click()
    expect(gus.get_by_test_id("call-state")).to_have_text("connected")
    _sandbox(server, admin, "POST", f"/calls/{caller['sid']}/hangup")
    expect(gus.get_by_test_id("disposition-form")).to_be_visible()
    gus.get_by_test_id("disposition-code").select_option("CALLBACK")
    fields = gus.get_by_test_id("callback-fields")
    expect(fields).to_be_visible()
    expect(fields).to_contain_text("your time")
    when = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    gus.get_by_test_id("callback-at").fill(when)
    gus.get_by_test_id("submit-disposition").click()
    expect(gus.get_by_test_id("agent-state")).to_have_text("available")
    stats = _api(server, admin, "GET", f"/api/v1/queues/{admin['queue_id']}/stats")
    assert stats["callbacks_waiting"] == 1  # waiting in the queue for its time
    gus.get_by_test_id("go-break").click()  # out of the other tests' way


def test_campaign_set_up_on_its_page(pages: Any, server: Server, admin: dict[str, str]) -> None:
    made = _api(server, admin, "POST", "/api/v1/lists", json={"name": "Floor rules list"})
    campaign = _api(
        server,
        admin,
        "POST",
        "/api/v1/campaigns",
        json={"name": "Floor rules", "dial_mode": "preview", "list_ids": [made["id"]]},
    )
    boss = pages()
    _sign_in(boss, server, "admin", f"/campaigns/{campaign['id']}")
    expect(boss.get_by_test_id("campaign-figures")).to_contain_text("Dialled")
    expect(boss.get_by_test_id("figure-abandon-rate")).to_contain_text("cap 3.0 %")
    boss.get_by_role("button", name="Start").click()
    expect(boss.locator("#flash")).to_contain_text("assign at least one agent")
    expect(boss.get_by_test_id("campaign-status")).to_have_text("draft")
    boss.get_by_test_id("campaign-agents").select_option(label="Gus (gus@acme.example.com)")
    boss.get_by_role("button", name="Save").click()
    expect(boss.locator("#campaign .ok")).to_contain_text("Campaign saved")
    boss.get_by_role("button", name="Start").click()
    expect(boss.get_by_test_id("campaign-status")).to_have_text("active")
    stored = _api(server, admin, "GET", f"/api/v1/campaigns/{campaign['id']}")
    assert stored["agent_ids"] == [admin["gus"]] and stored["status"] == "active"
    _api(server, admin, "POST", f"/api/v1/campaigns/{campaign['id']}/pause")


def test_input_patterns_are_valid_in_current_chromium(
    pages: Any, server: Server, admin: dict[str, str]
) -> None:
    boss = pages()
    _sign_in(boss, server, "admin", "/admin/dispositions")
    code = boss.locator("input[name=code]")
    code.fill("bad code!")
    assert code.evaluate("e => e.validity.patternMismatch") is True
    code.fill("CALL_BACK-2")
    assert code.evaluate("e => e.validity.patternMismatch") is False
    # Every pattern in the templates compiles as browsers now compile them (the v flag).
    patterns = sorted(
        {
            m
            for t in TEMPLATES.rglob("*.html")
            for m in re.findall(r'pattern="([^"]+)"', t.read_text())
        }
    )
    assert patterns
    broken = boss.evaluate(
        """(ps) => ps.filter((p) => { try { new RegExp(p, "v"); return false; }
                                      catch { return true; } })""",
        patterns,
    )
    assert broken == []


MONITORED = "+14155550163"


def _supervisor_participants(server: Server, admin: dict[str, str], identity: str) -> list[Any]:
    """The carrier's view: the legs in any conference that ring the monitor softphone."""
    return [
        p
        for conf in _sandbox(server, admin, "GET", "/conferences")
        if conf["status"] != "completed"
        for p in conf["participants"]
        if p["softphone_identity"] == identity
    ]


def _until(check: Any, timeout: float = 8.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_a_supervisor_listens_whispers_and_barges_from_the_live_floor_alone(
    pages: Any, server: Server, admin: dict[str, str]
) -> None:
    """The supervisor opens only the live floor (no agent desktop): one click each, the
    same leg switched in place, on the page's own softphone."""
    add_people(server, (("ivy", "agent"), ("jon", "supervisor")))
    users = {u["email"]: u["id"] for u in _api(server, admin, "GET", "/api/v1/users")}
    monitor = f"monitor_{users['jon@acme.example.com']}"
    _sandbox(
        server,
        admin,
        "PUT",
        f"/numbers/{MONITORED}/script",
        json={"behaviour": "answer", "ring_seconds": 1},
    )
    ivy, jon = pages(), pages()
    _sign_in(ivy, server, "ivy", "/agent")
    _sign_in(jon, server, "jon", "/supervisor")
    _ready(ivy)
    expect(jon.get_by_test_id("monitor-line")).to_have_text("ready")
    ivy.get_by_test_id("dial-number").fill(MONITORED)
    ivy.get_by_test_id("dial").click()
    row = jon.locator("#calls tr", has_text=MONITORED)
    expect(row.get_by_test_id("call-state")).to_have_text("connected", timeout=8_000)

    row.get_by_test_id("listen").click()
    expect(jon.get_by_test_id("monitor-status")).to_have_text(
        f"Listening to {MONITORED} (Ivy)", timeout=LIVE * 4
    )
    [leg] = _until(lambda: _supervisor_participants(server, admin, monitor))
    assert leg["muted"] and not leg["coaching"]

    row.get_by_test_id("whisper").click()
    expect(jon.get_by_test_id("monitor-status")).to_contain_text("Whispering to the agent on")
    expect(row.get_by_test_id("whisper")).to_have_attribute("aria-pressed", "true")
    [coached] = _until(
        lambda: [p for p in _supervisor_participants(server, admin, monitor) if p["coaching"]]
    )
    assert coached["call_sid"] == leg["call_sid"] and not coached["muted"]  # the same leg

    row.get_by_test_id("barge").click()
    expect(jon.get_by_test_id("monitor-status")).to_contain_text(f"On the call with {MONITORED}")
    [barged] = _until(
        lambda: [
            p
            for p in _supervisor_participants(server, admin, monitor)
            if not p["coaching"] and not p["muted"]
        ]
    )
    assert barged["call_sid"] == leg["call_sid"]
    expect(jon.get_by_test_id("supervisor-error")).to_be_hidden()

    jon.get_by_test_id("monitor-stop").click()
    expect(jon.get_by_test_id("monitor-status")).to_have_text("Not monitoring.")
    assert _until(lambda: not _supervisor_participants(server, admin, monitor))
    expect(row.get_by_test_id("call-state")).to_have_text("connected")  # the call goes on
    expect(ivy.get_by_test_id("call-state")).to_have_text("connected")
    # The customer hangs up: the floor stops offering supervision of a finished call.
    [customer] = [c for c in _sandbox(server, admin, "GET", "/calls") if c["to"] == MONITORED]
    _sandbox(server, admin, "POST", f"/calls/{customer['sid']}/hangup")
    expect(row.get_by_test_id("call-state")).to_have_text("wrap up", timeout=8_000)
    expect(row.get_by_test_id("listen")).to_have_count(0)
    # The server is shared by every browser test: leave no call behind.
    ivy.get_by_test_id("disposition-code").select_option("SALE")
    ivy.get_by_test_id("sale-amount").fill("100")  # a sale needs its amount
    ivy.get_by_test_id("submit-disposition").click()
    expect(ivy.get_by_test_id("agent-state")).to_have_text("available")


THIRD_PARTY = "+14155550164"
CONFERENCED = "+14155550165"


def test_the_agent_sees_who_is_on_a_conference_drops_the_third_party_and_leaves(
    pages: Any, server: Server, admin: dict[str, str]
) -> None:
    add_people(server, (("kai", "agent"),))
    for number in (CONFERENCED, THIRD_PARTY):
        _sandbox(
            server,
            admin,
            "PUT",
            f"/numbers/{number}/script",
            json={"behaviour": "answer", "ring_seconds": 1},
        )
    kai = pages()
    _sign_in(kai, server, "kai", "/agent")
    _ready(kai)
    kai.get_by_test_id("dial-number").fill(CONFERENCED)
    kai.get_by_test_id("dial").click()
    expect(kai.get_by_test_id("call-state")).to_have_text("connected", timeout=8_000)
    expect(kai.get_by_test_id("participants")).to_be_hidden()  # two people: no list

    def conference() -> None:
        panel = kai.get_by_test_id("transfer-panel")
        if not panel.evaluate("d => d.open"):
            panel.locator("summary").click()
        kai.locator("#conference-form input[name=number]").fill(THIRD_PARTY)
        kai.get_by_test_id("conference").click()
        expect(kai.get_by_test_id("call-state")).to_have_text("in conference", timeout=8_000)
        expect(kai.get_by_test_id("participant")).to_have_text(
            [f"{CONFERENCED} (customer)", "You", f"{THIRD_PARTY} Drop"]
        )

    conference()
    kai.get_by_test_id("drop-participant").click()
    expect(kai.get_by_test_id("call-state")).to_have_text("connected", timeout=8_000)
    expect(kai.get_by_test_id("participants")).to_be_hidden()

    conference()
    kai.get_by_test_id("leave-call").click()
    # The customer and the third party talk on without the agent.
    expect(kai.get_by_test_id("participant")).to_have_text(
        [f"{CONFERENCED} (customer)", THIRD_PARTY], timeout=8_000
    )
    expect(kai.get_by_test_id("leave-call")).to_be_hidden()
    live = {
        c["to"]: c["status"]
        for c in _sandbox(server, admin, "GET", "/calls")
        if c["to"] in (CONFERENCED, THIRD_PARTY) and c["status"] == "in-progress"
    }
    assert live == {CONFERENCED: "in-progress", THIRD_PARTY: "in-progress"}
    expect(kai.get_by_test_id("desktop-error")).to_be_hidden()
    # The customer hangs up; the call is still kai's to disposition. The server is shared
    # by every browser test: leave no call behind.
    [customer] = [
        c
        for c in _sandbox(server, admin, "GET", "/calls")
        if c["to"] == CONFERENCED and c["status"] == "in-progress"
    ]
    _sandbox(server, admin, "POST", f"/calls/{customer['sid']}/hangup")
    expect(kai.get_by_test_id("disposition-form")).to_be_visible(timeout=8_000)
    kai.get_by_test_id("disposition-code").select_option("SALE")
    kai.get_by_test_id("sale-amount").fill("100")  # a sale needs its amount
    kai.get_by_test_id("submit-disposition").click()
    expect(kai.get_by_test_id("agent-state")).to_have_text("available")

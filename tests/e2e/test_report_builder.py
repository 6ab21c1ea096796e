"""The report builder in a real browser (issue 16): a manager builds a custom report,
sees its table and chart, saves it, finds it again after a reload, downloads the export,
and puts it on a dashboard; an agent it was shared with opens it too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, add_people

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    return add_people(server, (("rhea", "supervisor"), ("abe", "agent")))


def _signed_in(browser: Any, server: Server, email: str, problems: list[str]) -> Any:
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    # A script refused by the Content-Security-Policy, or one that throws, is a defect.
    page.on(
        "console",
        lambda m: problems.append(f"{m.text} {m.location}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server.url}/login?next=/reports")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/reports")
    return page


@pytest.fixture
def rhea(browser: Any, server: Server, people: dict[str, str]) -> Iterator[tuple[Any, list[str]]]:
    problems: list[str] = []
    page = _signed_in(browser, server, "rhea@acme.example.com", problems)
    yield page, problems
    page.context.close()


def test_build_save_reload_export_and_share_a_report(
    rhea: tuple[Any, list[str]], browser: Any, server: Server
) -> None:
    page, problems = rhea
    form = page.get_by_test_id("report-form")
    form.locator("input[name=metrics][value=calls]").check()
    form.locator("input[name=metrics][value=calls_with_agent]").check()
    page.get_by_test_id("range").select_option("last_7_days")
    page.get_by_test_id("run").click()

    table = page.get_by_test_id("report-table")
    expect(table.locator("th")).to_have_text(["calls", "calls_with_agent"])
    # The chart is drawn (Chart.js loaded locally, allowed by the CSP) for the first metric,
    # and follows the metric picker.
    chart = page.get_by_test_id("report-chart")
    expect(chart).to_have_attribute("data-drawn", "calls")
    page.get_by_test_id("chart-metric").select_option("calls_with_agent")
    expect(chart).to_have_attribute("data-drawn", "calls_with_agent")
    shown = table.locator("tbody td").first.inner_text()

    # The export holds what the table shows.
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    with open(download.value.path(), encoding="utf-8") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    assert rows[0]["calls"] == shown

    page.get_by_test_id("save-name").fill("Week at a glance")
    page.get_by_test_id("save-report").locator("input[name=shared_roles][value=agent]").check()
    page.get_by_test_id("save-new").click()
    expect(page.get_by_test_id("saved-name")).to_have_text("Week at a glance")

    # A reload (a new visit) finds it listed and opens it as saved: same picks, same range.
    page.goto(f"{server.url}/reports")
    page.get_by_test_id("saved-reports").get_by_role("link", name="Week at a glance").click()
    expect(page.get_by_test_id("saved-name")).to_have_text("Week at a glance")
    expect(form.locator("input[name=metrics][value=calls_with_agent]")).to_be_checked()
    expect(form.locator("input[name=metrics][value=asa]")).not_to_be_checked()
    expect(page.get_by_test_id("range")).to_have_value("last_7_days")
    expect(page.get_by_test_id("report-table").locator("tbody td").first).to_have_text(shown)

    # On a dashboard, as a KPI tile.
    page.goto(f"{server.url}/dashboards")
    page.get_by_test_id("dashboard-name").fill("Rhea's wall")
    page.locator("[data-testid=new-dashboard] input[name=shared_roles][value=agent]").check()
    page.get_by_test_id("new-dashboard").get_by_role("button", name="Create").click()
    page.get_by_test_id("widget-report").select_option(label="Week at a glance")
    page.get_by_test_id("widget-kind").select_option("kpi")
    page.get_by_test_id("widget-metric").select_option("calls")
    page.get_by_test_id("add-widget").get_by_role("button", name="Add").click()
    page.get_by_role("link", name="Rhea's wall").click()
    expect(page.get_by_test_id("kpi-value")).to_have_text(shown)
    assert not problems, problems

    # The agent it was shared with opens it: his own figures, no save-changes button.
    seen: list[str] = []
    abe = _signed_in(browser, server, "abe@acme.example.com", seen)
    try:
        abe.get_by_test_id("saved-reports").get_by_role("link", name="Week at a glance").click()
        expect(abe.get_by_test_id("report-table")).to_be_visible()
        expect(abe.get_by_test_id("save-update")).to_have_count(0)
        abe.goto(f"{server.url}/dashboards")
        abe.get_by_role("link", name="Rhea's wall").click()
        expect(abe.get_by_test_id("kpi-value")).to_be_visible()
        assert not seen, seen
    finally:
        abe.context.close()

"""An org admin sets up an inbound queue in a real browser: creates it, adds an agent,
routes a number to it and sees it listed; a wrong number is refused next to the field."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PASSWORD, Server, sign_in

pytestmark = pytest.mark.e2e

NUMBER = "+15005550031"


def test_admin_sets_up_a_queue_and_routes_a_number(page: Any, server: Server) -> None:
    server.cli(
        "users",
        "create",
        "--org",
        "acme",
        "--email",
        "quinn@acme.example.com",
        "--role",
        "agent",
        "--password",
        PASSWORD,
        "--name",
        "Quinn Queue",
    )
    sign_in(page, server, "admin@acme.example.com")

    page.click("nav >> text=Queues")
    create = page.get_by_test_id("queue-create")
    create.locator("input[name=name]").fill("Priority line")
    create.locator("select[name=strategy]").select_option("round_robin")
    create.locator("button[type=submit]").click()
    row = page.locator("tr[data-queue='Priority line']")
    expect(row).to_contain_text("Round robin")
    expect(page.locator("#queues-admin")).to_contain_text("Created queue Priority line")

    row.get_by_role("link", name="Priority line").click()
    expect(page.locator("h1")).to_have_text("Queue Priority line")
    adding = page.get_by_test_id("add-member")
    adding.locator("select[name=user_id]").select_option(
        label="Quinn Queue (quinn@acme.example.com)"
    )
    adding.locator("input[name=priority]").fill("3")
    adding.locator("button[type=submit]").click()
    expect(page.locator("tr[data-member='quinn@acme.example.com']")).to_contain_text("Quinn Queue")
    expect(page.locator("#queue-members")).to_contain_text("Added Quinn Queue (priority 3)")

    # Overflow without a maximum wait is refused next to the field; with one it saves.
    settings = page.get_by_test_id("queue-form")
    settings.locator("select[name=overflow_kind]").select_option("voicemail")
    settings.locator("button[type=submit]").click()
    expect(page.locator("[data-error-for=max_wait_seconds]")).to_contain_text(
        "Maximum wait (max_wait_seconds) must be set when an overflow is chosen"
    )
    page.get_by_test_id("queue-form").locator("input[name=max_wait_seconds]").fill("90")
    page.get_by_test_id("queue-form").locator("input[name=callback_enabled]").check()
    page.get_by_test_id("queue-form").locator("input[name=callback_retries]").fill("2")
    page.get_by_test_id("queue-form").locator("input[name=callback_retry_minutes]").fill("10")
    page.get_by_test_id("queue-form").locator("button[type=submit]").click()
    expect(page.locator("#queue-settings")).to_contain_text("Saved queue Priority line")
    page.reload()
    expect(page.locator("select[name=overflow_kind]")).to_have_value("voicemail")
    expect(page.locator("input[name=callback_enabled]")).to_be_checked()
    expect(page.locator("input[name=callback_retries]")).to_have_value("2")
    expect(page.locator("input[name=callback_retry_minutes]")).to_have_value("10")

    page.click("nav >> text=Numbers")
    form = page.get_by_test_id("number-form")
    form.locator("input[name=number]").fill("12345")
    form.locator("select[name=target]").select_option(label="Priority line")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-error-for=number]")).to_contain_text("not an E.164 number")
    expect(page.locator(f"tr[data-number='{NUMBER}']")).to_have_count(0)

    form = page.get_by_test_id("number-form")
    form.locator("input[name=number]").fill(NUMBER)
    form.locator("input[name=friendly_name]").fill("Priority hotline")
    form.locator("select[name=target]").select_option(label="Priority line")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"tr[data-number='{NUMBER}']")).to_contain_text("Priority line")
    expect(page.locator("[data-error-for=number]")).to_have_count(0)

    page.click("nav >> text=Queues")
    row = page.locator("tr[data-queue='Priority line']")
    expect(row.get_by_test_id("routed-numbers")).to_have_text(NUMBER)
    expect(row.get_by_test_id("member-count")).to_have_text("1")

    # A queue a number still routes to is not deleted, and the page says why.
    row.get_by_role("link", name="Priority line").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#queue-delete button")
    expect(page.get_by_test_id("delete-error")).to_contain_text("a number still routes")
    page.click("nav >> text=Queues")
    expect(page.locator("tr[data-queue='Priority line']")).to_have_count(1)

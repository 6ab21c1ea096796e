"""An org admin administers the organisation in a real browser; an agent cannot."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import Server, sign_in

pytestmark = pytest.mark.e2e


def test_admin_creates_user_and_team_and_changes_timezone(page: Any, server: Server) -> None:
    sign_in(page, server, "admin@acme.example.com")
    expect(page.get_by_test_id("sandbox-banner")).to_contain_text("SANDBOX")

    page.click("nav >> text=Users")
    page.fill("form[hx-post='/admin/users'] input[name=name]", "Carla Closer")
    page.fill("form[hx-post='/admin/users'] input[name=email]", "carla@acme.example.com")
    page.select_option("form[hx-post='/admin/users'] select[name=role]", "supervisor")
    page.fill("form[hx-post='/admin/users'] input[name=password]", "carla-pass-123")
    page.click("form[hx-post='/admin/users'] button[type=submit]")
    row = page.locator("tr[data-user='carla@acme.example.com']")
    expect(row).to_contain_text("supervisor")
    expect(page.locator("#users")).to_contain_text("Created carla@acme.example.com")

    # A duplicate is refused with a readable message, and the table is unchanged.
    page.fill("form[hx-post='/admin/users'] input[name=name]", "Carla Again")
    page.fill("form[hx-post='/admin/users'] input[name=email]", "carla@acme.example.com")
    page.fill("form[hx-post='/admin/users'] input[name=password]", "carla-pass-123")
    page.click("form[hx-post='/admin/users'] button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("already exists")
    expect(page.locator("tr[data-user='carla@acme.example.com']")).to_have_count(1)

    page.click("nav >> text=Teams")
    page.fill("form[hx-post='/admin/teams'] input[name=name]", "Night shift")
    page.select_option("form[hx-post='/admin/teams'] select[name=user_ids]", label="Carla Closer")
    page.click("form[hx-post='/admin/teams'] button[type=submit]")
    expect(page.locator("tr[data-team='Night shift']")).to_contain_text("Carla Closer")

    page.click("nav >> text=Settings")
    page.get_by_test_id("org-timezone").fill("Europe/Berlin")
    page.click("#profile button[type=submit]")
    expect(page.locator("#profile")).to_contain_text("Organisation profile saved")
    page.get_by_test_id("org-timezone").fill("Not/AZone")
    page.click("#profile button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("unknown time zone")
    page.reload()
    expect(page.get_by_test_id("org-timezone")).to_have_value("Europe/Berlin")

    page.click("nav >> text=Audit log")
    expect(page.get_by_test_id("audit-table")).to_contain_text("organization.update")
    expect(page.get_by_test_id("audit-table")).to_contain_text("Europe/Berlin")


def test_agent_cannot_open_admin_pages(page: Any, server: Server) -> None:
    sign_in(page, server, "agent@acme.example.com")
    expect(page.locator("nav")).not_to_contain_text("Users")
    response = page.goto(f"{server.url}/admin/users")
    assert response is not None and response.status == 403
    expect(page.locator("body")).to_contain_text("lacks users:read")


def test_signed_out_visitor_is_sent_to_login(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/admin/settings")
    page.wait_for_url(f"{server.url}/login?next=/admin/settings")
    page.fill("input[name=email]", "admin@acme.example.com")
    page.fill("input[name=password]", "wrong-password-1")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Wrong e-mail or password")

"""An admin uploads a CSV on a list page, watches the progress bar reach 100 %, reads the
counts and downloads the rows that were not imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import Server, sign_in

pytestmark = pytest.mark.e2e


def test_upload_csv_and_download_rejected_rows(page: Any, server: Server, tmp_path: Path) -> None:
    good = "".join(f"415555{i:04d},Name{i}\n" for i in range(1000, 1400))
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(
        "phone,first_name\n" + good + "4155551000,Again\n=CMD(),Evil\n", encoding="utf-8"
    )
    sign_in(page, server, "admin@acme.example.com")
    page.click("nav >> text=Lists")
    page.fill("form[hx-post='/lists'] input[name=name]", "Browser leads")
    page.click("form[hx-post='/lists'] button[type=submit]")
    page.wait_for_url("**/lists/*")

    page.set_input_files("input[type=file]", str(csv_file))
    page.click("form[hx-encoding='multipart/form-data'] button[type=submit]")
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-status", "done", timeout=20_000)
    expect(page.get_by_test_id("import-percent")).to_have_text("100 %")
    expect(page.get_by_test_id("import-bar")).to_have_attribute("value", "100")
    expect(page.get_by_test_id("import-counts")).to_contain_text(
        "402 rows: 400 imported, 1 duplicate, 1 rejected"
    )
    with page.expect_download() as info:
        page.get_by_test_id("rejections-link").click()
    report = Path(info.value.path()).read_text(encoding="utf-8")
    assert "duplicate" in report and "not a phone number" in report
    assert "'=CMD(),Evil" in report  # the formula is neutralised in the export

    page.reload()
    expect(page.get_by_test_id("list-count")).to_have_text("400")

"""An admin uploads a real WAV on the audio library page, sees it listed with its duration
and a preview player that loads the audio, then uploads a corrupt file and reads why it was
refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import Server, sign_in
from tests.integration.media.audio_files import corrupt_wav, wav

pytestmark = pytest.mark.e2e


def test_upload_preview_and_refusal(page: Any, server: Server, tmp_path: Path) -> None:
    good = tmp_path / "Welcome.wav"
    good.write_bytes(wav(2.5))
    bad = tmp_path / "broken.wav"
    bad.write_bytes(corrupt_wav())
    sign_in(page, server, "admin@acme.example.com")
    page.click("nav >> text=Audio")
    page.wait_for_url("**/admin/audio")

    form = page.get_by_test_id("audio-upload")
    form.locator("input[type=file]").set_input_files(str(good))
    form.locator("select[name=kind]").select_option("greeting")
    form.locator("button[type=submit]").click()
    expect(page.locator("#flash, #audio-library").get_by_text("Uploaded Welcome")).to_be_visible()
    row = page.get_by_test_id("audio-files").locator("tbody tr").first
    expect(row.get_by_test_id("audio-duration")).to_have_text("2.5 s")
    expect(row).to_contain_text("WAV")
    player = row.get_by_test_id("audio-preview")
    expect(player).to_be_attached()
    # The player's source is the signed-in preview route and it serves the file we sent.
    src = player.get_attribute("src")
    assert src is not None and src.endswith("/content")
    served = page.request.get(server.url + src)
    assert served.status == 200 and served.headers["content-type"] == "audio/wav"
    assert served.body() == good.read_bytes()
    duration = player.evaluate(
        "el => new Promise(ok => { el.preload = 'auto'; "
        "el.addEventListener('loadedmetadata', () => ok(el.duration)); el.load(); })"
    )
    assert abs(float(duration) - 2.5) < 0.05

    form.locator("input[type=file]").set_input_files(str(bad))
    form.locator("button[type=submit]").click()
    error = page.locator("#flash .error")
    expect(error).to_contain_text("WAV format chunk is too short")
    expect(page.get_by_test_id("audio-files").locator("tbody tr")).to_have_count(1)

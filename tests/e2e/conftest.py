"""Browser tests: a real `omnivox serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("OMNIVOX_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "browser-pass-1"


@dataclass(frozen=True)
class Server:
    url: str
    tmp: Path

    def cli(self, *args: str) -> str:
        return _cli(self.tmp, *args)


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OMNIVOX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/e2e.db",
        "OMNIVOX_DATA_DIR": str(tmp),
        "OMNIVOX_LOG_LEVEL": "WARNING",
        # So a browser test can watch a wrap-up time out (a benchmark may shorten it).
        "OMNIVOX_WRAP_UP_SECONDS": os.environ.get("OMNIVOX_E2E_WRAP_UP_SECONDS", "6"),
    }


def _cli(tmp: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "omnivox", *args],
        env=_env(tmp),
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e")
    _cli(tmp, "db", "upgrade")
    _cli(tmp, "orgs", "create", "acme", "--name", "Acme Calls", "--timezone", "UTC")
    for email, role in (
        ("admin@acme.example.com", "org_admin"),
        ("agent@acme.example.com", "agent"),
        ("root@acme.example.com", "platform_admin"),  # drives the whole sandbox network
    ):
        _cli(
            tmp,
            "users",
            "create",
            "--org",
            "acme",
            "--email",
            email,
            "--role",
            role,
            "--password",
            PASSWORD,
        )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "omnivox", "serve", "--port", str(port)],
        env=_env(tmp),
        cwd=tmp,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(
            "omnivox serve did not become ready: "
            + (proc.stdout.read() if proc.stdout else b"").decode()
        )
    yield Server(url, tmp)
    proc.terminate()
    proc.wait(timeout=10)


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, which would break asyncio in tests that a worker runs afterwards.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    context.set_default_timeout(10_000)
    p = context.new_page()
    yield p
    context.close()


def sign_in(page: object, server: Server, email: str) -> None:
    page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]


def add_people(server: Server, people: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Create ``(name, role)`` users in the acme organisation; returns API headers of a
    platform admin of acme (the sandbox's whole-network control API needs one)."""
    for name, role in people:
        server.cli(
            "users",
            "create",
            "--org",
            "acme",
            "--email",
            f"{name}@acme.example.com",
            "--role",
            role,
            "--password",
            PASSWORD,
            "--name",
            name.title(),
        )
    token = server.cli("tokens", "create", "--user", "root@acme.example.com").strip()
    return {"Authorization": f"Bearer {token}"}

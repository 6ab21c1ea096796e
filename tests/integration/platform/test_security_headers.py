"""Browser security headers on every page, and templates a strict CSP can run."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi import FastAPI
from tests.conftest import make_settings
from tests.integration.platform.test_auth import login
from tests.integration.platform.test_route_access import _fill, app_routes
from tests.support import Env

import omnivox
from omnivox.app import create_app
from omnivox.core.security.permissions import Role

TEMPLATES = Path(omnivox.__file__).parent / "web" / "templates"


def _csp(resp: httpx.Response) -> dict[str, str]:
    policy = resp.headers.get("content-security-policy", "")
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def _assert_browser_headers(resp: httpx.Response, where: str) -> None:
    csp = _csp(resp)
    assert csp.get("script-src") == "'self'", f"{where}: script-src {csp.get('script-src')}"
    assert csp.get("style-src") == "'self'", f"{where}: style-src {csp.get('style-src')}"
    assert csp.get("frame-ancestors") == "'none'", where
    assert csp.get("object-src") == "'none'", where
    assert "'self'" in csp.get("connect-src", ""), where
    assert resp.headers.get("x-frame-options") == "DENY", where
    assert resp.headers.get("x-content-type-options") == "nosniff", where
    assert resp.headers.get("referrer-policy") == "same-origin", where
    permissions = resp.headers.get("permissions-policy", "")
    assert "microphone=(self)" in permissions, where
    assert "camera=()" in permissions and "geolocation=()" in permissions, where


async def test_every_page_carries_the_browser_security_headers(sqlite_env: Env) -> None:
    env = sqlite_env
    app: FastAPI = env.app  # type: ignore[assignment]
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    # Signed out first: the sign-in page and the redirects to it.
    _assert_browser_headers(await env.client.get("/login"), "GET /login")
    _assert_browser_headers(await env.client.get("/admin/users"), "GET /admin/users (signed out)")
    await login(env, "admin@acme.example.com")
    pages = [
        path
        for method, path, _ in app_routes(app)
        if method == "GET" and not path.startswith(("/api/", "/sandbox/", "/hooks/"))
    ]
    assert len(pages) > 20, pages
    html = 0
    for template in pages:
        resp = await env.client.get(_fill(template, {}))
        _assert_browser_headers(resp, f"GET {template} -> {resp.status_code}")
        html += resp.headers.get("content-type", "").startswith("text/html")
        assert "strict-transport-security" not in resp.headers, "HSTS outside production"
    assert html > 15
    # JSON, static files and errors too: the header set is the same on every response.
    for path in ("/api/v1/me", "/static/omnivox.css", "/no-such-page", "/healthz"):
        _assert_browser_headers(await env.client.get(path), f"GET {path}")


async def test_hsts_only_in_production(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path)
    settings.env = settings.env.PRODUCTION
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.get("/healthz")
    assert resp.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    await app.state.omnivox.engine.dispose()


def test_templates_hold_no_inline_script_style_or_handlers() -> None:
    """What the CSP forbids must not be in a template: it would silently stop working."""
    found: list[str] = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # inline script block
            r"\son[a-z]+\s*=",  # onclick= and friends
            r"\shx-on[:-]",  # htmx handlers are evaluated code
            r"\sstyle\s*=",  # inline style attribute
            r"<style\b",
            r"javascript:",
        ):
            found += [f"{path.name}: {m.group(0)!r}" for m in re.finditer(pattern, text)]
    assert not found, found


async def test_api_docs_page_allows_only_its_own_inline_script(sqlite_env: Env) -> None:
    import base64
    import hashlib

    resp = await sqlite_env.client.get("/api/docs")
    assert resp.status_code == 200
    scripts = re.findall(r"<script>(.*?)</script>", resp.text, re.DOTALL)
    assert scripts
    csp = _csp(resp)
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"] and csp["frame-ancestors"] == "'none'"

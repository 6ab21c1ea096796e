"""`make run` installs Omnivox without its extras (redis, postgres) or the development
tools. This runs the embedded default (migrate, seed the demo, start the app and answer
a request) in a fresh interpreter where those packages cannot be imported, so a module
that needs one at import time fails here rather than on a newcomer's laptop."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Everything in pyproject's extras and dev tools that the app itself might import.
NOT_INSTALLED = [
    "redis",
    "asyncpg",
    "psycopg",
    "procrastinate",
    "pytest",
    "hypothesis",
    "schemathesis",
    "playwright",
    "matplotlib",
]

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, importlib.abc

    class Absent(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Absent())

    from omnivox.cli import app as cli

    for args in (["db", "upgrade"], ["demo", "seed"]):
        try:
            cli(args, standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                raise

    import httpx
    from omnivox.app import create_app
    from omnivox.core.config import Settings

    async def main():
        app = create_app(Settings())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
                assert (await c.get("/healthz")).status_code == 200
                assert (await c.get("/login")).status_code == 200
            # The demo can dial out: its caller ID is a number it may present.
            from sqlalchemy import select
            from omnivox.accounts.models import Organization
            from omnivox.routing.caller_ids import presentable
            async with app.state.omnivox.sessions() as s:
                demo = await s.scalar(select(Organization).where(Organization.slug == "demo"))
                assert demo.default_caller_ids, "the demo has no caller ID"
                assert set(demo.default_caller_ids) <= await presentable(s, demo)
        print("served")

    asyncio.run(main())
    """
)


def test_the_embedded_default_runs_without_extras(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIVOX_") or k == "PATH"}
    env["OMNIVOX_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/omnivox.db"
    env["OMNIVOX_DATA_DIR"] = str(tmp_path / "var")
    script = f"BLOCKED = {set(NOT_INSTALLED)!r}\n" + SCRIPT
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "served" in done.stdout

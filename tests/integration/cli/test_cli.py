"""The `omnivox` command: real subprocesses against a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def omnivox(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "OMNIVOX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "OMNIVOX_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "omnivox", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    assert omnivox(tmp_path, "db", "upgrade").returncode == 0
    return tmp_path


def test_unmigrated_database_is_refused_with_a_clear_line(tmp_path: Path) -> None:
    result = omnivox(tmp_path, "orgs", "create", "acme")
    assert result.returncode == 1
    assert "omnivox db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_production_without_configuration_names_what_is_missing(tmp_path: Path) -> None:
    result = omnivox(tmp_path, "serve", OMNIVOX_ENV="production")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "OMNIVOX_SECRET_KEY" in result.stderr and "OMNIVOX_PUBLIC_BASE_URL" in result.stderr


def test_orgs_users_tokens_and_demo(migrated: Path) -> None:
    assert omnivox(migrated, "orgs", "create", "acme", "--timezone", "Europe/Paris").returncode == 0
    dup = omnivox(migrated, "orgs", "create", "acme")
    assert (
        dup.returncode == 1 and dup.stderr.startswith("error: ") and "already exists" in dup.stderr
    )
    bad_tz = omnivox(migrated, "orgs", "create", "other", "--timezone", "Nowhere/Land")
    assert bad_tz.returncode == 1 and "unknown time zone" in bad_tz.stderr

    made = omnivox(
        migrated,
        "users",
        "create",
        "--org",
        "acme",
        "--email",
        "boss@acme.example.com",
        "--role",
        "org_admin",
    )
    assert made.returncode == 0 and "password: " in made.stdout
    no_org = omnivox(
        migrated,
        "users",
        "create",
        "--org",
        "nope",
        "--email",
        "x@acme.example.com",
        "--role",
        "agent",
        "--password",
        "long-enough-1",
    )
    assert no_org.returncode == 1 and "no organisation" in no_org.stderr

    token = omnivox(migrated, "tokens", "create", "--user", "boss@acme.example.com")
    assert token.returncode == 0 and token.stdout.startswith("ovx_")

    demo = omnivox(migrated, "demo", "seed")
    assert demo.returncode == 0 and demo.stdout.count("@demo.example.com") == 5
    again = omnivox(migrated, "demo", "seed")
    assert again.returncode == 0 and "already exists" in again.stdout

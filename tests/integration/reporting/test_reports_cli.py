"""`omnivox reports …` as a user runs it: a real subprocess on the test database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.reporting.shift import build_shift
from tests.support import Env


def omnivox(env: Env, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "OMNIVOX_DATABASE_URL": env.settings.database_url,
        "OMNIVOX_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "omnivox", "reports", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


RANGE = ("--org", "acme", "--from", "2026-03-10", "--to", "2026-03-10")


async def test_rebuild_then_run_a_template_and_a_custom_report(
    sqlite_env: Env, tmp_path: Path
) -> None:
    env = sqlite_env
    await build_shift(env)  # no events: the rollups are empty until rebuilt
    rebuilt = omnivox(env, tmp_path, "rebuild", *RANGE)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.strip() == "rebuilt 2026-03-10..2026-03-10: 9 calls counted"

    custom = omnivox(
        env,
        tmp_path,
        "run",
        *RANGE,
        "--metrics",
        "calls_offered,service_level_offered,legal_abandon_rate",
        "--by",
        "queue",
        "--filter",
        "queue=Support",
    )
    assert custom.returncode == 0, custom.stderr
    assert json.loads(custom.stdout) == [
        {
            "queue": "Support",
            "queue_id": json.loads(custom.stdout)[0]["queue_id"],
            "calls_offered": 4,
            "service_level_offered": 25.0,
            "legal_abandon_rate": None,
        }
    ]

    table = omnivox(
        env, tmp_path, "run", *RANGE, "--template", "campaign_performance", "--format", "csv"
    )
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    spring = next(r for r in rows if r["campaign"] == "Spring")
    assert (spring["outbound_dials"], spring["legal_abandon_rate"]) == ("4", "33.33")

    compliance = omnivox(env, tmp_path, "run", *RANGE, "--template", "abandon_compliance")
    statuses = {r["campaign"]: r["status"] for r in json.loads(compliance.stdout)}
    assert statuses == {"Spring": "over cap", "UK": "no live answers"}


async def test_bad_input_is_one_line_naming_the_problem(sqlite_env: Env, tmp_path: Path) -> None:
    env = sqlite_env
    await env.org("acme")
    cases = [
        (("run", *RANGE, "--metrics", "profit"), "unknown metric 'profit'"),
        (("run", *RANGE, "--metrics", "calls", "--by", "colour"), "unknown dimension 'colour'"),
        (
            (
                "run",
                "--org",
                "acme",
                "--from",
                "2026-03-10",
                "--to",
                "2026-03-01",
                "--metrics",
                "calls",
            ),
            "ends (2026-03-01) before it starts (2026-03-10)",
        ),
        (("run", *RANGE, "--metrics", "calls", "--filter", "queue"), "is not key=value"),
        (("run", *RANGE), "give either a template or metrics"),
        (("run", *RANGE, "--template", "nope"), "unknown template 'nope'"),
        (("run", "--org", "nobody", *RANGE[2:], "--metrics", "calls"), "no organisation"),
        (("run", *RANGE, "--metrics", "calls", "--format", "ods"), "--format: 'ods'"),
    ]
    for args, says in cases:
        result = omnivox(env, tmp_path, *args)
        assert result.returncode == 1, (args, result.stdout)
        assert result.stderr.startswith("error: ") and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_the_metric_list_is_the_catalogue(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "omnivox", "reports", "metrics"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split()[0] == "calls"
    assert any(line.startswith("legal_abandon_rate ") for line in result.stdout.splitlines())


def test_binary_formats_are_refused_on_a_terminal_in_one_line(tmp_path: Path) -> None:
    import pty

    for args in (
        ("run", *RANGE, "--metrics", "calls", "--format", "xlsx"),
        ("export", "calls", *RANGE, "--format", "xlsx"),
    ):
        leader, follower = pty.openpty()
        try:
            result = subprocess.run(
                [sys.executable, "-m", "omnivox", "reports", *args],
                stdout=follower,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
                check=False,
                cwd=tmp_path,
            )
        finally:
            os.close(follower)
            os.close(leader)
        assert result.returncode == 1
        assert result.stderr == (
            "error: --format xlsx writes a binary file: give --output FILE (or pipe it)\n"
        )


async def test_exports_write_files_with_progress_on_stderr(sqlite_env: Env, tmp_path: Path) -> None:
    env = sqlite_env
    await build_shift(env)
    assert omnivox(env, tmp_path, "rebuild", *RANGE).returncode == 0
    out = tmp_path / "queues.pdf"
    pdf = omnivox(
        env,
        tmp_path,
        "run",
        *RANGE,
        "--template",
        "queue_interval",
        "--format",
        "pdf",
        "--output",
        str(out),
    )
    assert pdf.returncode == 0, pdf.stderr
    assert out.read_bytes().startswith(b"%PDF") and f"to {out}" in pdf.stderr
    calls = omnivox(
        env,
        tmp_path,
        "export",
        "calls",
        *RANGE,
        "--filter",
        "queue=Support",
        "--filter",
        "outcome=abandoned",
        "--format",
        "csv",
    )
    assert calls.returncode == 0, calls.stderr
    rows = list(csv.DictReader(io.StringIO(calls.stdout, newline="")))
    assert [(r["queue"], r["outcome"], r["wait_seconds"]) for r in rows] == [
        ("Support", "abandoned", "5.0"),
        ("Support", "abandoned", "40.0"),
    ]
    sheet = tmp_path / "activity.xlsx"
    activity = omnivox(
        env,
        tmp_path,
        "export",
        "agent-activity",
        *RANGE,
        "--format",
        "xlsx",
        "--output",
        str(sheet),
    )
    assert activity.returncode == 0, activity.stderr
    assert sheet.read_bytes()[:2] == b"PK" and "done: 9 rows" in activity.stderr
    bad = omnivox(env, tmp_path, "export", "parrots", *RANGE)
    assert bad.returncode == 1 and bad.stderr == (
        "error: 'parrots' is not one of calls, contacts, agent-activity\n"
    )
    bad = omnivox(env, tmp_path, "export", "calls", *RANGE, "--filter", "colour=red")
    assert bad.returncode == 1 and "unknown filter 'colour'" in bad.stderr
    assert "Traceback" not in bad.stderr

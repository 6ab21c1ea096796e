from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from omnivox.dialer.bench_cli import bench_app


def test_pacing_command_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "pacing.json"
    result = CliRunner().invoke(
        bench_app,
        [
            "pacing",
            "--scenario",
            "S3",
            "--seeds",
            "1",
            "--policy",
            "progressive",
            "--policy",
            "power:1.5,hard_limit",
            "--json",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "S3 small" in result.output
    data = json.loads(out.read_text())
    policies = data["scenarios"]["S3"]["targets"]["US 3%"]["policies"]
    assert set(policies) == {"progressive", "power-1.5", "vicidial-hard-limit"}
    for figures in policies.values():
        assert {
            "abandon_mean",
            "abandon_ub95",
            "talk_min_per_agent_hour",
            "occupancy",
            "idle_wait_mean_s",
            "idle_wait_p90_s",
            "dials_per_connect",
            "violations",
        } <= set(figures)
    assert "sanity" in data["scenarios"]["S3"]


def test_unknown_scenario_is_rejected() -> None:
    result = CliRunner().invoke(bench_app, ["pacing", "--scenario", "S42", "--seeds", "1"])
    assert result.exit_code != 0

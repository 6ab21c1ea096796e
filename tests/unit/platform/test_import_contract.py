"""The import contract (``[tool.importlinter]`` in pyproject.toml) holds, and it bites.

The contract: the layers (entry points, the composition root, web, the domains in their
documented order, the HTTP and command-line kits, core), no domain importing web or a
later domain (so no cycle between domains), and other domains reaching a domain only
through its ``__init__``. ``docs/architecture.md`` states the same order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = ROOT / "pyproject.toml"
# The documented order of the domains, lowest (imports no other domain) first.
DOMAINS = [
    "accounts",
    "telephony",
    "media",
    "agents",
    "routing",
    "voicemail",
    "campaigns",
    "dialer",
    "reporting",
]
_LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint(config: Path, src: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on ``config``, analysing the ``omnivox`` package found in ``src``."""
    path = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
    # A wide terminal, so no contract's name is wrapped in the report.
    env = {**os.environ, "PYTHONPATH": path, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", _LINT, "--config", str(config), "--no-cache", "--no-logo"],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    assert config["root_package"] == "omnivox"
    contracts: list[dict[str, Any]] = config["contracts"]
    return contracts


def _layers() -> list[str]:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    return [str(layer) for layer in layers["layers"]]


def test_the_code_keeps_the_contract() -> None:
    result = _lint(PYPROJECT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_put_the_domains_in_the_documented_order() -> None:
    layers = _layers()
    domains_top_down = [layer for layer in layers if layer in DOMAINS]
    assert domains_top_down == list(reversed(DOMAINS))
    # web above every domain, the kits and core below them all.
    assert layers.index("web") < layers.index("reporting")
    assert layers.index("accounts") < layers.index("http | console") < layers.index("core")
    assert layers[-1] == "core"


def test_every_domain_is_reached_only_through_its_init() -> None:
    protected = {
        tuple(c["protected_modules"]): c["allowed_importers"]
        for c in _contracts()
        if c["type"] == "protected"
    }
    for domain in DOMAINS:
        allowed = protected.get((f"omnivox.{domain}.*",))
        assert allowed is not None, f"no protected contract for {domain}"
        # The domain itself and the top-level helpers; never another domain.
        assert f"omnivox.{domain}" in allowed
        assert not {f"omnivox.{d}" for d in DOMAINS if d != domain} & set(allowed)


def test_the_architecture_page_shows_the_same_layers() -> None:
    """The table of docs/architecture.md's "Layers and domains" is the contract, row for row
    (modules sharing a row, independent of each other, are separated by ``·``)."""
    page = (ROOT / "docs" / "architecture.md").read_text()
    section = page.split("\n## Layers and domains\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = [{name.strip(" `") for name in row.split("|")[1].split("·")} for row in rows]
    contracted = [{name.strip() for name in layer.split("|")} for layer in _layers()]
    assert documented == contracted


def test_the_contract_reports_a_reach_a_cycle_and_a_web_import(tmp_path: Path) -> None:
    """A copy of the package with three bad imports: each breaks its contract."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "omnivox",
        src / "omnivox",
        ignore=shutil.ignore_patterns("static", "templates", "migrations", "__pycache__"),
    )
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    bad = {
        # past another domain's __init__
        "routing/floor.py": "from omnivox.agents.models import AgentStatus as _Reach\n",
        # an earlier domain importing a later one: a cycle between domains
        "telephony/calls.py": "from omnivox.dialer import Dialer as _Cycle\n",
        # a domain importing the web shell
        "voicemail/service.py": "from omnivox.web import ws as _Web\n",
    }
    for path, line in bad.items():
        module = src / "omnivox" / path
        module.write_text(module.read_text() + line)

    result = _lint(tmp_path / "pyproject.toml", src)

    report = result.stdout
    assert result.returncode != 0, report
    assert "omnivox.routing.floor -> omnivox.agents.models" in report
    assert "omnivox.telephony is not allowed to import omnivox.dialer" in report
    assert "omnivox.voicemail is not allowed to import omnivox.web" in report
    assert "Other domains import agents only through omnivox.agents (its __all__) BROKEN" in report

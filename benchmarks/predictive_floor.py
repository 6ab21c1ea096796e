"""The 200-call floor run in real browsers (issue 14's proof), rerunnable by anyone:

    python benchmarks/predictive_floor.py [--calls 200] [--wrap-up 2]

Runs the browser test ``tests/e2e/test_predictive_floor.py`` — a real ``omnivox serve``
(SQLite, the sandbox carrier, the wall clock), two agents in headless Chromium who click
Available once and never again, a predictive campaign whose scripted customers answer
after 1 s and hang up after 3 s — with the run sized to ``--calls`` dialler calls, then
prints its figures: calls, answers, abandons (none may follow an unanswered offer; the
test fails otherwise), the abandon rate (checked equal to the call records), and the time
from each answer to the agent bridged.

The agents never disposition, so each call ends by the wrap-up timeout
(``--wrap-up`` seconds; the telephony sweep checks every 5 s): that is what paces two
agents, about 10-15 calls a minute. Needs Chromium (``OMNIVOX_CHROMIUM``, default
``/usr/bin/chromium``) and Playwright, like the browser tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--wrap-up", type=int, default=5, help="wrap-up timeout, seconds (the setting's minimum: 5)"
    )
    parser.add_argument("--minutes", type=float, default=40.0, help="give up dialling after")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "floor.json"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "OMNIVOX_FLOOR_CALLS": str(args.calls),
            "OMNIVOX_FLOOR_SECONDS": str(args.minutes * 60),
            "OMNIVOX_FLOOR_REPORT": str(report),
            "OMNIVOX_E2E_WRAP_UP_SECONDS": str(args.wrap_up),
        }
        test = "tests/e2e/test_predictive_floor.py"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            env=env,
            check=False,
        )
        if done.returncode != 0 or not report.exists():
            print("the floor run failed (see the test output above)", file=sys.stderr)
            return 1
        figures = json.loads(report.read_text())
    print("\npredictive floor, two agents who never click, real browsers, sandbox carrier")
    for key, value in figures.items():
        print(f"  {key.replace('_', ' '):<40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

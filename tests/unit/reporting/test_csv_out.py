"""CSV of a report is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from omnivox.reporting import ReportResult
from omnivox.reporting.csv_out import to_csv


def test_formula_cells_are_shown_not_run() -> None:
    result = ReportResult(
        ["queue", "calls"],
        [
            {"queue": '=HYPERLINK("http://x")', "calls": 3},
            {"queue": "+1 sales", "calls": 0},
            {"queue": "-", "calls": 1},
            {"queue": "@SUM(A1)", "calls": 2},
            {"queue": "\tTab", "calls": 4},
            {"queue": "Support", "calls": None},
        ],
    )
    rows = list(csv.DictReader(io.StringIO(to_csv(result))))
    assert [r["queue"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1 sales",
        "'-",
        "'@SUM(A1)",
        "'\tTab",
        "Support",
    ]
    assert [r["calls"] for r in rows] == ["3", "0", "1", "2", "4", ""]

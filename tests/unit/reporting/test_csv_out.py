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


def _cells(columns: list[str], rows: list[dict[str, object]]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(to_csv(ReportResult(columns, rows)))))[1:]


def test_one_formula_among_a_chunk_of_plain_rows_is_still_caught() -> None:
    """The chunk is looked at as written text: a formula in the middle of a long chunk,
    in the first cell of a line, after a quoted cell or with a line break of its own, is
    neutralised, and every other cell is left exactly as written."""
    plain = [
        {"who": f"agent{i}@example.com", "when": "2026-03-01T09:15:00+00:00", "n": -i}
        for i in range(1500)
    ]
    hostile = [
        {"who": "=cmd|' /C calc'!A0", "when": "x", "n": 1},
        {"who": "a, b", "when": "-1+2", "n": 2},
        {"who": "\r=1", "when": "@x\nline", "n": 3},
        {"who": "Smith, Jo", "when": "=A1,B1", "n": 4},  # quoted by the writer
    ]
    rows = plain[:700] + hostile + plain[700:]
    cells = _cells(["who", "when", "n"], rows)
    assert cells[700:704] == [
        ["'=cmd|' /C calc'!A0", "x", "1"],
        ["a, b", "'-1+2", "2"],
        ["'\r=1", "'@x\nline", "3"],
        ["Smith, Jo", "'=A1,B1", "4"],
    ]
    others = cells[:700] + cells[704:]
    assert others == [[str(r["who"]), str(r["when"]), str(r["n"])] for r in plain]


def test_signed_numbers_and_numbers_are_written_as_they_are() -> None:
    """Phone numbers and negative figures carry no apostrophe, text or number; a sign
    followed by more than a number is text that could run, and gets one."""
    rows = [
        {"from": "+14155550101", "delta": -2, "note": "-2.5"},
        {"from": "+1415555010x", "delta": -0.5, "note": "+1."},
        {"from": "-3", "delta": float("-inf"), "note": "-1e5"},
    ]
    assert _cells(["from", "delta", "note"], rows) == [
        ["+14155550101", "-2", "-2.5"],
        ["'+1415555010x", "-0.5", "'+1."],
        ["-3", "-inf", "'-1e5"],
    ]


def test_a_row_without_a_column_writes_an_empty_cell() -> None:
    assert _cells(["a", "b"], [{"a": 1, "b": 2}, {"a": "=x"}]) == [["1", "2"], ["'=x", ""]]
    assert _cells(["a"], [{"a": "Support"}, {"a": "@x"}]) == [["Support"], ["'@x"]]

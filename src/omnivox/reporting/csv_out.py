"""A report as CSV, safe to open in a spreadsheet: a text cell that starts with = + - @,
a tab or a carriage return is prefixed with an apostrophe, so it is shown, not run
(CSV injection). Numbers are written as they are."""

from __future__ import annotations

import csv
import io
from typing import Any

from omnivox.reporting.query import ReportResult

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(result: ReportResult) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=result.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _safe(v) for k, v in row.items()} for row in result.rows)
    return out.getvalue()

"""Exports of a report result or of records (calls, contacts, agent activity) as CSV,
XLSX or PDF: the one place the API, the command line and the schedules turn rows into a
file. CSV and XLSX stream (rows in, chunks out, bounded memory); a PDF is laid out whole
and is for results a person reads (``pdf_out``)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

from omnivox.core.errors import InvalidInput
from omnivox.reporting.csv_out import aiter_csv, iter_csv
from omnivox.reporting.pdf_out import MEDIA_TYPE as PDF_TYPE
from omnivox.reporting.pdf_out import to_pdf
from omnivox.reporting.query import ReportResult
from omnivox.reporting.xlsx_out import MEDIA_TYPE as XLSX_TYPE
from omnivox.reporting.xlsx_out import aiter_xlsx, iter_xlsx

#: fmt -> (media type, file extension).
EXPORT_FORMATS: Mapping[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": (XLSX_TYPE, "xlsx"),
    "pdf": (PDF_TYPE, "pdf"),
}
JSON_TYPE = "application/json"
#: The formats written row by row.
STREAMED: tuple[str, ...] = ("csv", "xlsx")
DEFAULT_PDF_MAX_ROWS = 2000
Row = Mapping[str, Any]


def check_format(fmt: str, allowed: Sequence[str]) -> str:
    if fmt not in allowed:
        raise InvalidInput.on("format", f"{fmt!r} is not one of {', '.join(allowed)}")
    return fmt


def export_bytes(
    result: ReportResult,
    fmt: str,
    title: str,
    *,
    details: Sequence[tuple[str, str]] = (),
    pdf_max_rows: int = DEFAULT_PDF_MAX_ROWS,
) -> bytes:
    """The whole file (an e-mail attachment); ``details`` are the range and filters the
    PDF prints under its title."""
    check_format(fmt, tuple(EXPORT_FORMATS))
    if fmt == "pdf":
        return to_pdf(result, title, details, pdf_max_rows)
    return b"".join(export_stream(result, fmt, title))


def export_stream(result: ReportResult, fmt: str, title: str) -> Iterator[bytes]:
    """The file in chunks, for a response or a file being written (CSV and XLSX)."""
    check_format(fmt, STREAMED)
    return stream_rows(result.columns, result.rows, fmt, title)


def stream_rows(
    columns: Sequence[str], rows: Iterable[Row], fmt: str, title: str
) -> Iterator[bytes]:
    check_format(fmt, STREAMED)
    return iter_csv(columns, rows) if fmt == "csv" else iter_xlsx(columns, rows, title)


def astream_rows(
    columns: Sequence[str], rows: AsyncIterable[Row], fmt: str, title: str
) -> AsyncIterator[bytes]:
    """Rows read as they come (pages of a database read) as CSV, XLSX or a JSON array."""
    check_format(fmt, (*STREAMED, "json"))
    if fmt == "json":
        return _aiter_json(rows)
    return aiter_csv(columns, rows) if fmt == "csv" else aiter_xlsx(columns, rows, title)


async def _aiter_json(rows: AsyncIterable[Row]) -> AsyncIterator[bytes]:
    first = True
    yield b"["
    async for row in rows:
        yield (b"\n" if first else b",\n") + json.dumps(
            row, ensure_ascii=False, default=str
        ).encode()
        first = False
    yield b"\n]\n"


def media_type(fmt: str) -> str:
    return JSON_TYPE if fmt == "json" else EXPORT_FORMATS[fmt][0]


def file_name(stem: str, fmt: str) -> str:
    """A file name safe in a header and on any disk: ``stem`` reduced to [A-Za-z0-9._-]."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:100] or "export"
    extension = "json" if fmt == "json" else EXPORT_FORMATS[fmt][1]
    return f"{clean}.{extension}"


def attachment(stem: str, fmt: str) -> dict[str, str]:
    """The response headers of a download."""
    return {"Content-Disposition": f'attachment; filename="{file_name(stem, fmt)}"'}

"""Rows as CSV, safe to open in a spreadsheet: a text cell that starts with = + - @, a tab
or a carriage return is prefixed with an apostrophe, so it is shown, not run (CSV
injection). Numbers are written as they are. The XLSX writer uses the same ``safe``.

CSV is written in chunks of rows, so an export of any size streams in bounded memory."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

from omnivox.reporting.query import ReportResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK_ROWS = 1000


def safe(value: Any) -> Any:
    """The value a spreadsheet shows as text (never a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Chunker:
    """A csv writer on a buffer that is handed out every ``_CHUNK_ROWS`` rows."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.buffer = io.StringIO()
        # CRLF, as RFC 4180 says; it also makes the writer quote a lone CR inside a cell.
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.writer.writerow(self.columns)
        self.pending = 0

    def add(self, row: Mapping[str, Any]) -> bytes | None:
        self.writer.writerow([safe(row.get(c)) for c in self.columns])
        self.pending += 1
        return self.take() if self.pending >= _CHUNK_ROWS else None

    def take(self) -> bytes:
        out = self.buffer.getvalue().encode()
        self.buffer.seek(0)
        self.buffer.truncate()
        self.pending = 0
        return out


def iter_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """The CSV (UTF-8) of ``rows`` in chunks: the header first, even with no row."""
    chunker = _Chunker(columns)
    for row in rows:
        chunk = chunker.add(row)
        if chunk is not None:
            yield chunk
    yield chunker.take()


async def aiter_csv(
    columns: Sequence[str], rows: AsyncIterable[Mapping[str, Any]]
) -> AsyncIterator[bytes]:
    """``iter_csv`` of rows read as they come (pages of a database read)."""
    chunker = _Chunker(columns)
    async for row in rows:
        chunk = chunker.add(row)
        if chunk is not None:
            yield chunk
    yield chunker.take()


def to_csv(result: ReportResult) -> str:
    return b"".join(iter_csv(result.columns, result.rows)).decode()

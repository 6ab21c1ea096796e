"""Rows as CSV, safe to open in a spreadsheet: a text cell that starts with = + - @, a tab
or a carriage return is prefixed with an apostrophe, so it is shown, not run (CSV
injection). A text that is only a signed number (an E.164 phone number, "-2") is left as
it is: a spreadsheet reads it as a number at worst, and every phone number of a call
export would otherwise carry an apostrophe. Numbers are written as they are. The XLSX
writer uses the same ``safe``.

CSV is written in chunks of rows, so an export of any size streams in bounded memory."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

from omnivox.reporting.query import ReportResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d+(\.\d+)?")
_CHUNK_ROWS = 1000


def safe(value: Any) -> Any:
    """The value a spreadsheet shows as text (never a formula)."""
    if (
        value.__class__ is str
        and value.startswith(FORMULA_START)
        and not _SIGNED_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class _Chunker:
    """A csv writer on a buffer, emptied after each batch of ``_CHUNK_ROWS`` rows."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.buffer = io.StringIO()
        # CRLF, as RFC 4180 says; it also makes the writer quote a lone CR inside a cell.
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.writer.writerow(self.columns)

    def cells(self, row: Mapping[str, Any]) -> list[Any]:
        # ``safe`` only for what may need it: this runs once per cell of every export.
        return [
            safe(v) if v.__class__ is str and v.startswith(FORMULA_START) else v
            for v in map(row.get, self.columns)
        ]

    def write(self, batch: Iterable[Mapping[str, Any]]) -> bytes:
        self.writer.writerows(map(self.cells, batch))
        out = self.buffer.getvalue().encode()
        self.buffer.seek(0)
        self.buffer.truncate()
        return out


def iter_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """The CSV (UTF-8) of ``rows`` in chunks: the header first, even with no row."""
    chunker = _Chunker(columns)
    remaining = iter(rows)
    header = chunker.write(())
    while chunk := chunker.write(itertools.islice(remaining, _CHUNK_ROWS)):
        yield header + chunk
        header = b""
    if header:
        yield header


async def aiter_csv(
    columns: Sequence[str], rows: AsyncIterable[Mapping[str, Any]]
) -> AsyncIterator[bytes]:
    """``iter_csv`` of rows read as they come (pages of a database read)."""
    chunker = _Chunker(columns)
    batch: list[Mapping[str, Any]] = []
    yield chunker.write(())
    async for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK_ROWS:
            yield chunker.write(batch)
            batch.clear()
    if batch:
        yield chunker.write(batch)


def to_csv(result: ReportResult) -> str:
    return b"".join(iter_csv(result.columns, result.rows)).decode()

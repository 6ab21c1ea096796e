"""Rows as CSV, safe to open in a spreadsheet: a text cell that starts with = + - @, a tab
or a carriage return is prefixed with an apostrophe, so it is shown, not run (CSV
injection). A text that is only a signed number (an E.164 phone number, "-2") is left as
it is: a spreadsheet reads it as a number at worst, and every phone number of a call
export would otherwise carry an apostrophe. Numbers are written as they are. The XLSX
writer uses the same ``safe``.

CSV is written in chunks of rows, so an export of any size streams in bounded memory.
Each chunk is written as it is first and then looked at as text (``_plain``): only a
chunk in which some cell may start like a formula is written again cell by cell through
``safe``. Checking every cell in Python cost as much as writing the CSV; most chunks of a
report have no such cell."""

from __future__ import annotations

import csv
import io
import itertools
import operator
import re
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any

from omnivox.reporting.query import ReportResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d+(\.\d+)?")
_CHUNK_ROWS = 1000
# Every cell starts the text, a line or follows a comma; a quote opens a quoted cell
# (the writer quotes one holding a comma, a quote or a line break, so a cell starting
# with a CR starts with a quote, and it never quotes a plain signed number).
_FIRST_CHARS = ("=", "@", "\t", '"', "+", "-")
_FORMULA_CELL = r'(?:"[-=+@\t\r]|[=@\t]|[+-](?!\d+(?:\.\d+)?(?:,|\r\n)))'
#: A cell that may start like a formula: what ``safe`` changes, other than a signed
#: number's sign. After a comma or newline inside a quoted cell it can match where no
#: cell starts: that only costs the chunk a second, exact writing.
_SUSPECT = re.compile(r"[,\n]" + _FORMULA_CELL)
_SUSPECT_FIRST = re.compile(_FORMULA_CELL)

Row = Mapping[str, Any]


def safe(value: Any) -> Any:
    """The value a spreadsheet shows as text (never a formula)."""
    if (
        value.__class__ is str
        and value.startswith(FORMULA_START)
        and not _SIGNED_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _plain(text: str) -> bool:
    """True when no cell of ``text`` (whole lines the writer wrote) needs ``safe``."""
    if _SUSPECT_FIRST.match(text):
        return False
    # Substring searches first, the common case: a character that is somewhere in the
    # text (a date's "-", an e-mail's "@") is then looked for after a comma or a newline.
    if not any(c in text and ("," + c in text or "\n" + c in text) for c in _FIRST_CHARS):
        return True
    return _SUSPECT.search(text) is None


def _getter(columns: Sequence[str]) -> Callable[[Row], tuple[Any, ...]]:
    """A row's cells in column order, read in C (``itemgetter``) rather than one
    ``get`` per cell."""
    if len(columns) == 1:
        only = columns[0]
        return lambda row: (row[only],)
    if not columns:
        return lambda row: ()
    return operator.itemgetter(*columns)


class _Chunker:
    """A csv writer on a buffer, emptied after each batch of ``_CHUNK_ROWS`` rows."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.cells = _getter(self.columns)
        self.buffer = io.StringIO()
        # CRLF, as RFC 4180 says; it also makes the writer quote a lone CR inside a cell.
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def header(self) -> bytes:
        self.writer.writerow(self.columns)
        return self._take().encode()

    def write(self, batch: Iterable[Row]) -> bytes:
        rows = list(batch)
        try:
            cells = list(map(self.cells, rows))
        except KeyError:  # a row without some column: an empty cell, as DictWriter writes
            cells = [tuple(map(row.get, self.columns)) for row in rows]
        self.writer.writerows(cells)
        text = self._take()
        if not _plain(text):
            self.writer.writerows([safe(v) for v in row] for row in cells)
            text = self._take()
        return text.encode()

    def _take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def iter_csv(columns: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """The CSV (UTF-8) of ``rows`` in chunks: the header first, even with no row."""
    chunker = _Chunker(columns)
    remaining = iter(rows)
    header = chunker.header()
    while chunk := chunker.write(itertools.islice(remaining, _CHUNK_ROWS)):
        yield header + chunk
        header = b""
    if header:
        yield header


async def aiter_csv(columns: Sequence[str], rows: AsyncIterable[Row]) -> AsyncIterator[bytes]:
    """``iter_csv`` of rows read as they come (pages of a database read)."""
    chunker = _Chunker(columns)
    batch: list[Row] = []
    yield chunker.header()
    async for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK_ROWS:
            yield chunker.write(batch)
            batch.clear()
    if batch:
        yield chunker.write(batch)


def to_csv(result: ReportResult) -> str:
    return b"".join(iter_csv(result.columns, result.rows)).decode()

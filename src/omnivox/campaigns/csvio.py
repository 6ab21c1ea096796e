"""CSV reading for imports and writing for exports. Pure: files in, rows out.

Reading streams (one record at a time, never the whole file), detects the delimiter from
the header, tolerates a BOM, and reports each bad record with the line it starts on.
Writing neutralises spreadsheet formulas so an exported cell never executes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

MAX_CELL = 4096  # characters per cell we keep; a longer cell rejects its row
MAX_COLUMNS = 200
MAX_HEADER = 200  # characters per header name
RAW_KEEP = 1000  # characters of a rejected row kept for the report
_DELIMITERS = (",", ";", "\t", "|")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\udc80-\udcff]")

TARGETS = ("phone", "first_name", "last_name", "email", "timezone", "priority")
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "phone_number", "phonenumber", "telephone", "tel", "mobile", "number"),
    "first_name": ("first_name", "firstname", "first", "given_name"),
    "last_name": ("last_name", "lastname", "last", "surname", "family_name"),
    "email": ("email", "e_mail", "email_address"),
    "timezone": ("timezone", "time_zone", "tz"),
    "priority": ("priority",),
}


class CsvRefused(ValueError):
    """The file as a whole cannot be read; the message says what to fix."""


def neutralize(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_rows(out: IO[str], rows: Iterable[Iterable[object]]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralize("" if v is None else str(v)) for v in row])


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    buf = io.StringIO()
    write_rows(buf, rows)
    return buf.getvalue()


def _normal_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Mapping:
    """Column index per target field; every other column becomes a custom field."""

    headers: tuple[str, ...]
    index: dict[str, int]
    custom: tuple[tuple[str, int], ...]


def build_mapping(headers: list[str], explicit: dict[str, str]) -> Mapping:
    """Map targets to columns: explicit ``target -> header`` first, then known synonyms."""
    if len(headers) > MAX_COLUMNS:
        raise CsvRefused(f"the file has {len(headers)} columns; at most {MAX_COLUMNS}")
    if any(len(h) > MAX_HEADER for h in headers):
        raise CsvRefused(f"a column name is longer than {MAX_HEADER} characters")
    normal = [_normal_header(h) for h in headers]
    index: dict[str, int] = {}
    for target, source in explicit.items():
        if target not in TARGETS:
            raise CsvRefused(f"unknown field {target!r} in the mapping; use one of {TARGETS}")
        wanted = _normal_header(source)
        if wanted not in normal:
            raise CsvRefused(f"mapping {target}={source}: the file has no column {source!r}")
        index[target] = normal.index(wanted)
    for target, names in _SYNONYMS.items():
        if target not in index:
            found = next((normal.index(n) for n in names if n in normal), None)
            if found is not None and found not in index.values():
                index[target] = found
    if "phone" not in index:
        shown = ", ".join(headers[:20]) or "(none)"
        raise CsvRefused(
            f"no phone column (columns: {shown}); name one 'phone' or map it, e.g. phone=Mobile"
        )
    used = set(index.values())
    custom = tuple((headers[i].strip(), i) for i in range(len(headers)) if i not in used)
    return Mapping(tuple(headers), index, custom)


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts in the file (1 = the header)
    cells: list[str] | None  # None when the record could not be read
    error: str = ""
    raw: str = ""  # what could be read of a record that could not, for the report


def undecodable(text: str) -> int | None:
    """The first byte of ``text`` that was not UTF-8 (a text decoded with
    ``errors="surrogateescape"`` keeps such a byte as a lone surrogate), or None."""
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            return ord(ch) - 0xDC00
    return None


def _readable(cells: list[str]) -> str:
    """The record with its undecodable bytes shown as U+FFFD, safe to store and export."""
    joined = ",".join(cells)[:RAW_KEEP]
    return joined.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _not_utf8(cells: list[str], headers: list[str]) -> str | None:
    """Why a record read with ``surrogateescape`` is not UTF-8 text, or None if it is."""
    if not _SURROGATE.search("".join(cells)):
        return None
    for i, cell in enumerate(cells):
        byte = undecodable(cell)
        if byte is not None:
            column = headers[i] if i < len(headers) else f"column {i + 1}"
            return (
                f"not UTF-8 text (byte 0x{byte:02X} in {column!r}); save the file as "
                "CSV UTF-8, or fix this row"
            )
    return None


class RecordReader:
    """Streams records from a text file; a broken record becomes a Record with an error."""

    def __init__(self, text: IO[str]) -> None:
        first = text.readline()
        if not first.strip():
            raise CsvRefused("the file is empty or its first line (the header) is blank")
        byte = undecodable(first)
        if byte is not None:
            raise CsvRefused(
                f"the header line is not UTF-8 text (byte 0x{byte:02X}); save the file as CSV UTF-8"
            )
        self.delimiter = detect_delimiter(first)
        header_rows = list(csv.reader([first], delimiter=self.delimiter))
        self.headers = [h.strip() for h in header_rows[0]] if header_rows else []
        self._reader = csv.reader(text, delimiter=self.delimiter)
        self._line_offset = 1  # the header was read outside the csv reader

    def __iter__(self) -> Iterator[Record]:
        reader = self._reader
        while True:
            start = reader.line_num + 1 + self._line_offset
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(start, None, f"unreadable record: {exc}")
                continue
            if cells and any(c.strip() for c in cells):
                # A row in another encoding (one Latin-1 name) is refused on its own.
                problem = _not_utf8(cells, self.headers)
                if problem is not None:
                    yield Record(start, None, problem, _readable(cells))
                else:
                    yield Record(start, cells)


def raw_of(cells: list[str] | None) -> str:
    return ",".join(cells or [])[:RAW_KEEP]

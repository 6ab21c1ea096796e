"""Rows as an XLSX workbook written with XlsxWriter in ``constant_memory`` mode: each row
goes to a temporary file as it is written, so a million rows need no more memory than
one. The workbook is complete only when closed; then it is read back in chunks.

Numbers are cells of numbers; text is written with ``write_string`` (never parsed as a
formula) and neutralised as in the CSV (``csv_out.safe``), so both exports read alike."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

import xlsxwriter

from omnivox.reporting.csv_out import safe

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_READ_CHUNK = 64 * 1024
_MAX_SHEET_ROWS = 1_048_576  # Excel's own limit, header included


class XlsxTooLarge(ValueError):
    """More rows than a worksheet holds."""


class XlsxSheet:
    """One worksheet: ``add`` rows in order, then ``chunks`` reads the closed workbook."""

    def __init__(self, columns: Sequence[str], title: str = "Report") -> None:
        handle, self.path = tempfile.mkstemp(prefix="omnivox-", suffix=".xlsx")
        os.close(handle)
        self.columns = list(columns)
        self.book = xlsxwriter.Workbook(
            self.path, {"constant_memory": True, "nan_inf_to_errors": True}
        )
        self.book.set_properties({"title": title})
        # A sheet name may hold at most 31 characters and none of []:*?/\.
        name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Report"
        self.sheet = self.book.add_worksheet(name)
        bold = self.book.add_format({"bold": True})
        for col, name in enumerate(self.columns):
            self.sheet.set_column(col, col, max(10, min(len(name) + 2, 40)))
            self.sheet.write_string(0, col, name, bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def add(self, row: Mapping[str, Any]) -> None:
        if self.row >= _MAX_SHEET_ROWS:
            self.close()
            raise XlsxTooLarge(
                f"more than {_MAX_SHEET_ROWS - 1} rows: a worksheet holds no more (use CSV)"
            )
        write_number, write_string = self.sheet.write_number, self.sheet.write_string
        for col, name in enumerate(self.columns):
            value = row.get(name)
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                write_number(self.row, col, value)
            else:
                write_string(self.row, col, str(safe(str(value))))
        self.row += 1

    def close(self) -> None:
        if self.book is not None:
            self.book.close()
            self.book = None

    def chunks(self) -> Iterator[bytes]:
        """The workbook's bytes; the temporary file is removed once read (or abandoned)."""
        try:
            self.close()
            with open(self.path, "rb") as f:
                while chunk := f.read(_READ_CHUNK):
                    yield chunk
        finally:
            self.discard()

    def discard(self) -> None:
        self.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


def iter_xlsx(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], title: str = "Report"
) -> Iterator[bytes]:
    sheet = XlsxSheet(columns, title)
    try:
        for row in rows:
            sheet.add(row)
    except BaseException:
        sheet.discard()
        raise
    yield from sheet.chunks()


async def aiter_xlsx(
    columns: Sequence[str], rows: AsyncIterable[Mapping[str, Any]], title: str = "Report"
) -> AsyncIterator[bytes]:
    sheet = XlsxSheet(columns, title)
    try:
        async for row in rows:
            sheet.add(row)
    except BaseException:
        sheet.discard()
        raise
    for chunk in sheet.chunks():
        yield chunk

"""A report as CSV, XLSX and PDF: formulas neutralised the same way in both sheets,
numbers kept as numbers, a PDF with its title, headers only when there is no row."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from omnivox.core.errors import InvalidInput
from omnivox.reporting import EXPORT_FORMATS, ReportResult, export_bytes
from omnivox.reporting.exports import file_name
from omnivox.reporting.pdf_out import html_of

HOSTILE = ['=HYPERLINK("http://x")', "+1 sales", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Support"]


def _result() -> ReportResult:
    return ReportResult(
        ["queue", "queue_id", "calls_offered", "asa"],
        [
            {"queue": q, "queue_id": f"q{i}", "calls_offered": i, "asa": 1.5 * i}
            for i, q in enumerate(HOSTILE)
        ],
    )


def _sheet_cells(data: bytes) -> list[list[tuple[str, str | None, str]]]:
    """(type attribute, formula or None, text) per cell, per row, from the sheet XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", xml, re.S):
        cells = []
        for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row, re.S):
            kind = re.search(r'\bt="(\w+)"', attrs)
            formula = re.search(r"<f>(.*?)</f>", body or "")
            text = re.sub(r"<[^>]+>", "", body or "")
            cells.append((kind.group(1) if kind else "n", formula and formula.group(1), text))
        rows.append(cells)
    return rows


def _pdf_text(data: bytes) -> bytes:
    """The PDF's bytes with its compressed streams inflated (no PDF reader needed)."""
    inflated = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(inflated)


def test_csv_neutralises_formulas_and_keeps_numbers() -> None:
    data = export_bytes(_result(), "csv", "Queues")
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    assert [r["queue"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1 sales",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
        "Support",
    ]
    assert [r["calls_offered"] for r in rows] == [str(i) for i in range(len(HOSTILE))]


def test_xlsx_has_a_bold_header_numbers_as_numbers_and_no_formula() -> None:
    data = export_bytes(_result(), "xlsx", "Queues")
    assert data[:2] == b"PK"
    header, *body = _sheet_cells(data)
    assert [c[2] for c in header] == ["queue", "queue_id", "calls_offered", "asa"]
    for (kind, formula, text), raw in zip((r[0] for r in body), HOSTILE, strict=True):
        assert formula is None and kind in ("s", "inlineStr", "str")
        assert text.replace("&#13;", "\r").replace("_x000D_", "\r") == (
            raw if raw == "Support" else "'" + raw
        )
    # Numbers are numeric cells (no t="s"), with their value.
    assert [(r[2][0], r[2][2]) for r in body][:3] == [("n", "0"), ("n", "1"), ("n", "2")]
    assert body[2][3] == ("n", None, "3")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
    assert "<b/>" in styles  # the header's bold font


def test_a_phone_number_or_a_signed_number_is_not_marked() -> None:
    result = ReportResult(["from", "n"], [{"from": "+14155550100", "n": "-2.5"}])
    assert export_bytes(result, "csv", "x") == b"from,n\r\n+14155550100,-2.5\r\n"
    ((kind, formula, text), _) = _sheet_cells(export_bytes(result, "xlsx", "x"))[1]
    assert (kind, formula, text) == ("inlineStr", None, "+14155550100")  # text, not a number


def test_no_rows_gives_the_headers_only() -> None:
    empty = ReportResult(["period", "calls"], [])
    assert export_bytes(empty, "csv", "Empty") == b"period,calls\r\n"
    rows = _sheet_cells(export_bytes(empty, "xlsx", "Empty"))
    assert [[c[2] for c in r] for r in rows] == [["period", "calls"]]


def test_pdf_has_the_title_range_chart_and_table() -> None:
    details = (("Range", "2026-03-10 to 2026-03-10"), ("Filters", "queue=Support"))
    data = export_bytes(_result(), "pdf", "Queue interval", details=details)
    assert data.startswith(b"%PDF")
    # The title is the document's (WeasyPrint writes <title> into the PDF's metadata).
    assert b"/Title (Queue interval)" in _pdf_text(data)
    html = html_of(_result(), "Queue interval", details)
    assert "<svg" in html and "Calls offered" in html  # the chart of the first metric
    assert "2026-03-10 to 2026-03-10" in html and "queue=Support" in html
    assert "queue_id" not in html  # ids are not shown


def test_pdf_refuses_more_rows_than_its_limit_naming_it() -> None:
    with pytest.raises(InvalidInput, match="OMNIVOX_REPORT_PDF_MAX_ROWS"):
        export_bytes(_result(), "pdf", "Big", pdf_max_rows=3)


def test_unknown_format_is_refused_and_formats_are_listed() -> None:
    with pytest.raises(InvalidInput, match="'ods' is not one of csv, xlsx, pdf"):
        export_bytes(_result(), "ods", "x")
    assert EXPORT_FORMATS["xlsx"][1] == "xlsx" and EXPORT_FORMATS["pdf"][0] == "application/pdf"
    assert file_name('a"b\r\n/c', "csv") == "a-b-c.csv"


def test_csv_streams_in_chunks_with_one_header() -> None:
    from omnivox.reporting.exports import export_stream

    many = ReportResult(["n", "label"], [{"n": i, "label": f"-{i} x"} for i in range(2500)])
    chunks = list(export_stream(many, "csv", "Many"))
    assert len(chunks) == 3  # a chunk per 1,000 rows, the header in the first
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert rows[0] == ["n", "label"] and len(rows) == 2501
    assert rows[2500] == ["2499", "'-2499 x"]


def test_an_abandoned_or_failed_export_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omnivox.reporting.cli_output import Sink
    from omnivox.reporting.xlsx_out import iter_xlsx

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    download = iter_xlsx(["n"], ({"n": i} for i in range(10)), "x")
    next(download)  # the client went away after the first chunk
    download.close()

    def failing() -> Iterator[dict[str, int]]:
        yield {"n": 1}
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        b"".join(iter_xlsx(["n"], failing(), "x"))
    assert list((tmp_path / "tmp").iterdir()) == []
    # The command line removes a file it was writing when the export fails mid-way.
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), Sink(str(target)).open() as out:
        out.write(b"n\r\n1\r\n")
        raise RuntimeError("the database went away")
    assert not target.exists()

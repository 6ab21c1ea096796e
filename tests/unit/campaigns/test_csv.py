"""CSV reading and writing edge cases, and row classification, without a database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnivox.campaigns.csvio import CsvRefused, RecordReader, build_mapping, csv_text, neutralize
from omnivox.campaigns.import_rows import Batch, ImportContext, RowClassifier, next_batch
from omnivox.campaigns.phones import InvalidPhone, infer_zones, normalize


def reader(text: str) -> RecordReader:
    return RecordReader(io.StringIO(text, newline=""))


def classify(text: str, region: str | None = "US", dnc: set[int] | None = None) -> Batch:
    r = reader(text)
    ctx = ImportContext(
        "org", "list", "imp", region, "UTC", datetime.now(UTC), set(), dnc or set(), set()
    )
    return next_batch(iter(r), RowClassifier(ctx, build_mapping(r.headers, {})), 1000, lambda: 0)


def test_bom_and_semicolons_and_quoted_newlines() -> None:
    text = io.TextIOWrapper(
        io.BytesIO('\ufeffPhone;Name\n"+14155550101";"a\nb"\n+14155550102;c\n'.encode()),
        encoding="utf-8-sig",
        newline="",
    )
    r = RecordReader(text)
    assert r.delimiter == ";" and r.headers == ["Phone", "Name"]
    records = list(r)
    assert [x.cells for x in records] == [["+14155550101", "a\nb"], ["+14155550102", "c"]]
    assert [x.line for x in records] == [2, 4]  # a record's line is where it starts


def test_rows_are_classified_with_reasons() -> None:
    batch = classify("phone,name\n4155550101,a\n4155550101,dup\n123,x\n4155550103\n4155550104,y\n")
    assert len(batch.contacts) == 2 and batch.duplicates == 1 and batch.rejected == 2
    assert batch.dnc == 0 and batch.rows == 5 and batch.finished
    reasons = {line: reason for line, _k, reason, _r in batch.problems}
    assert "already in the list" in reasons[3]
    assert "not a valid phone number" in reasons[4] or "not a phone number" in reasons[4]
    assert reasons[5] == "expected 2 columns, found 1"
    assert [c[3] for c in batch.contacts] == ["+14155550101", "+14155550104"]


def test_dnc_scrub_and_huge_fields() -> None:
    batch = classify(f"phone,notes\n4155550101,ok\n4155550102,{'x' * 10_000}\n", dnc={14155550101})
    assert batch.dnc == 1 and batch.rejected == 1 and not batch.contacts
    assert "10000 characters" in batch.problems[1][2]
    assert len(batch.problems[1][3]) <= 1000  # the kept raw text is capped too


def test_field_beyond_the_csv_limit_rejects_only_its_row() -> None:
    batch = classify('phone,notes\n4155550101,"' + "y" * 200_000 + '"\n4155550102,ok\n')
    assert batch.rejected == 1 and "unreadable record" in batch.problems[0][2]
    assert [c[3] for c in batch.contacts] == ["+14155550102"]


def test_headers_are_checked() -> None:
    with pytest.raises(CsvRefused, match="no phone column"):
        build_mapping(["name", "email"], {})
    with pytest.raises(CsvRefused, match="has no column"):
        build_mapping(["phone"], {"phone": "Mobile"})
    assert build_mapping(["Mobile", "x"], {"phone": "mobile"}).index["phone"] == 0
    with pytest.raises(CsvRefused, match="empty"):
        reader("\n")


@given(st.text(max_size=30))
def test_exported_cells_never_start_a_formula(cell: str) -> None:
    out = list(csv.reader(io.StringIO(csv_text([[cell]]), newline="")))
    assert not out or not out[0] or not out[0][0].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert neutralize("=1+1") == "'=1+1" and neutralize("Ada") == "Ada"


def test_normalisation_and_zone_inference() -> None:
    assert normalize("(415) 555-0101", "US") == "+14155550101"
    assert normalize("020 7946 0958", "GB") == "+442079460958"
    for bad in ("", "12", "hello", "+1 415 555 010"):
        with pytest.raises(InvalidPhone):
            normalize(bad, "US")
    with pytest.raises(InvalidPhone, match="no default region"):
        normalize("4155550101", None)
    assert infer_zones("+14155550101", None, "UTC").value == "America/Los_Angeles"
    assert infer_zones("+14155550101", "Europe/Paris", "UTC").source == "explicit"
    assert infer_zones("+18005550100", None, "Europe/Berlin").source == "organization"

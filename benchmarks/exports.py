"""Export throughput and memory, each against a naive baseline in the same invocation:

* CSV: rows/s of ``csv_out.iter_csv`` (streamed in chunks, formulas neutralised) against
  ``csv.DictWriter`` over the whole list into one string, and against the previous
  streaming writer (a ``get`` and a formula check in Python per cell) (target: >= 200 k
  rows/s);
* XLSX: the peak memory (RSS, in a fresh subprocess) of a 1 M-row export through
  ``xlsx_out.iter_xlsx`` (XlsxWriter constant_memory) against XlsxWriter in its default
  mode, which keeps every cell until it closes (target: < 200 MB). The peak is the
  process's, imports included; the figure before the first row is printed beside it.

Run: ``PYTHONPATH=src python benchmarks/exports.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

COLUMNS = ["period", "queue", "queue_id", "agent", "calls", "handled", "asa", "aht"]


def rows(n: int) -> Iterator[dict[str, Any]]:
    """A report's rows: a 15-minute period, a queue and agent, counts and averages."""
    for i in range(n):
        yield {
            "period": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:{15 * (i % 4):02d}:00+00:00",
            "queue": f"Queue {i % 30}",
            "queue_id": f"{i % 30:032x}",
            "agent": f"agent{i % 200}@example.com",
            "calls": i % 97,
            "handled": i % 89,
            "asa": (i % 600) / 10,
            "aht": round((i % 3000) / 7, 1),  # figures are rounded as the engine rounds them
        }


Rate = tuple[float, float]  # rows per second of wall time, and per second of CPU time


def _per_cell_csv(everything: list[dict[str, Any]]) -> Iterator[bytes]:
    """The previous streaming writer: each cell read with ``get`` and checked in Python."""
    from omnivox.reporting.csv_out import FORMULA_START, safe

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for i in range(0, len(everything), 1000):
        writer.writerows(
            [safe(v) if v.__class__ is str and v.startswith(FORMULA_START) else v for v in cells]
            for cells in (map(row.get, COLUMNS) for row in everything[i : i + 1000])
        )
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()


def _rate(n: int, chunks: Iterator[bytes]) -> Rate:
    started, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            sink.write(chunk)
    return (n / (time.perf_counter() - started), n / (time.process_time() - cpu))


def bench_csv(n: int) -> tuple[Rate, Rate, Rate]:
    """Rows/s of the export alone: the rows are made beforehand (a database page's)."""
    from omnivox.reporting.csv_out import iter_csv

    everything = list(rows(n))
    ours = _rate(n, iter_csv(COLUMNS, everything))
    previous = _rate(n, _per_cell_csv(everything))

    started, cpu = time.perf_counter(), time.process_time()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(everything)
    out.getvalue().encode()
    naive = (n / (time.perf_counter() - started), n / (time.process_time() - cpu))
    return ours, naive, previous


def _memory(field: str) -> float:
    """A figure of this process's memory from /proc, in MB. The peak is ``VmHWM``, not
    ``ru_maxrss``: the latter keeps the parent's resident size across fork and exec."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def xlsx_child(mode: str, n: int) -> None:
    """In a fresh process: write ``n`` rows, print the peak RSS (MB) and seconds."""
    import xlsxwriter

    from omnivox.reporting.xlsx_out import iter_xlsx

    before = _memory("VmRSS")
    started = time.perf_counter()
    if mode == "ours":
        with open(os.devnull, "wb") as sink:
            for chunk in iter_xlsx(COLUMNS, rows(n), "Bench"):
                sink.write(chunk)
    else:
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, COLUMNS)
        for r, row in enumerate(rows(n), start=1):
            sheet.write_row(r, 0, [row[c] for c in COLUMNS])
        book.close()
        os.unlink(path)
    peak = _memory("VmHWM")
    print(f"{peak:.0f} {before:.0f} {time.perf_counter() - started:.1f}")


def bench_xlsx(mode: str, n: int) -> tuple[float, float, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--xlsx-child", mode, "--rows", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak, before, seconds = done.stdout.split()
    return float(peak), float(before), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("csv", "xlsx"), help="one of the two measures")
    parser.add_argument("--xlsx-child", choices=("ours", "naive"))
    args = parser.parse_args()
    if args.xlsx_child:
        xlsx_child(args.xlsx_child, args.rows)
        return
    n = args.rows
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.only != "xlsx":
        _print_csv(n)
    if args.only != "csv":
        _print_xlsx(n)


def _print_csv(n: int) -> None:
    ours, naive, previous = bench_csv(n)
    print(
        f"CSV, {n} rows, streamed: {ours[0]:,.0f} rows/s wall, {ours[1]:,.0f} rows per CPU "
        f"second (target >= 200,000); naive DictWriter into one string: {naive[0]:,.0f} "
        f"rows/s wall, {naive[1]:,.0f} per CPU second; previous writer (a check per cell): "
        f"{previous[0]:,.0f} rows/s wall, {previous[1]:,.0f} per CPU second"
    )


def _print_xlsx(n: int) -> None:
    for mode, what in (("ours", "constant_memory (target < 200 MB)"), ("naive", "default mode")):
        peak, before, seconds = bench_xlsx(mode, n)
        print(
            f"XLSX, {n} rows, {what}: peak RSS {peak:.0f} MB "
            f"({before:.0f} MB of it before the first row) in {seconds:.1f} s"
        )


if __name__ == "__main__":
    main()

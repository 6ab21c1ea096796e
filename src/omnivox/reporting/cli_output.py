"""Where the command line writes an export: a file (removed if the export fails half-way)
or stdout (never a binary format on a terminal), with progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import typer

from omnivox.console import fail

_BINARY = ("xlsx", "pdf")
_PROGRESS_EVERY = 100_000  # rows between two progress lines on stderr


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def check_output(fmt: str, allowed: tuple[str, ...], output: str) -> None:
    """Before any work: the format is known, and a binary file is not sent to a screen."""
    if fmt not in allowed:
        raise fail(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    if fmt in _BINARY and not output and stdout_is_terminal():
        raise fail(f"--format {fmt} writes a binary file: give --output FILE (or pipe it)")


class Sink:
    """Where the bytes go (a file or stdout), with rows counted onto stderr."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.rows = 0

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The output; a file left half-written by an error is removed."""
        if not self.output or self.output == "-":
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
            return
        path = Path(self.output)
        try:
            out = path.open("wb")
        except OSError as exc:
            raise fail(f"--output: cannot write {self.output!r}: {exc.strerror}") from None
        try:
            with out:
                yield out
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def counted(self, rows: Iterable[Any]) -> Iterator[Any]:
        for row in rows:
            yield row
            self._tick()

    async def acounted(self, rows: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for row in rows:
            yield row
            self._tick()

    def _tick(self) -> None:
        self.rows += 1
        if self.rows % _PROGRESS_EVERY == 0:
            typer.echo(f"{self.rows} rows written", err=True)

    def done(self) -> None:
        if self.rows >= _PROGRESS_EVERY or self.output not in ("", "-"):
            where = f" to {self.output}" if self.output not in ("", "-") else ""
            typer.echo(f"done: {self.rows} rows{where}", err=True)

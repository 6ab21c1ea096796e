"""Turning CSV records into contacts or reasons: pure, so it runs in a worker thread.

``RowClassifier`` holds the import's state (numbers already seen, the DNC numbers) and
classifies each record; ``next_batch`` reads the file a batch at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omnivox.campaigns.csvio import MAX_CELL, Mapping, Record, raw_of
from omnivox.campaigns.phones import InvalidPhone, infer_zones, normalize
from omnivox.core.db import new_id

PRIORITY_RANGE = range(-1000, 1001)
_NAME_MAX, _EMAIL_MAX = 200, 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

# Column order of the contacts table as the bulk writers receive it.
CONTACT_COLUMNS = (
    "id",
    "organization_id",
    "list_id",
    "phone",
    "first_name",
    "last_name",
    "email",
    "custom_fields",
    "timezone",
    "timezone_source",
    "status",
    "priority",
    "attempts",
    "disposition_counts",
    "import_id",
    "created_at",
)


@lru_cache(maxsize=4096)
def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


def phone_key(e164: str) -> int:
    """Compact set key for a number (an int is a third of a str's memory)."""
    return int(e164[1:])


@dataclass
class Batch:
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    # (line, kind, reason, raw); kind: rejected | duplicate | dnc
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    rows: int = 0
    duplicates: int = 0
    rejected: int = 0
    dnc: int = 0
    bytes_read: int = 0
    finished: bool = False


@dataclass
class ImportContext:
    organization_id: str
    list_id: str
    import_id: str
    region: str | None
    fallback_zone: str
    now: datetime
    seen: set[int]
    dnc_org: set[int]
    dnc_campaign: set[int]


class Reject(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RowClassifier:
    def __init__(self, ctx: ImportContext, mapping: Mapping) -> None:
        self.ctx = ctx
        self.mapping = mapping
        self.width = len(mapping.headers)

    def _cell(self, cells: list[str], target: str) -> str:
        i = self.mapping.index.get(target)
        return cells[i].strip() if i is not None else ""

    def classify(self, record: Record, batch: Batch) -> None:
        batch.rows += 1
        cells = record.cells
        try:
            if cells is None:
                raise Reject(record.error)
            phone, values = self._validate(cells)
        except Reject as exc:
            batch.rejected += 1
            raw = raw_of(cells) if cells is not None else record.raw
            batch.problems.append((record.line, "rejected", exc.reason[:300], raw))
            return
        key = phone_key(phone)
        if key in self.ctx.seen:
            batch.duplicates += 1
            batch.problems.append(
                (record.line, "duplicate", f"number {phone} is already in the list", raw_of(cells))
            )
            return
        self.ctx.seen.add(key)
        if key in self.ctx.dnc_org or key in self.ctx.dnc_campaign:
            scope = "organisation's" if key in self.ctx.dnc_org else "campaign's"
            batch.dnc += 1
            batch.problems.append(
                (
                    record.line,
                    "dnc",
                    f"number {phone} is on the {scope} do-not-call list",
                    raw_of(cells),
                )
            )
            return
        batch.contacts.append(self._contact(phone, values, cells))

    def _validate(self, cells: list[str]) -> tuple[str, dict[str, Any]]:
        if len(cells) != self.width:
            raise Reject(f"expected {self.width} columns, found {len(cells)}")
        for i, cell in enumerate(cells):
            if len(cell) > MAX_CELL:
                name = self.mapping.headers[i]
                raise Reject(f"column {name!r} has {len(cell)} characters (at most {MAX_CELL})")
        raw_phone = self._cell(cells, "phone").lstrip("'")  # our own exports neutralise "+"
        try:
            phone = normalize(raw_phone, self.ctx.region)
        except InvalidPhone as exc:
            raise Reject(f"phone {raw_phone[:40]!r}: {exc}") from None
        values: dict[str, Any] = {}
        for target, limit in (("first_name", _NAME_MAX), ("last_name", _NAME_MAX)):
            values[target] = self._cell(cells, target)
            if len(values[target]) > limit:
                raise Reject(f"{target} is longer than {limit} characters")
        email = self._cell(cells, "email")
        if email and (len(email) > _EMAIL_MAX or not _EMAIL.match(email)):
            raise Reject(f"email {email[:60]!r} is not an e-mail address")
        values["email"] = email
        zone = self._cell(cells, "timezone")
        if zone and not known_zone(zone):
            raise Reject(f"unknown time zone {zone[:60]!r}")
        values["timezone"] = zone
        values["priority"] = self._priority(self._cell(cells, "priority"))
        return phone, values

    @staticmethod
    def _priority(text: str) -> int:
        if not text:
            return 0
        try:
            value = int(text)
        except ValueError:
            raise Reject(f"priority {text[:20]!r} is not a whole number") from None
        if value not in PRIORITY_RANGE:
            raise Reject("priority must be between -1000 and 1000")
        return value

    def _contact(self, phone: str, values: dict[str, Any], cells: list[str]) -> tuple[Any, ...]:
        ctx = self.ctx
        zones = infer_zones(phone, values["timezone"] or None, ctx.fallback_zone)
        custom = {name: cells[i] for name, i in self.mapping.custom if cells[i] != ""}
        return (
            new_id(),
            ctx.organization_id,
            ctx.list_id,
            phone,
            values["first_name"],
            values["last_name"],
            values["email"],
            json.dumps(custom, ensure_ascii=False),
            zones.value,
            zones.source,
            "staged",
            values["priority"],
            0,
            "{}",
            ctx.import_id,
            ctx.now,
        )


def next_batch(
    records: Iterator[Record], classifier: RowClassifier, size: int, position: Any
) -> Batch:
    """Classify up to ``size`` records; ``position()`` is the bytes read so far."""
    batch = Batch()
    for record in records:
        classifier.classify(record, batch)
        if batch.rows >= size:
            break
    else:
        batch.finished = True
    batch.bytes_read = int(position())
    return batch

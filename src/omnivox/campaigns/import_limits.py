"""The bounds on one CSV import: the deployment's (``OMNIVOX_MAX_IMPORT_*``), lowered by an
organisation's own where it set one. Each limit carries the words that name it, so a
refusal says which limit it hit and where it is set."""

from __future__ import annotations

from dataclasses import dataclass

from omnivox.accounts import Organization
from omnivox.core.config import Settings

_SETTINGS = Settings.model_fields
ORG_LIMIT = "this organisation's import limit, in its settings"


@dataclass(frozen=True)
class Limit:
    value: int
    name: str  # the setting that sets it, for messages


def _lower(deployment: Limit, own: int) -> Limit:
    return Limit(own, ORG_LIMIT) if 0 < own < deployment.value else deployment


def byte_limit(settings: Settings, org: Organization | None) -> Limit:
    deployment = Limit(settings.max_import_bytes, "OMNIVOX_MAX_IMPORT_BYTES")
    return _lower(deployment, org.import_max_bytes) if org else deployment


@dataclass(frozen=True)
class ImportLimits:
    rows: Limit = Limit(_SETTINGS["max_import_rows"].default, "OMNIVOX_MAX_IMPORT_ROWS")
    max_rejections: int = _SETTINGS["max_import_rejections"].default

    @classmethod
    def of(cls, settings: Settings, org: Organization | None = None) -> ImportLimits:
        rows = Limit(settings.max_import_rows, "OMNIVOX_MAX_IMPORT_ROWS")
        return cls(
            rows=_lower(rows, org.import_max_rows) if org else rows,
            max_rejections=settings.max_import_rejections,
        )

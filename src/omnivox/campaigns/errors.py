"""Errors of the campaigns domain, each with a stable code."""

from __future__ import annotations

from omnivox.core.errors import Conflict, DomainError, InvalidInput


class CampaignTransitionRefused(Conflict):
    code = "campaign-transition-refused"
    title = "This lifecycle change is not possible"


class CampaignNotReady(Conflict):
    code = "campaign-not-ready"
    title = "The campaign cannot start yet"


class ImportRefused(InvalidInput):
    code = "import-refused"
    title = "The file cannot be imported"


class ImportTooLarge(DomainError):
    code = "import-too-large"
    status = 413
    title = "The file is larger than an import may be"


class ImportNoSpace(DomainError):
    code = "import-no-space"
    status = 507
    title = "Not enough free disk space for this import"


class ImportBusy(Conflict):
    code = "import-busy"
    title = "An import into this list is already running"


class UnknownDisposition(DomainError):
    code = "unknown-disposition"
    status = 422
    title = "Unknown disposition code"

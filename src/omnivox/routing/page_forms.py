"""What the queue and number admin pages share: a refused form's reasons by field."""

from __future__ import annotations

from omnivox.core.errors import DomainError


def form_errors(exc: DomainError, labels: dict[str, str]) -> dict[str, str]:
    """Field -> reason. A problem on the whole form (a cross-field rule) is put on the
    first field its message names, else on "form"."""
    if not exc.problems:
        return {"form": exc.detail}
    errors: dict[str, str] = {}
    for problem in exc.problems:
        field = problem.field.split(".")[0]
        reason = problem.message.removeprefix("Value error, ")
        if field not in labels or field == "form":
            field = next((f for f in labels if f != "form" and f in reason), "form")
        errors.setdefault(field, reason)
    return errors

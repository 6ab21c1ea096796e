"""Request dependencies of the accounts routes (JSON and HTML)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from omnivox.accounts.references import ReferenceGuard


def reference_guard(request: Request) -> ReferenceGuard:
    """What later domains hold of skills and people (``create_app`` supplies it)."""
    guard: ReferenceGuard = request.app.state.reference_guard
    return guard


Guard = Annotated[ReferenceGuard, Depends(reference_guard)]

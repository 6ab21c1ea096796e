"""Form handling shared by the pages: parse into a schema, render with the caller."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError

from omnivox.core.errors import FieldProblem, InvalidInput
from omnivox.core.security.principal import Principal
from omnivox.http.deps import CSRF_FIELD
from omnivox.http.state import app_state

M = TypeVar("M", bound=BaseModel)


async def form_dict(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if key in lists else (values[-1] if values else "")
    return data


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate form data, turning pydantic errors into a field-naming 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(p) for p in e["loc"]) or "form", e["msg"])
            for e in exc.errors()
        ]
        raise InvalidInput(
            "; ".join(f"{p.field}: {p.message}" for p in problems), problems=problems
        ) from None


def render(
    request: Request, template: str, actor: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    templates = app_state(request).templates
    return templates.TemplateResponse(
        request, template, {"me": actor, **context}, status_code=status
    )

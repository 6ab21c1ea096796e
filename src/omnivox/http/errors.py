"""One place maps errors to responses: problem-details JSON, an HTMX error partial, or a page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from omnivox.core.db_loss import is_database_lost
from omnivox.core.errors import DomainError, NotAuthenticated, RateLimited
from omnivox.core.logging import get_logger, request_id_var
from omnivox.http.state import app_state

log = get_logger(__name__)
_NAMED_FIELD = re.compile(r"\(([a-z_][a-z0-9_]*)\)")


def wants_json(request: Request) -> bool:
    return answers_json(request.url.path)


def answers_json(path: str) -> bool:
    """Errors on this path are problem details (API, webhooks); elsewhere, pages."""
    return path.startswith(("/api/", "/hooks/", "/sandbox/")) or path in {
        "/openapi.json",
        "/readyz",
        "/healthz",
        "/metrics",
    }


def _problem(
    status: int, title: str, detail: str, code: str, errors: list[dict[str, str]] | None = None
) -> JSONResponse:
    body: dict[str, object] = {
        "type": f"https://omnivox.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": request_id_var.get(),
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _html_error(request: Request, status: int, title: str, detail: str) -> Response:
    templates = app_state(request).templates
    if request.headers.get("hx-request"):
        resp: Response = templates.TemplateResponse(
            request, "partials/error.html", {"title": title, "detail": detail}, status_code=status
        )
        resp.headers["HX-Retarget"] = "#flash"
        resp.headers["HX-Reswap"] = "innerHTML"
        # The whole partial, even from an element with hx-select (the campaign page's
        # lifecycle buttons select #campaign, which the error has not: it showed nothing).
        resp.headers["HX-Reselect"] = "[role=alert]"
        return resp
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "detail": detail, "status": status},
        status_code=status,
    )


def _login_redirect(request: Request) -> Response:
    target = "/login?next=" + quote(request.url.path)
    if request.headers.get("hx-request"):
        return HTMLResponse("", status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    log.info(
        "request refused",
        code=exc.code,
        status=exc.status,
        detail=exc.detail,
        path=request.url.path,
    )
    if isinstance(exc, NotAuthenticated) and not wants_json(request):
        return _login_redirect(request)
    if wants_json(request):
        errors = [{"field": p.field, "message": p.message} for p in exc.problems]
        resp: Response = _problem(exc.status, exc.title, exc.detail, exc.code, errors)
    else:
        resp = _html_error(request, exc.status, exc.title, exc.detail)
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def _field_of(loc: tuple[int | str, ...], message: str) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    if parts:
        return ".".join(parts)
    # Our checks across fields name the one to fix in brackets ("Maximum wait
    # (max_wait_seconds) must be set ..."): report that field, not the whole body.
    named = _NAMED_FIELD.search(message)
    return named.group(1) if named else "body"


def _message_of(error: Mapping[str, Any]) -> str:
    # pydantic prefixes a validator's ValueError with its type; the operator needs the words.
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for e in exc.errors():
        message = _message_of(e)
        field = _field_of(tuple(e.get("loc", ())), message)
        errors.append({"field": field, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    if wants_json(request):
        return _problem(422, "Invalid input", detail, "invalid-input", errors)
    return _html_error(request, 422, "Invalid input", detail)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    if wants_json(request) or exc.status_code == 405:
        return _problem(exc.status_code, detail, detail, f"http-{exc.status_code}")
    return _html_error(request, exc.status_code, detail, detail)


#: Seconds a client should wait before retrying after the database went away.
DATABASE_RETRY_AFTER = 2
#: Set on a 503 for a lost database so ``RetrySafeRequests`` may try a read again.
DATABASE_LOST_HEADER = "x-omnivox-database-lost"


async def database_error(request: Request, exc: Exception) -> Response:
    """A lost database connection is the service being briefly unavailable (503, retry),
    not a fault in the request (500)."""
    if not is_database_lost(exc):
        return await unexpected_error(request, exc)
    log.warning("database connection lost", path=request.url.path, error=type(exc).__name__)
    detail = "The database connection was lost; the request may not have been applied. Retry."
    if wants_json(request):
        response: Response = _problem(503, "Database unavailable", detail, "database-unavailable")
    else:
        response = _html_error(request, 503, "Database unavailable", detail)
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response.headers[DATABASE_LOST_HEADER] = "1"
    return response


async def unexpected_error(request: Request, exc: Exception) -> Response:
    if is_database_lost(exc):
        return await database_error(request, exc)
    log.exception("unhandled error", path=request.url.path)
    detail = "An unexpected error occurred; it has been logged with the request id."
    if wants_json(request):
        return _problem(500, "Internal error", detail, "internal-error")
    return _html_error(request, 500, "Internal error", detail)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(Exception, unexpected_error)

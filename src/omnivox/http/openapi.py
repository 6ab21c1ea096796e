"""The published API contract says what the routes really answer.

FastAPI documents a route's success and, for routes with inputs, a 422 as
``application/json``. Ours also answer problem details (``application/problem+json``,
``http/errors.py``) for 401/403 (any route that needs a caller), 404 (a path naming an
object), 409 (a change refused in the object's state), 413 and 507 (uploads), 422, and
503 (the database was lost, ``Retry-After``); pages answer HTML and ``/metrics``
Prometheus text. An integrator's client generated from ``/openapi.json`` must know them,
and the fuzz test checks responses against it (schemathesis conformance checks).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from omnivox.http.deps import declared_access, iter_api_routes
from omnivox.http.errors import answers_json

PROBLEM = "application/problem+json"
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each invalid field.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_WHY = {
    "401": "Not signed in, or the API token is invalid, expired or revoked.",
    "403": "The role (or the token's scope) lacks the route's permission.",
    "404": "An object the path or the body names is not in your organisation.",
    "409": "Refused in the object's current state (the detail says why).",
    "413": "The upload is over a configured size limit (the detail names it).",
    "422": "Invalid input; `errors` names each field.",
    "429": "Too many attempts; see Retry-After.",
    "503": "The database connection was lost; retry after Retry-After seconds.",
    "507": "Not enough free disk space to take the upload.",
}
_UNSAFE = {"post", "put", "patch", "delete"}


def _problem(status: str, path: str) -> dict[str, Any]:
    if not answers_json(path):  # a page answers its errors as a page
        return {
            "description": _WHY[status],
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    return {
        "description": _WHY[status],
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _errors_of(method: str, path: str, access: object, op: dict[str, Any]) -> list[str]:
    codes = ["422", "503"]
    if access != "public":
        codes += ["401", "403"]
    if "{" in path or "requestBody" in op:  # the path or the body names an object
        codes.append("404")
    if method in _UNSAFE:
        codes.append("409")
    body = op.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        codes += ["413", "507"]
    if path.startswith("/login"):
        codes.append("429")
    return codes


def document_errors(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that adds the error answers to every operation."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
        access = {(m.lower(), p): declared_access(ctx) for m, p, ctx in iter_api_routes(app)}
        for path, item in schema.get("paths", {}).items():
            for method, op in item.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                responses = op.setdefault("responses", {})
                for code in _errors_of(method, path, access.get((method, path)), op):
                    if code == "422" or code not in responses:
                        # FastAPI's own 422 is not what the handler sends; a code the route
                        # documents itself (e.g. /readyz's 503) is left as it says.
                        responses[code] = _problem(code, path)
                if path == "/metrics":
                    responses["200"] = {
                        "description": "Prometheus text exposition.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                    responses["401"] = _problem("401", path)  # when a metrics token is set
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]

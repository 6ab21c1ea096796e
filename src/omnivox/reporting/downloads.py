"""How the routes that offer files document them in OpenAPI: JSON, or a file whose
content type is the format's (``exports.EXPORT_FORMATS``)."""

from __future__ import annotations

from typing import Any

from omnivox.reporting.exports import media_type

_TEXT = {"schema": {"type": "string"}}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def download_responses(*formats: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of a route offering JSON and these file formats (OpenAPI)."""
    content: dict[str, object] = {"application/json": {}}
    for fmt in formats:
        content[media_type(fmt).split(";")[0]] = _TEXT if fmt == "csv" else _BINARY
    return {
        200: {
            "description": "JSON, or the file (Content-Disposition: attachment) for "
            + ", ".join(formats),
            "content": content,
        }
    }

"""Opaque secrets: API tokens and session ids are random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "ovx_"  # noqa: S105 - a prefix, not a secret


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """High-entropy secrets need no slow hash; SHA-256 keeps look-ups indexable."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())

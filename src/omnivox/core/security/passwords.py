"""Argon2id password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from omnivox.core.errors import InvalidInput

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Verifying against this keeps the timing of unknown-user logins like that of known users.
_TIMING_EQUALISER_HASH = _hasher.hash("omnivox-timing-equaliser")


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _TIMING_EQUALISER_HASH, password)
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.on(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.isdigit() or password.isalpha():
        raise InvalidInput.on(field, "must mix letters with digits or symbols")

"""The shared command-line kit: what every ``omnivox …`` command is built from. Errors
are one clear line and a non-zero exit, never a traceback.

It imports only ``omnivox.core``, so a domain's own commands (``campaigns.cli``) use it
without importing ``omnivox.cli``, which sits above every domain.
"""

from __future__ import annotations

import typer
from pydantic import ValidationError

from omnivox.core.config import ConfigurationError, Settings, get_settings


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def load_settings() -> Settings:
    """The settings, or a clean exit saying what is wrong with the configuration."""
    try:
        return get_settings()
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"configuration: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None

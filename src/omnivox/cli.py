"""`omnivox …` command line. Errors are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.console import fail
from omnivox.console import load_settings as _settings
from omnivox.core.config import Settings
from omnivox.core.db import (
    DatabaseNotMigrated,
    check_migrated,
    create_engine,
    create_session_factory,
    upgrade_database,
)
from omnivox.core.errors import DomainError
from omnivox.core.security.permissions import Role

T = TypeVar("T")

app = typer.Typer(
    help="Omnivox contact-center platform.", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
orgs_app = typer.Typer(help="Organisations.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (orgs_app, "orgs"),
    (users_app, "users"),
    (tokens_app, "tokens"),
    (demo_app, "demo"),
):
    app.add_typer(sub, name=name)
from omnivox.campaigns.cli import contacts_app  # noqa: E402 - after the core sub-apps
from omnivox.dialer.bench_cli import bench_app  # noqa: E402
from omnivox.reporting.cli import reports_app  # noqa: E402

app.add_typer(contacts_app, name="contacts")
app.add_typer(bench_app, name="bench")
app.add_typer(reports_app, name="reports")


def _run_with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def go() -> T:
        engine = create_engine(settings.database_url)
        try:
            await check_migrated(engine)
            async with create_session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except (DomainError, DatabaseNotMigrated) as exc:
        raise fail(getattr(exc, "detail", str(exc))) from None
    except OSError as exc:
        raise fail(f"cannot reach the database: {exc}") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve Omnivox (refuses to start against an unmigrated database)."""
    import uvicorn

    from omnivox.app import create_app

    settings = _settings()
    if not settings.public_base_url and not settings.is_production:
        # Development: this server is where the (sandbox) carrier reaches us.
        settings = settings.model_copy(update={"public_base_url": f"http://{host}:{port}"})
    _run_with_session(settings, _noop)
    typer.echo(f"Omnivox on http://{host}:{port}  (telephony: {settings.telephony})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", proxy_headers=True)


async def _noop(_session: AsyncSession) -> None:
    return None


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 1,
) -> None:
    """Run background jobs (report schedules) on PostgreSQL; start one on any node."""
    from omnivox.app import run_worker

    settings = _settings()
    if settings.is_sqlite:
        raise fail("`omnivox worker` needs PostgreSQL; on SQLite `omnivox serve` runs the jobs")
    _run_with_session(settings, _noop)
    typer.echo(f"Omnivox worker ({concurrency} at a time); stop with Ctrl-C")
    asyncio.run(run_worker(settings, concurrency))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations."""
    settings = _settings()
    try:
        upgrade_database(settings.database_url, revision)
    except Exception as exc:  # noqa: BLE001 - any migration failure is reported as one line
        raise fail(f"migration failed: {type(exc).__name__}: {exc}") from None
    typer.echo(f"database at {revision}")


@orgs_app.command("create")
def orgs_create(
    slug: str,
    name: Annotated[str | None, typer.Option()] = None,
    timezone: Annotated[str, typer.Option()] = "UTC",
) -> None:
    """Create an organisation (with default dispositions and business hours)."""
    from omnivox.accounts import organizations
    from omnivox.accounts.schemas import OrganizationCreate
    from omnivox.core.security.principal import Principal

    data = _validate(lambda: OrganizationCreate(slug=slug, name=name or slug, timezone=timezone))
    org = _run_with_session(
        _settings(), lambda s: organizations.create_organization(s, Principal.system(""), data)
    )
    typer.echo(f"created organisation {org.slug} ({org.id})")


def _validate(build: Callable[[], T]) -> T:
    try:
        return build()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(map(str, first["loc"])) or "value"
        raise fail(f"{field}: {first['msg']}") from None


@users_app.command("create")
def users_create(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    email: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option(case_sensitive=False)],
    password: Annotated[str | None, typer.Option(help="Generated and printed if omitted.")] = None,
    name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a user in an organisation."""
    from omnivox.accounts import organizations, users
    from omnivox.accounts.schemas import UserCreate
    from omnivox.core.security.principal import Principal
    from omnivox.seed import new_password

    secret = password or new_password()
    data = _validate(
        lambda: UserCreate(
            email=email, name=name or email.split("@")[0], role=role, password=secret
        )
    )

    async def work(session: AsyncSession) -> str:
        found = await organizations.find_organization_by_slug(session, org)
        if found is None:
            raise DomainError(f"no organisation with slug {org!r}")
        actor = Principal("", found.id, "system", "System", Role.PLATFORM_ADMIN, "system")
        return (await users.create_user(session, actor, data)).id

    user_id = _run_with_session(_settings(), work)
    typer.echo(f"created {data.email} ({role.value}) id={user_id}")
    if password is None:
        typer.echo(f"password: {secret}")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="E-mail of the user the token acts as.")],
    name: Annotated[str, typer.Option()] = "cli",
    days: Annotated[int, typer.Option(help="Days until it expires.")] = 90,
    scope: Annotated[
        str, typer.Option(help="read (read-only), or role (all the user's role may do).")
    ] = "role",
) -> None:
    """Create an API token for a user and print it once."""
    from omnivox.accounts import api_tokens, auth, users
    from omnivox.accounts.schemas import ApiTokenCreate

    data = _validate(lambda: ApiTokenCreate(name=name, expires_in_days=days, scope=scope))

    async def work(session: AsyncSession) -> str:
        found = await users.find_user_by_email(session, user)
        if found is None:
            raise DomainError(f"no user with e-mail {user!r}")
        _token, secret = await api_tokens.create_api_token(
            session, auth.principal_of(found, "system"), data, datetime.now(UTC)
        )
        return secret

    typer.echo(_run_with_session(_settings(), work))


@demo_app.command("seed")
def demo_seed() -> None:
    """Create the demo organisation and print its logins (once)."""
    from omnivox.seed import seed_demo

    logins = _run_with_session(_settings(), seed_demo)
    if logins is None:
        typer.echo(
            "demo organisation already exists (its passwords were printed when it was "
            "created; reset one with `omnivox users` or delete var/ to start afresh)"
        )
        return
    typer.echo("Demo organisation 'demo' created. Logins (shown once):")
    for login in logins:
        typer.echo(f"  {login.role.value:<15} {login.email:<32} {login.password}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("OMNIVOX_DEBUG"):
            raise
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {exc} "
            "(set OMNIVOX_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(1)

"""`omnivox contacts …`: import a CSV into a list with a progress bar and a summary."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from omnivox.campaigns import imports, lists
from omnivox.campaigns.import_limits import ImportLimits
from omnivox.campaigns.models import ContactImport
from omnivox.campaigns.schemas import ListCreate
from omnivox.console import fail, load_settings
from omnivox.core.clock import SystemClock
from omnivox.core.config import Settings
from omnivox.core.db import check_migrated, create_engine, create_session_factory
from omnivox.core.errors import DomainError
from omnivox.core.security.principal import Principal

contacts_app = typer.Typer(help="Contacts and CSV imports.", no_args_is_help=True)


async def _import(
    settings: Settings,
    file: Path,
    org: str,
    list_name: str,
    options: imports.ImportOptions,
) -> ContactImport:
    from omnivox.accounts import find_organization_by_slug

    engine = create_engine(settings.database_url)
    try:
        await check_migrated(engine)
        sessions, clock = create_session_factory(engine), SystemClock()
        async with sessions() as session:
            found = await find_organization_by_slug(session, org)
            if found is None:
                raise DomainError(f"no organisation with slug {org!r}")
            actor = Principal.system(found.id)
            limits = ImportLimits.of(settings, found)
            target = await lists.find_list_by_name(session, found.id, list_name)
            if target is None:
                target = await lists.create_list(session, actor, ListCreate(name=list_name))
            row = await imports.prepare_import(
                session, actor, target.id, file, file.name, options, clock.now()
            )
        with typer.progressbar(length=max(row.size_bytes, 1), label="importing") as bar:
            done = 0

            def advance(current: ContactImport) -> None:
                nonlocal done
                bar.update(max(0, current.bytes_read - done))
                done = max(done, current.bytes_read)

            return await imports.run_import(
                sessions, None, clock, row.id, on_progress=advance, limits=limits
            )
    finally:
        await engine.dispose()


@contacts_app.command("import")
def import_contacts(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    list_name: Annotated[str, typer.Option("--list", help="List name (created if missing).")],
    region: Annotated[str, typer.Option(help="Default region for national numbers.")] = "",
    map_: Annotated[
        str, typer.Option("--map", help="Column mapping, e.g. phone=Mobile,first_name=Given.")
    ] = "",
) -> None:
    """Import a CSV file into a contact list, streaming it (any size in bytes; at most
    OMNIVOX_MAX_IMPORT_ROWS rows, or the organisation's lower limit)."""
    try:
        options = imports.ImportOptions(
            region=imports.parse_region(region), mapping=imports.parse_mapping(map_)
        )
        row = asyncio.run(_import(load_settings(), file, org, list_name, options))
    except DomainError as exc:
        raise fail(exc.detail) from None
    typer.echo(
        f"{row.status}: {row.imported} imported, {row.duplicates} duplicate, "
        f"{row.rejected} rejected, {row.dnc} on do-not-call ({row.rows_total} rows)"
    )
    if row.status != "done":
        raise fail(row.error)
    if row.rejected or row.duplicates or row.dnc:
        typer.echo(f"rejected-row report: GET /api/v1/imports/{row.id}/rejections.csv")

"""``omnivox reports …``: run a report or a template, list the metrics, rebuild rollups.

Output goes to stdout (JSON: one object per row, metric names as in the catalogue; or
CSV with a header); every error is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import find_organization_by_slug, get_organization
from omnivox.console import fail, load_settings
from omnivox.core.config import Settings
from omnivox.core.db import check_migrated, create_engine, create_session_factory
from omnivox.core.errors import DomainError
from omnivox.core.security.principal import Principal
from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.csv_out import to_csv
from omnivox.reporting.query import ReportResult, local_bounds
from omnivox.reporting.service import ReportAsk, parse_filters, parse_list, report_for
from omnivox.reporting.upkeep import rebuild, sweep_uncounted

T = TypeVar("T")
reports_app = typer.Typer(help="Reports: metrics, templates, rollups.", no_args_is_help=True)
_FORMATS = ("json", "csv")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _run(settings: Settings, org: str, work: Callable[[AsyncSession, str], Awaitable[T]]) -> T:
    async def go() -> T:
        engine = create_engine(settings.database_url)
        try:
            await check_migrated(engine)
            async with create_session_factory(engine)() as session:
                found = await find_organization_by_slug(session, org)
                if found is None:
                    raise DomainError(f"no organisation with slug {org!r}")
                return await work(session, found.id)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except DomainError as exc:
        raise fail(exc.detail) from None


def _print(result: ReportResult, fmt: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(result.rows, indent=2, ensure_ascii=False))
        return
    typer.echo(to_csv(result), nl=False)


@reports_app.command("run")
def run(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    from_: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option(help="Last local date (included), YYYY-MM-DD.")],
    template: Annotated[str, typer.Option(help="A saved template's name.")] = "",
    metrics: Annotated[str, typer.Option(help="Metric names, comma-separated.")] = "",
    by: Annotated[str, typer.Option(help="Dimensions, comma-separated.")] = "",
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="key=value (agent, queue, ...).")
    ] = None,
    granularity: Annotated[str, typer.Option(help="15m, hour, day, week or month.")] = "",
    fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
) -> None:
    """Run a template or a custom report over local dates in the organisation's zone."""
    if fmt not in _FORMATS:
        raise fail(f"--format: {fmt!r} is not one of {', '.join(_FORMATS)}")
    start, end = _date(from_, "--from"), _date(to, "--to")
    settings = load_settings()

    async def work(session: AsyncSession, org_id: str) -> ReportResult:
        ask = ReportAsk(
            start=start,
            end=end,
            template=template,
            metrics=parse_list(metrics),
            by=parse_list(by),
            filters=parse_filters(filter_ or []),
            granularity=granularity or None,
        )
        # The command line is the organisation's own operator: it sees everything.
        return await report_for(session, Principal.system(org_id), ask, settings)

    _print(_run(settings, org, work), fmt)


@reports_app.command("metrics")
def list_metrics() -> None:
    """List the metric catalogue: name, unit and formula."""
    for m in METRICS.values():
        typer.echo(f"{m.name:<30} {m.unit.value:<15} {m.label}: {m.formula}")


@reports_app.command("rebuild")
def rebuild_rollups(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    from_: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option(help="Last local date (included), YYYY-MM-DD.")],
) -> None:
    """Recompute the rollups of a range of local dates from the raw call and agent
    records (after a lost event, a restore or a change of definitions)."""
    start, end = _date(from_, "--from"), _date(to, "--to")
    if end < start:
        raise fail(f"--to: the range ends ({end}) before it starts ({start})")
    settings = load_settings()

    async def work(session: AsyncSession, org_id: str) -> int:
        tz = ZoneInfo((await get_organization(session, org_id)).timezone)
        try:
            counted = await rebuild(session, org_id, *local_bounds(start, end, tz))
            await session.commit()
        except IntegrityError:
            raise DomainError("a call was counted live while rebuilding; run it again") from None
        return counted

    counted = _run(settings, org, work)
    typer.echo(f"rebuilt {start}..{end}: {counted} calls counted")


@reports_app.command("sweep")
def sweep(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    since: Annotated[
        str, typer.Option(help="Local date or ISO time; default OMNIVOX_REPORT_SWEEP_HOURS ago.")
    ] = "",
) -> None:
    """Count the calls that ended since then but were never counted (their end event was
    lost, e.g. in a crash); each is counted once however often this runs."""
    try:
        given = datetime.fromisoformat(since) if since else None
    except ValueError:
        raise fail(f"--since: {since!r} is not a date or an ISO time") from None
    settings = load_settings()

    async def work(session: AsyncSession, org_id: str) -> int:
        tz = ZoneInfo((await get_organization(session, org_id)).timezone)
        start = datetime.now(tz) - timedelta(hours=settings.report_sweep_hours)
        if given is not None:  # a date or a time without offset is the organisation's
            start = given if given.tzinfo else given.replace(tzinfo=tz)
        counted = await sweep_uncounted(session, org_id, start)
        await session.commit()
        return counted

    typer.echo(f"swept: {_run(settings, org, work)} uncounted calls counted")

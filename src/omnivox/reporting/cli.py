"""``omnivox reports …``: run a report or a template, export call records, contacts or
agent activity, list the metrics, rebuild rollups.

Output goes to stdout or ``--output FILE`` (JSON: one object per row, metric names as in
the catalogue; CSV with a header; XLSX or PDF only to a file or a pipe, never to a
terminal); progress of large exports is on stderr; every error is one line on stderr
and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
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
from omnivox.reporting.access import agent_scope
from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.cli_output import Sink, check_output
from omnivox.reporting.exports import astream_rows, export_bytes, stream_rows
from omnivox.reporting.listings import (
    ACTIVITY_COLUMNS,
    CONTACT_COLUMNS,
    KINDS,
    agent_activity,
    contacts,
    prepare,
)
from omnivox.reporting.query import ReportResult, local_bounds
from omnivox.reporting.records import COLUMNS, CallSearch, iter_records, select_calls
from omnivox.reporting.report_files import describe
from omnivox.reporting.service import ReportAsk, parse_filters, parse_list, report_for
from omnivox.reporting.upkeep import rebuild, sweep_uncounted

T = TypeVar("T")
reports_app = typer.Typer(help="Reports: metrics, templates, rollups.", no_args_is_help=True)
_FORMATS = ("json", "csv", "xlsx", "pdf")
_EXPORT_FORMATS = ("json", "csv", "xlsx")
# Call filters beyond the report's (``org_number``: the report's ``number`` filter).
_CALL_OPTIONS = ("direction", "number", "outcome", "org_number")


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


def _write(result: ReportResult, ask: ReportAsk, fmt: str, output: str, settings: Settings) -> None:
    sink = Sink(output)
    about = describe(ask)
    if fmt == "json":
        chunks: Iterable[bytes] = [
            json.dumps(result.rows, indent=2, ensure_ascii=False).encode() + b"\n"
        ]
        sink.rows = len(result.rows)
    elif fmt == "pdf":
        try:
            pdf = export_bytes(
                result,
                "pdf",
                about.title,
                details=about.details,
                pdf_max_rows=settings.report_pdf_max_rows,
            )
        except DomainError as exc:
            raise fail(exc.detail) from None
        chunks, sink.rows = [pdf], len(result.rows)
    else:
        chunks = stream_rows(result.columns, sink.counted(result.rows), fmt, about.title)
    with sink.open() as out:
        for chunk in chunks:
            out.write(chunk)
    sink.done()


@reports_app.command("run")
def run(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    from_: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option(help="Last local date (included), YYYY-MM-DD.")],
    template: Annotated[str, typer.Option(help="A saved template's name.")] = "",
    metrics: Annotated[str, typer.Option(help="Metric names, comma-separated.")] = "",
    by: Annotated[str, typer.Option(help="Dimensions, comma-separated.")] = "",
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="key=value (agent, team, queue, number, ...)."),
    ] = None,
    granularity: Annotated[str, typer.Option(help="15m, hour, day, week or month.")] = "",
    fmt: Annotated[str, typer.Option("--format", help="json, csv, xlsx or pdf.")] = "json",
    output: Annotated[str, typer.Option(help="Write to this file (xlsx and pdf need one).")] = "",
) -> None:
    """Run a template or a custom report over local dates in the organisation's zone."""
    check_output(fmt, _FORMATS, output)
    start, end = _date(from_, "--from"), _date(to, "--to")
    settings = load_settings()
    try:
        ask = ReportAsk(
            start=start,
            end=end,
            template=template,
            metrics=parse_list(metrics),
            by=parse_list(by),
            filters=parse_filters(filter_ or []),
            granularity=granularity or None,
        )
    except DomainError as exc:
        raise fail(exc.detail) from None

    async def work(session: AsyncSession, org_id: str) -> ReportResult:
        # The command line is the organisation's own operator: it sees everything.
        return await report_for(session, Principal.system(org_id), ask, settings)

    _write(_run(settings, org, work), ask, fmt, output, settings)


@reports_app.command("export")
def export(
    kind: Annotated[str, typer.Argument(help="calls, contacts or agent-activity.")],
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    from_: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")] = "",
    to: Annotated[str, typer.Option(help="Last local date (included), YYYY-MM-DD.")] = "",
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="key=value: calls by agent, team, queue, campaign, disposition, direction, "
            "number (part of either end), org_number (our number used), outcome; contacts by "
            "campaign; activity by agent.",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json.")] = "csv",
    output: Annotated[str, typer.Option(help="Write to this file (xlsx needs one).")] = "",
) -> None:
    """Export call records, campaign contacts or agent activity, streamed (a page of
    rows in memory at a time), with progress on stderr."""
    if kind not in KINDS:
        raise fail(f"{kind!r} is not one of {', '.join(KINDS)}")
    check_output(fmt, _EXPORT_FORMATS, output)
    if bool(from_) != bool(to):
        raise fail("--from and --to go together")
    dates = (_date(from_, "--from"), _date(to, "--to")) if from_ else None
    if dates is None and kind != "contacts":
        raise fail(f"{kind} need a range: --from and --to")
    try:
        filters = parse_filters(filter_ or [])
    except DomainError as exc:
        raise fail(exc.detail) from None
    settings = load_settings()
    sink = Sink(output)

    async def work(session: AsyncSession, org_id: str) -> None:
        scope = await agent_scope(session, Principal.system(org_id))
        if kind == "calls":
            assert dates is not None
            search = CallSearch(
                dates[0],
                dates[1],
                {k: v for k, v in filters.items() if k not in _CALL_OPTIONS}
                | ({"number": filters["org_number"]} if "org_number" in filters else {}),
                direction=filters.get("direction", ""),
                number=filters.get("number", ""),
                outcome=filters.get("outcome", ""),
            )
            sel = await select_calls(session, org_id, search, scope, settings.report_max_days)
            columns, rows, title = COLUMNS, iter_records(session, sel), "Call records"
        else:
            listing = await prepare(
                session, org_id, kind, dates, filters, scope, settings.report_max_days
            )
            if kind == "contacts":
                columns, rows, title = CONTACT_COLUMNS, contacts(session, listing), "Contacts"
            else:
                columns, rows = ACTIVITY_COLUMNS, agent_activity(session, listing)
                title = "Agent activity"
        with sink.open() as out:
            async for chunk in astream_rows(columns, sink.acounted(rows), fmt, title):
                out.write(chunk)

    _run(settings, org, work)
    sink.done()


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

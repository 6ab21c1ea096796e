"""Saved custom reports: what a person built in the builder, kept under a name, and shared
with roles. A saved report is run as whoever opens it (``report_for`` narrows the figures
to what that person may see), so sharing a definition never shares figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from omnivox.accounts import get_organization
from omnivox.core.config import Settings
from omnivox.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from omnivox.core.security.permissions import Permission, Role
from omnivox.core.security.principal import Principal
from omnivox.reporting.query import ReportResult
from omnivox.reporting.ranges import resolve_range
from omnivox.reporting.saved_models import Dashboard, SavedReport
from omnivox.reporting.service import ReportAsk, report_for

#: The roles a report or dashboard can be shared with, as people call them.
SHARE_WITH: list[tuple[str, str]] = [
    (Role.ORG_ADMIN.value, "administrators"),
    (Role.SUPERVISOR.value, "supervisors"),
    (Role.AGENT.value, "agents"),
    (Role.REPORTING.value, "report viewers"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Definition(BaseModel):
    """What the report asks; ``range`` is one of ``ranges.RANGES`` (``custom``: from/to)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    template: str = Field(default="", max_length=64)
    metrics: list[Word] = Field(default_factory=list, max_length=60)
    by: list[Word] = Field(default_factory=list, max_length=6)
    filters: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=10
    )
    granularity: str | None = Field(default=None, max_length=8)
    range: str = Field(default="last_7_days", max_length=20)
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")

    def ask(self, today: date, start: date | None = None, end: date | None = None) -> ReportAsk:
        """The request on ``today``; ``start``/``end`` override the saved range."""
        if start is None or end is None:
            start, end = resolve_range(self.range, today, self.start, self.end)
        return ReportAsk(
            start=start,
            end=end,
            template=self.template,
            metrics=tuple(self.metrics),
            by=tuple(self.by),
            filters=dict(self.filters),
            granularity=self.granularity or None,
        )

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SavedReportWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    definition: Definition
    shared_roles: list[Role] = Field(default_factory=list, max_length=len(Role))


def definition_of(report: SavedReport) -> Definition:
    return Definition.model_validate(report.definition)


def can_manage(actor: Principal, item: SavedReport | Dashboard) -> bool:
    """The owner, or an organisation's report admin, may change or delete it."""
    return bool(item.owner_id == actor.user_id or actor.can(Permission.REPORTS_ALL))


async def visible_reports(session: AsyncSession, actor: Principal) -> list[SavedReport]:
    """The reports ``actor`` saved or that were shared with their role, by name."""
    rows = await session.scalars(
        select(SavedReport).where(SavedReport.organization_id == actor.organization_id)
    )
    return sorted((r for r in rows if can_see(actor, r)), key=lambda r: (r.name.lower(), r.id))


def can_see(actor: Principal, item: SavedReport | Dashboard) -> bool:
    """Its owner, and the roles it is shared with, within its organisation."""
    return item.organization_id == actor.organization_id and (
        item.owner_id == actor.user_id or actor.role.value in (item.shared_roles or [])
    )


async def get_report(session: AsyncSession, actor: Principal, report_id: str) -> SavedReport:
    """A report ``actor`` may open; another tenant's or an unshared one is not found."""
    report = await session.get(SavedReport, report_id)
    if report is None or not can_see(actor, report):
        raise NotFound("no such saved report")
    return report


async def _check_runs(
    session: AsyncSession, actor: Principal, definition: Definition, today: date, settings: Settings
) -> None:
    """Save only what runs: the engine's own checks (metrics, dimensions, filters naming
    this organisation's queues and agents, the range) answer a bad definition with a 4xx."""
    await report_for(session, actor, definition.ask(today), settings)


async def check_name(
    session: AsyncSession,
    actor: Principal,
    kind: type[SavedReport] | type[Dashboard],
    owner_id: str,
    name: str,
    exclude: str | None,
) -> None:
    """One name per owner, whatever its case (the database key is exact: a race between
    two cases is caught there only when the letters match)."""
    clash = await session.scalar(
        select(kind.id).where(
            kind.organization_id == actor.organization_id,
            kind.owner_id == owner_id,
            func.lower(kind.name) == name.lower(),
            *([kind.id != exclude] if exclude else []),
        )
    )
    if clash is not None:
        what = "saved report" if kind is SavedReport else "dashboard"
        raise Conflict(f"a {what} named {name!r} exists already; pick another name")


async def commit_named(session: AsyncSession, what: str, name: str) -> None:
    """Commit a saved report or dashboard; a race another save won (the same name at the
    same moment, or a change made meanwhile) is a 409 in words, not a 500."""
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"a {what} named {name!r} exists already; pick another name") from None
    except StaleDataError:
        await session.rollback()
        raise Conflict(f"the {what} {name!r} was changed meanwhile; reload and try again") from None


async def create_report(
    session: AsyncSession,
    actor: Principal,
    data: SavedReportWrite,
    today: date,
    settings: Settings,
) -> SavedReport:
    if not actor.user_id:
        raise PermissionDenied("a saved report belongs to a person; sign in as one")
    count = await session.scalar(
        select(func.count()).where(
            SavedReport.organization_id == actor.organization_id,
            SavedReport.owner_id == actor.user_id,
        )
    )
    if (count or 0) >= settings.saved_reports_max_per_user:
        raise InvalidInput.on(
            "name",
            f"you have {count} saved reports, the most one person may keep "
            f"(OMNIVOX_SAVED_REPORTS_MAX_PER_USER = {settings.saved_reports_max_per_user})",
        )
    await check_name(session, actor, SavedReport, actor.user_id, data.name, None)
    await _check_runs(session, actor, data.definition, today, settings)
    report = SavedReport(
        organization_id=actor.organization_id,
        owner_id=actor.user_id,
        name=data.name,
        definition=data.definition.stored(),
        shared_roles=sorted({r.value for r in data.shared_roles}),
    )
    session.add(report)
    await commit_named(session, "saved report", data.name)
    return report


async def update_report(
    session: AsyncSession,
    actor: Principal,
    report_id: str,
    data: SavedReportWrite,
    today: date,
    settings: Settings,
) -> SavedReport:
    report = await get_report(session, actor, report_id)
    if not can_manage(actor, report):
        raise PermissionDenied("only its owner or a report admin may change a saved report")
    await check_name(session, actor, SavedReport, report.owner_id, data.name, report.id)
    await _check_runs(session, actor, data.definition, today, settings)
    report.name = data.name
    report.definition = data.definition.stored()
    report.shared_roles = sorted({r.value for r in data.shared_roles})
    await commit_named(session, "saved report", data.name)
    return report


async def delete_report(session: AsyncSession, actor: Principal, report_id: str) -> None:
    report = await get_report(session, actor, report_id)
    if not can_manage(actor, report):
        raise PermissionDenied("only its owner or a report admin may delete a saved report")
    await session.delete(report)
    await session.commit()


async def run_saved(
    session: AsyncSession,
    actor: Principal,
    report: SavedReport,
    today: date,
    settings: Settings,
    start: date | None = None,
    end: date | None = None,
) -> ReportResult:
    """Run a saved report as ``actor`` (their own scope of figures)."""
    return await report_for(session, actor, definition_of(report).ask(today, start, end), settings)


async def org_today(session: AsyncSession, org_id: str, now: datetime) -> date:
    """The organisation's local date at ``now`` (what "today" means in its reports)."""
    zone = ZoneInfo((await get_organization(session, org_id)).timezone)
    return now.astimezone(zone).date()

"""What the API, the page and the command line call: a template or a custom report for
a person, narrowed to the figures they may see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.core.errors import InvalidInput, PermissionDenied
from omnivox.core.security.principal import Principal
from omnivox.reporting.access import agent_scope
from omnivox.reporting.compliance import abandon_compliance
from omnivox.reporting.query import ReportResult, run_report
from omnivox.reporting.request import ReportRequest
from omnivox.reporting.sessions import login_logout
from omnivox.reporting.templates import COMPLIANCE, LOGIN_LOGOUT, get_template


@dataclass(frozen=True)
class ReportAsk:
    """A report as a person asks for it: a template name, or metrics and dimensions."""

    start: date
    end: date
    template: str = ""
    metrics: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    filters: Mapping[str, str] = field(default_factory=dict)
    granularity: str | None = None


def parse_list(value: str) -> tuple[str, ...]:
    """``"a, b"`` -> ``("a", "b")``."""
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parse_filters(values: list[str]) -> dict[str, str]:
    """``["queue=Sales"]`` -> ``{"queue": "Sales"}``."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidInput.on("filter", f"{item!r} is not key=value (e.g. queue=Sales)")
        out[key.strip()] = value.strip()
    return out


async def report_for(
    session: AsyncSession, actor: Principal, ask: ReportAsk, settings: Settings
) -> ReportResult:
    if bool(ask.template) == bool(ask.metrics):
        raise InvalidInput.on("metrics", "give either a template or metrics, not both or neither")
    if ask.template and ask.by:
        raise InvalidInput.on("by", "a template has its own dimensions")
    scope = await agent_scope(session, actor)
    org_id = actor.organization_id
    if ask.template == COMPLIANCE:
        if scope is not None:
            raise PermissionDenied("the compliance report covers whole campaigns (reports:all)")
        return await abandon_compliance(session, org_id, ask.start, ask.end, ask.filters, settings)
    if ask.template == LOGIN_LOGOUT:
        return await login_logout(session, org_id, ask.start, ask.end, ask.filters, settings, scope)
    if ask.template:
        template = get_template(ask.template)
        request = template.request(ask.start, ask.end, ask.filters, ask.granularity)
    else:
        request = ReportRequest(
            ask.metrics, ask.start, ask.end, ask.by, dict(ask.filters), ask.granularity
        )
    return await run_report(session, org_id, request, settings, scope)

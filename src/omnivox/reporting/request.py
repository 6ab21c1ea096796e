"""What a report asks for, and the checks that turn bad input into a clear 4xx: unknown
metric, dimension, granularity or filter; a range that is inverted or longer than
``OMNIVOX_REPORT_MAX_DAYS``; a metric that cannot be split or filtered the way asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from omnivox.core.errors import InvalidInput
from omnivox.reporting.catalogue import METRICS, Metric, Source

#: Dimensions that split by an entity (or code), and the rollup column each reads. A
#: team is folded from the agent's (each team the agent belongs to gets its figures), so
#: it reads the agent column; the number is kept by the 15-minute call rollup only.
CALL_DIMENSIONS: Mapping[str, str] = {
    "agent": "agent_id",
    "team": "agent_id",
    "queue": "queue_id",
    "campaign": "campaign_id",
    "disposition": "disposition",
    "number": "number",
}
STATE_DIMENSIONS: Mapping[str, str] = {
    "agent": "agent_id",
    "team": "agent_id",
    "break_reason": "reason",
}
#: Dimensions folded from the agent at query time rather than read from a column.
FOLDED: frozenset[str] = frozenset({"team"})
#: Time dimensions; each is also a granularity (``15m`` is the interval itself).
GRANULARITIES: tuple[str, ...] = ("15m", "hour", "day", "week", "month")
_TIME_ALIASES = {"interval": "15m", "15m": "15m", "hour": "hour", "day": "day"} | {
    "week": "week",
    "month": "month",
}
FILTERS: tuple[str, ...] = ("agent", "team", "queue", "campaign", "disposition", "number")
#: What narrows agent state time: its agents.
_AGENT_FILTERS = frozenset({"agent", "team"})


def _supports(source: Source) -> set[str]:
    if source is Source.CALLS:
        return set(CALL_DIMENSIONS)
    if source is Source.AGENT_STATES:
        return set(STATE_DIMENSIONS)
    return set(CALL_DIMENSIONS) & set(STATE_DIMENSIONS)


def _filters_for(source: Source) -> set[str]:
    return set(FILTERS) if source is Source.CALLS else set(_AGENT_FILTERS)


@dataclass(frozen=True)
class ReportRequest:
    """A report: metrics x dimensions x filters over local dates ``start``..``end``
    (both included) in the organisation's time zone."""

    metrics: tuple[str, ...]
    start: date
    end: date
    by: tuple[str, ...] = ()
    filters: Mapping[str, str] = field(default_factory=dict)
    granularity: str | None = None


@dataclass(frozen=True)
class Plan:
    """A checked request: the metrics, entity dimensions and the time granularity."""

    metrics: tuple[Metric, ...]
    dimensions: tuple[str, ...]
    granularity: str | None
    start: date
    end: date
    filters: Mapping[str, str]

    @property
    def sources(self) -> set[Source]:
        out: set[Source] = set()
        for m in self.metrics:
            out |= {Source.CALLS, Source.AGENT_STATES} if m.source is Source.BOTH else {m.source}
        return out


def check_request(request: ReportRequest, max_days: int) -> Plan:
    if not request.metrics:
        raise InvalidInput.on("metrics", "name at least one metric (see `omnivox reports metrics`)")
    unknown = [m for m in request.metrics if m not in METRICS]
    if unknown:
        raise InvalidInput.on("metrics", f"unknown metric {', '.join(map(repr, unknown))}")
    metrics = tuple(METRICS[m] for m in dict.fromkeys(request.metrics))
    granularity = _granularity(request)
    dims = tuple(d for d in dict.fromkeys(request.by) if d not in _TIME_ALIASES)
    for dim in dims:
        if dim not in set(CALL_DIMENSIONS) | set(STATE_DIMENSIONS):
            known = sorted(set(CALL_DIMENSIONS) | set(STATE_DIMENSIONS) | set(_TIME_ALIASES))
            raise InvalidInput.on("by", f"unknown dimension {dim!r}; known: {', '.join(known)}")
        for metric in metrics:
            if dim not in _supports(metric.source):
                raise InvalidInput.on("by", f"metric {metric.name!r} cannot be split by {dim!r}")
    for key in request.filters:
        if key not in FILTERS:
            raise InvalidInput.on("filter", f"unknown filter {key!r}; known: {', '.join(FILTERS)}")
        for metric in metrics:
            if key not in _filters_for(metric.source):
                raise InvalidInput.on(
                    "filter", f"metric {metric.name!r} cannot be filtered by {key!r}"
                )
    _check_range(request.start, request.end, max_days)
    return Plan(metrics, dims, granularity, request.start, request.end, dict(request.filters))


def _granularity(request: ReportRequest) -> str | None:
    if request.granularity is not None and request.granularity not in GRANULARITIES:
        raise InvalidInput.on(
            "granularity",
            f"unknown granularity {request.granularity!r}; known: {', '.join(GRANULARITIES)}",
        )
    chosen = {_TIME_ALIASES[d] for d in request.by if d in _TIME_ALIASES}
    if request.granularity is not None:
        chosen.add(request.granularity)
    if len(chosen) > 1:
        raise InvalidInput.on(
            "by", f"one time dimension at a time, not {', '.join(sorted(chosen))}"
        )
    return chosen.pop() if chosen else None


def _check_range(start: date, end: date, max_days: int) -> None:
    if end < start:
        raise InvalidInput.on("to", f"the range ends ({end}) before it starts ({start})")
    days = (end - start).days + 1
    if days > max_days:
        raise InvalidInput.on(
            "to",
            f"the range covers {days} days; a report covers at most {max_days} "
            "(OMNIVOX_REPORT_MAX_DAYS)",
        )

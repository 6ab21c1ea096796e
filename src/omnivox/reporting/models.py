"""Rollup tables: call counters per 15-minute interval x (organisation, queue, campaign,
agent, disposition, the organisation's number used), and coarser copies of the same
counters with fewer keys (queue x campaign per interval and per hour, agent per hour)
that long ranges read; agent state time, logins and logouts per interval and per hour x
agent x state x reason; and which calls have been counted (so a late or repeated event
never counts a call twice).

Dimension columns hold ``""`` rather than NULL for "none", so they can sit in a primary
key and an upsert can match them on both databases.

At realistic density the finest call rollup holds about one row per call (200 agents x
50 queues and campaigns x a few dispositions is more cells than calls in a quarter
hour); the coarser ones hold one row per queue or agent per interval or hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, utcnow
from omnivox.reporting.facts import MAX_COLUMNS, SUM_COLUMNS
from omnivox.reporting.intervals import HOUR, INTERVAL

_ORG_FK = "organizations.id"
# Whole-second counters are integers; durations are float seconds.
_FLOAT_COLUMNS = frozenset(
    {"answered_wait_seconds", "abandoned_wait_seconds", "talk_seconds", "hold_seconds"}
    | {"wrap_seconds"}
    | set(MAX_COLUMNS)
)


class CallInterval(Base):
    # The primary key leads with (organization_id, interval_start): a report's range scan.
    __tablename__ = "report_call_intervals"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    queue_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    disposition: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The organisation's number the call used (``sources.number_used``); only this, the
    # finest table, keeps it: a report split or filtered by number reads it.
    number: Mapped[str] = mapped_column(String(64), primary_key=True, default="")


class ReportNumber(Base):
    """Each number the organisation's counted calls used, kept as the finest rollup gets
    them: the builder lists them and a number filter resolves against them without
    reading every row of that rollup (seconds at 10 M calls)."""

    __tablename__ = "report_numbers"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[str] = mapped_column(String(64), primary_key=True)


class ReportDisposition(Base):
    """Each disposition code the organisation's counted calls hold, kept as the finest
    rollup gets them: a filter naming a code the catalogue no longer has (deleted after
    calls used it) resolves here, not by reading that rollup (seconds at 10 M calls)."""

    __tablename__ = "report_dispositions"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    disposition: Mapped[str] = mapped_column(String(40), primary_key=True)


class CallQueueInterval(Base):
    """The call counters per interval x queue x campaign (no agent, no disposition)."""

    __tablename__ = "report_call_queue_intervals"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    queue_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class CallQueueHour(Base):
    """The call counters per UTC hour x queue x campaign."""

    __tablename__ = "report_call_queue_hours"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    queue_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class CallAgentHour(Base):
    """The call counters per UTC hour x agent (no queue, campaign or disposition)."""

    __tablename__ = "report_call_agent_hours"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(32), primary_key=True)


# The counters, declared from the one list in ``facts`` so no table can drift from it.
for _table in (CallInterval, CallQueueInterval, CallQueueHour, CallAgentHour):
    for _name in SUM_COLUMNS + MAX_COLUMNS:
        _type = Float if _name in _FLOAT_COLUMNS else Integer
        if _name == "revenue_ten_thousandths":  # a million in ten-thousandths overflows 32 bits
            _type = BigInteger
        setattr(_table, _name, mapped_column(_name, _type, nullable=False, default=0))


@dataclass(frozen=True)
class CallRollup:
    """A call rollup: its table, time grain and the dimension columns it keeps (the
    others are summed over)."""

    table: type[Base]
    grain: timedelta
    keys: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.table.__tablename__)


#: Every call rollup, finest first; each ended call adds to one cell of each.
CALL_ROLLUPS: tuple[CallRollup, ...] = (
    CallRollup(
        CallInterval, INTERVAL, ("queue_id", "campaign_id", "agent_id", "disposition", "number")
    ),
    CallRollup(CallQueueInterval, INTERVAL, ("queue_id", "campaign_id")),
    CallRollup(CallQueueHour, HOUR, ("queue_id", "campaign_id")),
    CallRollup(CallAgentHour, HOUR, ("agent_id",)),
)


class AgentStateInterval(Base):
    """Seconds an agent spent in a state (with its break reason) within one interval, and
    the logins and logouts that happened in it; offline time is not kept."""

    __tablename__ = "report_agent_state_intervals"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float)
    # Logins (changes out of offline) counted in the cell of the state entered; logouts
    # in the agent's ``offline`` cell, which holds no seconds.
    logins: Mapped[int] = mapped_column(Integer, default=0)
    logouts: Mapped[int] = mapped_column(Integer, default=0)


class AgentStateHour(Base):
    """The same seconds per UTC hour (long ranges read these)."""

    __tablename__ = "report_agent_state_hours"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float)
    # Logins (changes out of offline) counted in the cell of the state entered; logouts
    # in the agent's ``offline`` cell, which holds no seconds.
    logins: Mapped[int] = mapped_column(Integer, default=0)
    logouts: Mapped[int] = mapped_column(Integer, default=0)


class CountedCall(Base):
    """A call already added to the call rollup, and the interval it went into."""

    __tablename__ = "report_counted_calls"
    __table_args__ = (
        Index("ix_report_counted_calls_org_interval", "organization_id", "interval_start"),
    )

    call_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey(_ORG_FK, ondelete="CASCADE"))
    interval_start: Mapped[datetime] = mapped_column()


class WallboardSettings(Base):
    """An organisation's wallboard thresholds: ``{figure: [warn, alert]}`` (the defaults
    in ``reporting.wallboard`` for what is not set)."""

    __tablename__ = "wallboard_settings"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True
    )
    thresholds: Mapped[dict[str, list[float]]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

"""Call tables: the call (persisted state-machine snapshot), its legs, history, recordings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_org_state", "organization_id", "state"),
        Index("ix_calls_state_created", "state", "created_at"),
        # Calls by when they ended: call records are read in pages keyed by (end, id),
        # and rollups are rebuilt from a range of endings.
        Index("ix_calls_org_ended", "organization_id", "ended_at", "id"),
        # Repeat contacts: the same caller's earlier calls (reporting.repeats).
        Index("ix_calls_org_from_ended", "organization_id", "from_number", "ended_at"),
        # A campaign's calls by answer time: the dialler's legal window (every tick, and
        # every wallboard tile) is a range of it, and the state and end reason it counts
        # are in the index, so the window is read from the index alone.
        Index(
            "ix_calls_org_owner_answered",
            "organization_id",
            "owner_kind",
            "owner_id",
            "answered_at",
            "state",
            "end_reason",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(16))
    owner_kind: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(24))
    provider: Mapped[str] = mapped_column(String(16))
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    from_number: Mapped[str] = mapped_column(String(64))
    to_number: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    conference_name: Mapped[str] = mapped_column(String(64), unique=True)
    conference_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    answered_by: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ringing_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    disposition_code: Mapped[str | None] = mapped_column(String(40), default=None)
    disposition_source: Mapped[str | None] = mapped_column(String(16), default=None)
    disposition_at: Mapped[datetime | None] = mapped_column(default=None)
    disposition_agent_id: Mapped[str | None] = mapped_column(String(32), default=None)
    disposition_notes: Mapped[str | None] = mapped_column(Text, default=None)
    flagged_for_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    # A sale's amount in the organisation's currency, exact (NUMERIC: no float rounding;
    # four decimals hold every currency's minor unit). Set with a sale disposition only.
    sale_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), default=None)
    # Closed by reconciliation with no end time from the provider: ended_at is the last
    # event Omnivox knew of (the real end is unknown; the downtime is left out).
    end_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    resume_to: Mapped[str | None] = mapped_column(String(24), default=None)
    last_sequence_number: Mapped[int | None] = mapped_column(Integer, default=None)
    last_provider_timestamp: Mapped[datetime | None] = mapped_column(default=None)
    wrap_up_deadline: Mapped[datetime | None] = mapped_column(default=None)
    # When the customer's leg entered the conference; an agent is connected only then.
    customer_joined_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic concurrency: webhooks about one call arrive concurrently (and on several
    # nodes); a write based on a stale read fails and is re-applied to the fresh state.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CallEventRow(Base):
    """Every event offered to a call, applied or not, with the raw provider payload."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(48))
    trigger: Mapped[str | None] = mapped_column(String(40), default=None)
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    applied: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(32), default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    sequence_number: Mapped[int | None] = mapped_column(Integer, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CallLeg(Base):
    """One party in the call's conference: customer, agent, supervisor, transfer target."""

    __tablename__ = "call_legs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(24))
    target: Mapped[str] = mapped_column(String(128))  # E.164 number or softphone identity
    user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="joining")
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    coaching: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime | None] = mapped_column(default=None)
    left_at: Mapped[datetime | None] = mapped_column(default=None)


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[str] = mapped_column(String(32))
    provider_sid: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    url: Mapped[str | None] = mapped_column(String(500), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AgentLine(Base):
    """An agent's line: the softphone leg their browser holds for the session
    (``telephony/lines.py``). While idle it waits in the agent's own conference; a call
    moves it into the call's conference and gives it back when the call ends, so the
    agent talks to the customer with no click and no ringing."""

    __tablename__ = "agent_lines"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # connecting | connected | dropped | off
    status: Mapped[str] = mapped_column(String(16), index=True)
    # Each dial of the line is a new generation; webhooks about an older one are stale.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    provider_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    # The call whose conference the line is in now (None: the agent's own conference).
    call_id: Mapped[str | None] = mapped_column(String(32), default=None)
    requested_at: Mapped[datetime | None] = mapped_column(default=None)
    connected_at: Mapped[datetime | None] = mapped_column(default=None)
    dropped_at: Mapped[datetime | None] = mapped_column(default=None)
    drop_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

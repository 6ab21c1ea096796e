"""Agent tables: current status per agent, the append-only state history, break reasons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class AgentStatus(Base):
    """The current state of one agent; one row per user, created on first use.

    ``version`` makes every write a conditional UPDATE (compare-and-set), so two app nodes
    changing the same agent at once cannot both win (e.g. both reserve her for a call).
    """

    __tablename__ = "agent_status"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(40), default=None)
    since: Mapped[datetime] = mapped_column()
    # Plain string, no foreign key: calls belong to the telephony domain.
    current_call_id: Mapped[str | None] = mapped_column(String(64), default=None)
    missed_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)


class AgentStateHistory(Base):
    """Append-only: one row per state change, the source of time-in-state reports."""

    __tablename__ = "agent_state_history"
    __table_args__ = (
        Index("ix_agent_state_history_org_at", "organization_id", "at"),
        Index("ix_agent_state_history_user_at", "user_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(40), default=None)
    call_id: Mapped[str | None] = mapped_column(String(64), default=None)
    at: Mapped[datetime] = mapped_column()
    by: Mapped[str] = mapped_column(String(16))  # self | supervisor | system
    actor_id: Mapped[str | None] = mapped_column(String(32), default=None)  # the supervisor
    # The status row's version after this change: orders rows of one agent even when two
    # share an instant (a late event is stamped with the current state's start).
    seq: Mapped[int] = mapped_column(Integer)


class BreakReason(Base):
    """The organisation's "not ready" reasons; ``is_system`` ones are set by the machine."""

    __tablename__ = "break_reasons"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

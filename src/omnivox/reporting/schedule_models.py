"""Report schedules and their delivery log.

A delivery is one slot of one schedule: ``(schedule_id, slot_at)`` is unique, so every
process that finds the slot due inserts the same row (``ON CONFLICT DO NOTHING``) and the
slot exists once; sending it is then claimed by a compare-and-set on its status, so one
process sends it at a time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class ReportSchedule(Base):
    __tablename__ = "report_schedules"
    __table_args__ = (Index("ix_report_schedules_organization_id", "organization_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    # The report, with the fields of ``reporting.service.ReportAsk`` less the dates.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    range: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(8))
    weekday: Mapped[int | None] = mapped_column(Integer)
    day_of_month: Mapped[int | None] = mapped_column(Integer)
    at_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local to ``timezone``
    timezone: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    emails: Mapped[list[str]] = mapped_column(JSON)
    webhook_url: Mapped[str] = mapped_column(String(2000), default="")
    # The HMAC key of the webhook's signature; shown once, when the schedule is created.
    webhook_secret: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Slots up to here have their delivery row; the next pass looks after it.
    planned_until: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportDelivery(Base):
    __tablename__ = "report_deliveries"
    __table_args__ = (
        UniqueConstraint("schedule_id", "slot_at", name="uq_report_deliveries_slot"),
        Index("ix_report_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("report_schedules.id", ondelete="CASCADE"))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    slot_at: Mapped[datetime] = mapped_column()
    manual: Mapped[bool] = mapped_column(Boolean, default=False)  # "run now"
    # pending (waiting for its next attempt) -> sending (claimed) -> sent | failed
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    lease_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Destinations already served ("email", "webhook"): a retry does not repeat them.
    done: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    range_start: Mapped[date] = mapped_column()  # the report's dates, from the slot
    range_end: Mapped[date] = mapped_column()
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

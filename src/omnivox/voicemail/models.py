"""Voicemail: a caller's recorded message, then who works it and when it is done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class Voicemail(Base):
    __tablename__ = "voicemails"
    __table_args__ = (Index("ix_voicemails_org_status", "organization_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # The queue the caller was for; None for the organisation's own box (e.g. closed hours
    # on a number without a queue). ``box`` names it for lists that outlive the queue.
    queue_id: Mapped[str | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), default=None, index=True
    )
    box: Mapped[str] = mapped_column(String(120), default="")
    call_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    caller_number: Mapped[str] = mapped_column(String(64))
    called_number: Mapped[str] = mapped_column(String(64))
    # The provider's recording: its SID keys idempotency (webhooks are retried).
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | assigned | done
    assigned_to: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(Text, default="")

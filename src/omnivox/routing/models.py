"""Inbound tables: numbers, queues, their members, and the calls waiting in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class InboundNumber(Base):
    __tablename__ = "inbound_numbers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20), unique=True)  # E.164, one owner
    friendly_name: Mapped[str] = mapped_column(String(120), default="")
    provider_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    target_kind: Mapped[str] = mapped_column(String(16))  # queue | agent | voicemail | flow
    target_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Queue(Base):
    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    strategy: Mapped[str] = mapped_column(String(16), default="longest_idle")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    service_level_seconds: Mapped[float] = mapped_column(Float, default=20.0)
    max_wait_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    overflow_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    overflow_target: Mapped[str | None] = mapped_column(String(64), default=None)
    offer_timeout_seconds: Mapped[int] = mapped_column(Integer, default=15)
    # How an offer reaches an agent: "accept" rings their softphone (accept or reject,
    # a ring-out is a missed offer); "auto" moves their connected line into the call.
    answer_mode: Mapped[str] = mapped_column(String(8), default="accept")
    required_skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    greeting: Mapped[str] = mapped_column(Text, default="Thank you for calling. Please hold.")
    # Position and estimated-wait announcements while waiting (None: music only).
    announce_every_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    # Callers may hang up and keep their place; the agent whose turn it is calls them back.
    callback_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # A callback the customer does not pick up is tried again this many more times, this
    # many minutes after the failed try (keeping its place in the line meanwhile).
    callback_retries: Mapped[int] = mapped_column(Integer, default=1)
    callback_retry_minutes: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueMember(Base):
    """An agent serving a queue; ``priority`` ranks queues for blended agents."""

    __tablename__ = "queue_members"

    queue_id: Mapped[str] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=0)


class QueueEntry(Base):
    """A call in a queue, from arrival to its outcome (the source of queue statistics)."""

    __tablename__ = "queue_entries"
    __table_args__ = (Index("ix_queue_entries_queue_status", "queue_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(String(32), index=True)
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(32), index=True)
    # waiting | offered | connected | abandoned | overflowed | callback_failed
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_to: Mapped[str | None] = mapped_column(String(32), default=None)
    offered_at: Mapped[datetime | None] = mapped_column(default=None)
    declined_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A callback-in-queue request: the number to call back, and the call that asked for it
    # (``call_id`` becomes the callback's own call once it is offered to an agent).
    callback_number: Mapped[str | None] = mapped_column(String(20), default=None)
    original_call_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # How many times the customer of a callback has been dialled, and, while a retry is
    # pending, the instant before which the entry is not offered (None: no such wait).
    callback_tries: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(default=None, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

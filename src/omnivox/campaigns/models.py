"""Outbound tables: campaigns (with lifecycle history), contact lists, contacts, attempts,
do-not-call entries, scheduled callbacks and CSV imports (with their rejected rows)."""

from __future__ import annotations

from datetime import datetime, time
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
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow

ORG_FK = "organizations.id"
# Until reviews measure it: a conservative share of machine verdicts that were people
# (above the 2 % the simulator's S4 error model gives, 5 % of people called machines).
DEFAULT_AMD_FALSE_POSITIVE_ESTIMATE = Decimal("0.05")


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    dial_mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    caller_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Local wall-clock window, applied in each CONTACT's own time zone.
    window_start: Mapped[time] = mapped_column(Time)
    window_end: Mapped[time] = mapped_column(Time)
    calling_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    # [{"code": "NO_ANSWER", "retry_after_minutes": 120, "max_retries": 5}, ...]
    retry_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Off: calls are placed without answering-machine detection, every answer is a person.
    amd_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    amd_action: Mapped[str] = mapped_column(String(16), default="hangup")
    # Share of AMD's machine verdicts that were people (docs/dialer.md, "AMD measurement"):
    # the UK rule counts those people as abandoned, so the pacer budgets for them.
    amd_false_positive_estimate: Mapped[Decimal] = mapped_column(
        Numeric(5, 4), default=DEFAULT_AMD_FALSE_POSITIVE_ESTIMATE
    )
    voicemail_audio: Mapped[str] = mapped_column(String(500), default="")
    safe_harbour_text: Mapped[str] = mapped_column(Text, default="")
    safe_harbour_audio: Mapped[str] = mapped_column(String(500), default="")
    abandon_rate_cap: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    abandon_window_hours: Mapped[int] = mapped_column(Integer)
    agent_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    team_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    script: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignStatusChange(Base):
    """Append-only lifecycle history: who moved the campaign, from what, to what, when."""

    __tablename__ = "campaign_status_history"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(32), default=None)
    actor_email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column()


class ContactList(Base):
    __tablename__ = "contact_lists"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignList(Base):
    __tablename__ = "campaign_lists"

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    list_id: Mapped[str] = mapped_column(
        ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("list_id", "phone"),
        # The dialler's selection: dialable contacts of a list by priority, then age.
        Index("ix_contacts_list_status_priority", "list_id", "status", "priority"),
        Index("ix_contacts_org_phone", "organization_id", "phone"),
        Index("ix_contacts_import", "import_id"),
        # Live preview holds (routing asks who holds one on every pass; most rows are NULL).
        Index("ix_contacts_reserved_until", "reserved_until"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"))
    list_id: Mapped[str] = mapped_column(ForeignKey("contact_lists.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # One IANA zone, or several separated by spaces when the number does not pin one down
    # (the calling window must then hold in every one of them).
    timezone: Mapped[str] = mapped_column(String(255))
    timezone_source: Mapped[str] = mapped_column(String(16))  # explicit|number|organization
    # staged (import in progress, invisible) | new | dialing | retry | callback | done |
    # exhausted | dnc
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    disposition_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_disposition: Mapped[str | None] = mapped_column(String(40), default=None)
    last_abandoned_at: Mapped[datetime | None] = mapped_column(default=None)
    import_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # Held for one agent's preview until ``reserved_until`` (migration 0009); an expired
    # hold is simply ignored, so the contact returns to the pool by itself.
    reserved_by: Mapped[str | None] = mapped_column(String(32), default=None)
    reserved_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactAttempt(Base):
    """One dial of a contact for a campaign; the dialler writes it, the outcome completes it.

    ``call_id`` is a plain string: calls belong to the telephony domain.
    """

    __tablename__ = "contact_attempts"
    __table_args__ = (
        Index("ix_contact_attempts_contact_at", "contact_id", "at"),
        # The recovery sweep's question: which attempts are still open?
        Index("ix_contact_attempts_completed_at", "completed_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"), index=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[str | None] = mapped_column(String(64), default=None)
    agent_id: Mapped[str | None] = mapped_column(String(32), default=None)
    at: Mapped[datetime] = mapped_column()
    disposition: Mapped[str | None] = mapped_column(String(40), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class DncEntry(Base):
    """A number not to call: organisation-wide (scope "org") or for one campaign."""

    __tablename__ = "dnc_entries"
    __table_args__ = (UniqueConstraint("organization_id", "scope", "phone"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(32))  # "org" or the campaign id
    campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), default=None
    )
    phone: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(16))  # manual | import | disposition | api
    note: Mapped[str] = mapped_column(String(500), default="")
    added_by: Mapped[str] = mapped_column(String(254))
    added_at: Mapped[datetime] = mapped_column()


class ScheduledCallback(Base):
    __tablename__ = "scheduled_callbacks"
    __table_args__ = (
        Index("ix_scheduled_callbacks_campaign_due", "campaign_id", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )  # None = campaign-wide
    due_at: Mapped[datetime] = mapped_column()
    timezone: Mapped[str] = mapped_column(String(64))  # the zone the time was entered in
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # |dialing|done|cancelled
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column()


class ContactImport(Base):
    __tablename__ = "contact_imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey(ORG_FK, ondelete="CASCADE"), index=True)
    list_id: Mapped[str] = mapped_column(
        ForeignKey("contact_lists.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    # pending | running | done | failed | interrupted (resume or discard) | discarded
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    dnc: Mapped[int] = mapped_column(Integer, default=0)
    # Problem rows beyond OMNIVOX_MAX_IMPORT_REJECTIONS: counted, their records not stored.
    rejections_not_kept: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ImportRejection(Base):
    """One refused row of an import: its line number in the file, why, and the raw cells."""

    __tablename__ = "contact_import_rejections"
    __table_args__ = (Index("ix_contact_import_rejections_import_line", "import_id", "line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(ForeignKey("contact_imports.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # rejected | duplicate | dnc
    reason: Mapped[str] = mapped_column(String(300))
    raw: Mapped[str] = mapped_column(Text, default="")

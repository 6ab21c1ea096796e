"""The dialler's tables: which app node runs each campaign's loop, until when; the reviews
of AMD's verdicts by agents and supervisors (how AMD's accuracy is measured); the settled
part of each campaign's legal window, counted ahead (``window_tally``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class DialerLease(Base):
    """One row per campaign that has ever had a loop. A node holds the campaign while
    ``expires_at`` is in the future and renews it every few seconds; a dead node's lease
    runs out and the next node to ask takes it over."""

    __tablename__ = "dialer_leases"

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    node_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()


# AMD review verdicts (``AmdReview.verdict``).
MACHINE_PASSED = "machine_passed"  # AMD said person (or nothing): it was a machine
PERSON_AFTER_MACHINE = "person_after_machine"  # AMD said machine: it was a person
MACHINE_CONFIRMED = "machine_confirmed"  # AMD said machine: it was one
VERDICTS = (MACHINE_PASSED, PERSON_AFTER_MACHINE, MACHINE_CONFIRMED)


class AmdReview(Base):
    """A person's verdict on AMD's verdict for one call: the call's agent or a supervisor.
    One per call (a second review replaces the first), so a call is never counted twice.

    ``verdict``: ``machine_passed`` (AMD passed a machine to an agent: a false negative),
    ``person_after_machine`` (AMD called a person a machine: a false positive),
    ``machine_confirmed`` (a machine verdict checked and right)."""

    __tablename__ = "amd_reviews"
    __table_args__ = (Index("ix_amd_reviews_org_campaign", "organization_id", "campaign_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(24))
    reviewer_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    answered_by: Mapped[str] = mapped_column(String(32))  # AMD's verdict, as reviewed
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class WindowTally(Base):
    """A campaign's answered calls of one 15-minute slot (by answer time), counted as the
    legal window counts them. Only slots inside the campaign's ``WindowMark`` are written,
    and only once every call answered in them has ended, so a row never changes."""

    __tablename__ = "dialer_window_tallies"

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    slot_start: Mapped[datetime] = mapped_column(primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    abandons: Mapped[int] = mapped_column(default=0)
    live_answers: Mapped[int] = mapped_column(default=0)
    machines: Mapped[int] = mapped_column(default=0)


class WindowMark(Base):
    """What a campaign's tallies hold: every call it answered in ``[since, until)``, each
    ended; answers from ``until`` on are counted from the calls themselves."""

    __tablename__ = "dialer_window_marks"

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    since: Mapped[datetime] = mapped_column()
    until: Mapped[datetime] = mapped_column()

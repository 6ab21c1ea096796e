"""The dialler's table: which app node runs each campaign's loop, until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base


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

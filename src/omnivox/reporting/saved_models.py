"""Saved custom reports and dashboards: a person's definitions, shared with roles.

A definition holds what a report asks (template or metrics x dimensions, filters,
granularity) and a named range; it is run as whoever opens it, so sharing a report never
shares figures the viewer may not see.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow

_ORG_FK = "organizations.id"
_USER_FK = "users.id"


class SavedReport(Base):
    __tablename__ = "saved_reports"
    __table_args__ = (UniqueConstraint("organization_id", "owner_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    shared_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Two people saving at once: the second write finds the version moved and is refused
    # (StaleDataError -> 409) rather than silently undoing the first.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Dashboard(Base):
    """Widgets in the order shown: ``{"kind": "table"|"chart"|"kpi", "report_id": ...,
    "metric": ..., "width": 1|2}``."""

    __tablename__ = "report_dashboards"
    __table_args__ = (UniqueConstraint("organization_id", "owner_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    widgets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    shared_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Two people saving at once: the second write finds the version moved and is refused
    # (StaleDataError -> 409) rather than silently undoing the first.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

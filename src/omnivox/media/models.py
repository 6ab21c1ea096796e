"""The audio library's tables: uploaded files and which file plays for each purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnivox.core.db import Base, new_id, utcnow


class AudioFile(Base):
    """One validated upload. ``stored_path`` is relative to the data directory, so the
    directory can move (OMNIVOX_DATA_DIR) without rewriting rows."""

    __tablename__ = "audio_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))  # an AudioKind value
    format: Mapped[str] = mapped_column(String(8))  # wav | mp3
    content_type: Mapped[str] = mapped_column(String(32))
    duration_seconds: Mapped[float] = mapped_column(Float)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    stored_path: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AudioSetting(Base):
    """The organisation's choice of file per purpose (hold music, greeting, ...).

    The foreign key refuses deleting a file that is in use even if a service check is
    bypassed; the service says what uses it first."""

    __tablename__ = "audio_settings"
    __table_args__ = (UniqueConstraint("organization_id", "kind"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    # NO ACTION (not RESTRICT): checked at the end of the statement, so deleting the
    # organisation cascades through both tables without tripping over it.
    file_id: Mapped[str] = mapped_column(ForeignKey("audio_files.id"), index=True)
    updated_by: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

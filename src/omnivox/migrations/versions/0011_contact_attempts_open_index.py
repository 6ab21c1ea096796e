"""contact_attempts: index completed_at for the recovery sweep

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contact_attempts_completed_at", "contact_attempts", ["completed_at"])


def downgrade() -> None:
    op.drop_index("ix_contact_attempts_completed_at", table_name="contact_attempts")

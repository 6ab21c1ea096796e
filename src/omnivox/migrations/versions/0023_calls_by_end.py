"""telephony: an index of calls by organisation and end, for call records' pages

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_calls_org_ended", "calls", ["organization_id", "ended_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_calls_org_ended", table_name="calls")

"""Calls by campaign and answer time, with the state and end reason the dialler's legal
window counts: the window (every dialler tick, every wallboard tile) is an index range.

Revision ID: 0027
Revises: 0026_report_number_and_logins
Create Date: 2026-12-06 13:24:06.760682
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["organization_id", "owner_kind", "owner_id", "answered_at", "state", "end_reason"]


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index("ix_calls_org_owner_answered", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_org_owner_answered")

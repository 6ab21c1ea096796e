"""routing: position announcements and callback-in-queue

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.add_column(sa.Column("announce_every_seconds", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("callback_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("queue_entries") as batch:
        batch.add_column(sa.Column("callback_number", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("original_call_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_entries") as batch:
        batch.drop_column("original_call_id")
        batch.drop_column("callback_number")
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("callback_enabled")
        batch.drop_column("announce_every_seconds")

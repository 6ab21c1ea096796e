"""routing: retries of unanswered callbacks

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.add_column(
            sa.Column("callback_retries", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column("callback_retry_minutes", sa.Integer(), nullable=False, server_default="5")
        )
    with op.batch_alter_table("queue_entries") as batch:
        batch.add_column(
            sa.Column("callback_tries", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("not_before", omnivox.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_index(batch.f("ix_queue_entries_not_before"), ["not_before"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("queue_entries") as batch:
        batch.drop_index(batch.f("ix_queue_entries_not_before"))
        batch.drop_column("not_before")
        batch.drop_column("callback_tries")
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("callback_retry_minutes")
        batch.drop_column("callback_retries")

"""telephony: the agent's line; routing: a queue's answer mode

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_lines",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("provider_sid", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=32), nullable=True),
        sa.Column("requested_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("connected_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dropped_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("drop_reason", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agent_lines_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agent_lines_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_lines")),
        sa.UniqueConstraint("user_id", name=op.f("uq_agent_lines_user_id")),
    )
    with op.batch_alter_table("agent_lines") as batch:
        batch.create_index(
            batch.f("ix_agent_lines_organization_id"), ["organization_id"], unique=False
        )
        batch.create_index(batch.f("ix_agent_lines_status"), ["status"], unique=False)
    with op.batch_alter_table("queues") as batch:
        batch.add_column(
            sa.Column("answer_mode", sa.String(length=8), nullable=False, server_default="accept")
        )


def downgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("answer_mode")
    with op.batch_alter_table("agent_lines") as batch:
        batch.drop_index(batch.f("ix_agent_lines_status"))
        batch.drop_index(batch.f("ix_agent_lines_organization_id"))
    op.drop_table("agent_lines")

"""campaigns: AMD on/off and its false-positive estimate; dialer: reviews of AMD verdicts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 07:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        # Existing campaigns keep detecting machines, as they did before the setting.
        batch.add_column(
            sa.Column("amd_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column(
                "amd_false_positive_estimate",
                sa.Numeric(precision=5, scale=4),
                nullable=False,
                server_default="0.05",
            )
        )
    op.create_table(
        "amd_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("reviewer_id", sa.String(length=32), nullable=True),
        sa.Column("answered_by", sa.String(length=32), nullable=False),
        sa.Column("reviewed_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_amd_reviews_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_amd_reviews_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_amd_reviews_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_amd_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amd_reviews")),
        sa.UniqueConstraint("call_id", name=op.f("uq_amd_reviews_call_id")),
    )
    with op.batch_alter_table("amd_reviews") as batch:
        batch.create_index(
            "ix_amd_reviews_org_campaign", ["organization_id", "campaign_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("amd_reviews") as batch:
        batch.drop_index("ix_amd_reviews_org_campaign")
    op.drop_table("amd_reviews")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("amd_false_positive_estimate")
        batch.drop_column("amd_enabled")

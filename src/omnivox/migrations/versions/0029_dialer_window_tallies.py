"""Dialer window tallies: the settled 15-minute slots of each live campaign's legal window,
counted ahead by a periodic job, and each campaign's mark of what they hold. Empty at
first: until the job has run, every window is counted from the calls, as before.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialer_window_marks",
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("since", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_dialer_window_marks_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dialer_window_marks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_dialer_window_marks")),
    )
    op.create_table(
        "dialer_window_tallies",
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("slot_start", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("abandons", sa.Integer(), nullable=False),
        sa.Column("live_answers", sa.Integer(), nullable=False),
        sa.Column("machines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_dialer_window_tallies_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dialer_window_tallies_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "slot_start", name=op.f("pk_dialer_window_tallies")),
    )


def downgrade() -> None:
    op.drop_table("dialer_window_tallies")
    op.drop_table("dialer_window_marks")

"""reporting: saved reports and dashboards

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 10:09:09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_dashboards",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("widgets", sa.JSON(), nullable=False),
        sa.Column("shared_roles", sa.JSON(), nullable=False),
        sa.Column("created_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_dashboards_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_report_dashboards_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_dashboards")),
        sa.UniqueConstraint(
            "organization_id", "owner_id", "name", name=op.f("uq_report_dashboards_organization_id")
        ),
    )
    with op.batch_alter_table("report_dashboards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_dashboards_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "saved_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("shared_roles", sa.JSON(), nullable=False),
        sa.Column("created_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_saved_reports_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_saved_reports_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_reports")),
        sa.UniqueConstraint(
            "organization_id", "owner_id", "name", name=op.f("uq_saved_reports_organization_id")
        ),
    )
    with op.batch_alter_table("saved_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_reports_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("saved_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_reports_organization_id"))

    op.drop_table("saved_reports")
    with op.batch_alter_table("report_dashboards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_dashboards_organization_id"))

    op.drop_table("report_dashboards")

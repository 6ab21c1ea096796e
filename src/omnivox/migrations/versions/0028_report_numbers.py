"""Report numbers: each number the organisation's counted calls used, so the builder and a
number filter need not read every row of the finest call rollup; filled from it once.

Revision ID: 0028
Revises: 0027_calls_by_campaign_and_answer_time
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_numbers",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_numbers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "number", name=op.f("pk_report_numbers")),
    )
    op.execute(
        "INSERT INTO report_numbers (organization_id, number) "
        "SELECT DISTINCT organization_id, number FROM report_call_intervals WHERE number <> ''"
    )


def downgrade() -> None:
    op.drop_table("report_numbers")

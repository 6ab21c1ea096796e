"""Report dispositions: each disposition code the organisation's counted calls hold, so a
filter naming a code the catalogue no longer has resolves without reading every row of
the finest call rollup; filled from it once.

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_dispositions",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("disposition", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_dispositions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "disposition", name=op.f("pk_report_dispositions")
        ),
    )
    op.execute(
        "INSERT INTO report_dispositions (organization_id, disposition) SELECT DISTINCT"
        " organization_id, disposition FROM report_call_intervals WHERE disposition <> ''"
    )


def downgrade() -> None:
    op.drop_table("report_dispositions")

"""metrics: organisation currency and repeat-contact window, right-party dispositions, a
sale's amount on the call, rollup counters for revenue, right-party and repeat contacts

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTERS = ("right_party_contacts", "repeat_contacts")


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="USD")
        )
        batch.add_column(
            sa.Column("repeat_contact_days", sa.Integer(), nullable=False, server_default="7")
        )
    with op.batch_alter_table("dispositions") as batch:
        batch.add_column(
            sa.Column("right_party", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Existing dispositions get their category's default, as new ones do.
    op.execute(
        "UPDATE dispositions SET right_party = TRUE "
        "WHERE category IN ('sale', 'contact', 'callback')"
    )
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("sale_amount", sa.Numeric(precision=18, scale=4), nullable=True))
        batch.create_index(
            "ix_calls_org_from_ended", ["organization_id", "from_number", "ended_at"]
        )
    # Counted calls keep zeros until `omnivox reports rebuild` recomputes their range.
    with op.batch_alter_table("report_call_intervals") as batch:
        batch.add_column(
            sa.Column(
                "revenue_ten_thousandths", sa.BigInteger(), nullable=False, server_default="0"
            )
        )
        for name in _COUNTERS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("report_call_intervals") as batch:
        for name in ("revenue_ten_thousandths", *_COUNTERS):
            batch.drop_column(name)
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_org_from_ended")
        batch.drop_column("sale_amount")
    with op.batch_alter_table("dispositions") as batch:
        batch.drop_column("right_party")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("repeat_contact_days")
        batch.drop_column("currency")

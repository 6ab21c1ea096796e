"""trust (issue 15): import limits (per organisation, capped rejected-row records); calls
whose end is estimated

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("import_max_bytes", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("import_max_rows", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("contact_imports") as batch:
        batch.add_column(
            sa.Column("rejections_not_kept", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("calls") as batch:
        batch.add_column(
            sa.Column("end_estimated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("import_max_rows")
        batch.drop_column("import_max_bytes")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("end_estimated")
    with op.batch_alter_table("contact_imports") as batch:
        batch.drop_column("rejections_not_kept")

"""accounts: API token scopes, origin of last use, revocation reason; an organisation's
maximum token lifetime, the roles that must sign in with a second factor, and whether
supervisors are bounded by their teams

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tokens made without an expiry (the API allowed "never") expire a year from now:
    # every token expires. Their scope stays NULL: the role, less tokens:manage.
    tokens = sa.table("api_tokens", sa.column("expires_at", omnivox.core.db.UTCDateTime()))
    op.execute(
        tokens.update()
        .where(tokens.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=365))
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("last_used_from", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("scopes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("created_by_token_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.String(length=320), nullable=True))
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("api_token_max_days", sa.Integer(), nullable=False, server_default="365")
        )
        batch.add_column(
            sa.Column("require_2fa_roles", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(
            sa.Column(
                "supervisor_scope",
                sa.String(length=16),
                nullable=False,
                server_default="organisation",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("supervisor_scope")
        batch.drop_column("require_2fa_roles")
        batch.drop_column("api_token_max_days")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_reason")
        batch.drop_column("created_by_token_id")
        batch.drop_column("scopes")
        batch.drop_column("last_used_from")

"""contacts: index the preview hold's expiry

Routing asks on every pass which agents hold an unexpired preview; most contacts hold none
(NULL), so a range scan on this index touches only the live holds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 02:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contacts_reserved_until", "contacts", ["reserved_until"])


def downgrade() -> None:
    op.drop_index("ix_contacts_reserved_until", table_name="contacts")

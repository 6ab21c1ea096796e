"""reporting: the organisation's number a call used as a key of the 15-minute call
rollup; logins and logouts in the agent state rollups

Revision ID: 0026
Revises: 0025_report_coarse_rollups
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALLS = "report_call_intervals"
_PK = "pk_report_call_intervals"
_KEYS = ["organization_id", "interval_start", "queue_id", "campaign_id", "agent_id", "disposition"]
_STATES = ("report_agent_state_intervals", "report_agent_state_hours")


def upgrade() -> None:
    # Counted calls keep "" (no number) until `omnivox reports rebuild` recomputes their
    # range; SQLite changes a primary key by copying the table (batch mode).
    with op.batch_alter_table(_CALLS, recreate="always") as batch:
        batch.add_column(
            sa.Column("number", sa.String(length=64), nullable=False, server_default="")
        )
        batch.drop_constraint(_PK, type_="primary")
        batch.create_primary_key(_PK, [*_KEYS, "number"])
    # Logins and logouts before the upgrade count once a rebuild recomputes their range.
    for table in _STATES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("logins", sa.Integer(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("logouts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in _STATES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("logouts")
            batch.drop_column("logins")
    # Cells that differ only by number are merged (sums add, maxima keep the larger).
    columns = [c["name"] for c in sa.inspect(op.get_bind()).get_columns(_CALLS)]
    counters = [c for c in columns if c not in (*_KEYS, "number")]
    folded = [f"max({c}) AS {c}" if c.endswith("_max") else f"sum({c}) AS {c}" for c in counters]
    keys, names = ", ".join(_KEYS), ", ".join(counters)
    op.execute(
        f"CREATE TABLE report_call_intervals_merged AS SELECT {keys}, {', '.join(folded)} "  # noqa: S608
        f"FROM {_CALLS} GROUP BY {keys}"
    )
    op.execute(f"DELETE FROM {_CALLS}")  # noqa: S608
    op.execute(
        f"INSERT INTO {_CALLS} ({keys}, {names}, number) "  # noqa: S608
        f"SELECT {keys}, {names}, '' FROM report_call_intervals_merged"
    )
    op.execute("DROP TABLE report_call_intervals_merged")
    with op.batch_alter_table(_CALLS, recreate="always") as batch:
        batch.drop_constraint(_PK, type_="primary")
        batch.create_primary_key(_PK, _KEYS)
        batch.drop_column("number")

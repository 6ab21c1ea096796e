"""reporting: coarser call rollups (queue x campaign per interval and per hour, agent per
hour) and agent state time per hour, for long ranges

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUCKETS = (10, 20, 30, 45, 60, 90, 120, 180)
# The call counters as of this revision (``reporting.facts``), in table order.
_INTEGERS = (
    "calls",
    "inbound_offered",
    "inbound_handled",
    "inbound_abandoned",
)
_WAITS = ("answered_wait_seconds", "abandoned_wait_seconds")
_BUCKETED = tuple(f"{p}_le_{b}" for p in ("answered", "abandoned") for b in _BUCKETS)
_REST = (
    ("handled", sa.Integer),
    ("talk_seconds", sa.Float),
    ("hold_seconds", sa.Float),
    ("wrap_seconds", sa.Float),
    ("holds", sa.Integer),
    ("transfers", sa.Integer),
    ("voicemails", sa.Integer),
    ("callbacks_requested", sa.Integer),
    ("callbacks_completed", sa.Integer),
    ("outbound_dials", sa.Integer),
    ("outbound_live_answers", sa.Integer),
    ("outbound_machines", sa.Integer),
    ("outbound_connects", sa.Integer),
    ("outbound_abandoned", sa.Integer),
    ("conversions", sa.Integer),
    ("answered_wait_max", sa.Float),
    ("abandoned_wait_max", sa.Float),
    # Added by 0024 (sales and contact metrics).
    ("revenue_ten_thousandths", sa.BigInteger),
    ("right_party_contacts", sa.Integer),
    ("repeat_contacts", sa.Integer),
)


def _counters() -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = [
        sa.Column(n, sa.Integer(), nullable=False) for n in _INTEGERS
    ]
    columns += [sa.Column(n, sa.Float(), nullable=False) for n in _WAITS]
    columns += [sa.Column(n, sa.Integer(), nullable=False) for n in _BUCKETED]
    columns += [sa.Column(n, kind(), nullable=False) for n, kind in _REST]
    return columns


def _rollup(
    name: str, keys: tuple[tuple[str, int], ...], counters: list[sa.Column[object]]
) -> None:
    op.create_table(
        name,
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("interval_start", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        *(sa.Column(k, sa.String(length=n), nullable=False) for k, n in keys),
        *counters,
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{name}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "interval_start", *(k for k, _ in keys), name=op.f(f"pk_{name}")
        ),
    )


def _fill(into: str, source: str, time: str, keys: str, values: tuple[str, str]) -> None:
    """Fold the existing rows of ``source`` into ``into`` (a database already counting).
    Every name here is this file's own constant, none comes from input."""
    columns, folded = values
    op.execute(
        f"INSERT INTO {into} (organization_id, interval_start, {keys}, {columns}) "  # noqa: S608
        f"SELECT organization_id, {time}, {keys}, {folded} FROM {source} "
        f"GROUP BY organization_id, {time}, {keys}"
    )


def upgrade() -> None:
    owner = (("queue_id", 32), ("campaign_id", 32))
    _rollup("report_call_queue_intervals", owner, _counters())
    _rollup("report_call_queue_hours", owner, _counters())
    _rollup("report_call_agent_hours", (("agent_id", 32),), _counters())
    _rollup(
        "report_agent_state_hours",
        (("agent_id", 32), ("state", 16), ("reason", 40)),
        [sa.Column("seconds", sa.Float(), nullable=False)],
    )
    # The UTC hour of an interval: SQLite holds "YYYY-MM-DD HH:MM:SS.ffffff".
    if op.get_bind().dialect.name == "postgresql":
        hour = "date_trunc('hour', interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:
        hour = "substr(interval_start, 1, 13) || ':00:00.000000'"
    names = [c.name for c in _counters()]
    sums = [f"sum({n})" if not n.endswith("_max") else f"max({n})" for n in names]
    counters = ", ".join(names), ", ".join(sums)
    calls = "report_call_intervals"
    _fill("report_call_queue_intervals", calls, "interval_start", "queue_id, campaign_id", counters)
    _fill("report_call_queue_hours", calls, hour, "queue_id, campaign_id", counters)
    _fill("report_call_agent_hours", calls, hour, "agent_id", counters)
    states = "report_agent_state_intervals"
    _fill(
        "report_agent_state_hours",
        states,
        hour,
        "agent_id, state, reason",
        ("seconds", "sum(seconds)"),
    )


def downgrade() -> None:
    for name in (
        "report_agent_state_hours",
        "report_call_agent_hours",
        "report_call_queue_hours",
        "report_call_queue_intervals",
    ):
        op.drop_table(name)

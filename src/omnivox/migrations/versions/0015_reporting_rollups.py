"""reporting: call and agent-state rollups per 15-minute interval, counted calls

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 07:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import omnivox.core.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_agent_state_intervals",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("interval_start", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_agent_state_intervals_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "interval_start",
            "agent_id",
            "state",
            "reason",
            name=op.f("pk_report_agent_state_intervals"),
        ),
    )

    op.create_table(
        "report_call_intervals",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("interval_start", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queue_id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("disposition", sa.String(length=40), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("inbound_offered", sa.Integer(), nullable=False),
        sa.Column("inbound_handled", sa.Integer(), nullable=False),
        sa.Column("inbound_abandoned", sa.Integer(), nullable=False),
        sa.Column("answered_wait_seconds", sa.Float(), nullable=False),
        sa.Column("abandoned_wait_seconds", sa.Float(), nullable=False),
        sa.Column("answered_le_10", sa.Integer(), nullable=False),
        sa.Column("answered_le_20", sa.Integer(), nullable=False),
        sa.Column("answered_le_30", sa.Integer(), nullable=False),
        sa.Column("answered_le_45", sa.Integer(), nullable=False),
        sa.Column("answered_le_60", sa.Integer(), nullable=False),
        sa.Column("answered_le_90", sa.Integer(), nullable=False),
        sa.Column("answered_le_120", sa.Integer(), nullable=False),
        sa.Column("answered_le_180", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_10", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_20", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_30", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_45", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_60", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_90", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_120", sa.Integer(), nullable=False),
        sa.Column("abandoned_le_180", sa.Integer(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("talk_seconds", sa.Float(), nullable=False),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("wrap_seconds", sa.Float(), nullable=False),
        sa.Column("holds", sa.Integer(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("voicemails", sa.Integer(), nullable=False),
        sa.Column("callbacks_requested", sa.Integer(), nullable=False),
        sa.Column("callbacks_completed", sa.Integer(), nullable=False),
        sa.Column("outbound_dials", sa.Integer(), nullable=False),
        sa.Column("outbound_live_answers", sa.Integer(), nullable=False),
        sa.Column("outbound_machines", sa.Integer(), nullable=False),
        sa.Column("outbound_connects", sa.Integer(), nullable=False),
        sa.Column("outbound_abandoned", sa.Integer(), nullable=False),
        sa.Column("conversions", sa.Integer(), nullable=False),
        sa.Column("answered_wait_max", sa.Float(), nullable=False),
        sa.Column("abandoned_wait_max", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_call_intervals_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "interval_start",
            "queue_id",
            "campaign_id",
            "agent_id",
            "disposition",
            name=op.f("pk_report_call_intervals"),
        ),
    )

    op.create_table(
        "report_counted_calls",
        sa.Column("call_id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("interval_start", omnivox.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_counted_calls_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_report_counted_calls")),
    )
    with op.batch_alter_table("report_counted_calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_counted_calls_org_interval",
            ["organization_id", "interval_start"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("report_counted_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_report_counted_calls_org_interval")

    op.drop_table("report_counted_calls")

    op.drop_table("report_call_intervals")

    op.drop_table("report_agent_state_intervals")

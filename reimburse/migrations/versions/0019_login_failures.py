"""Failed sign-ins in the database (shared by every API process); the unused admin_events table goes

Revision ID: 0019_login_failures
Revises: 0018_advances_preapproval
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0019_login_failures"
down_revision = "0018_advances_preapproval"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_last_failure"), "login_failures", ["last_failure"])
    # API-key changes have gone onto the audit chain since 0015; nothing wrote this table after
    op.drop_index(op.f("ix_admin_events_at"), table_name="admin_events")
    op.drop_table("admin_events")


def downgrade() -> None:
    op.create_table(
        "admin_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_events")),
    )
    op.create_index(op.f("ix_admin_events_at"), "admin_events", ["at"])
    op.drop_index(op.f("ix_login_failures_last_failure"), table_name="login_failures")
    op.drop_table("login_failures")

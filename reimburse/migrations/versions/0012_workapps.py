"""work apps: platform accounts and departments, personal messages and cards, seen callbacks

Revision ID: 0012_workapps
Revises: 0011_admin
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0012_workapps"
down_revision = "0011_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workapp_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("synced", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_workapp_accounts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workapp_accounts")),
        sa.UniqueConstraint(
            "platform", "platform_user_id", name=op.f("uq_workapp_accounts_platform_platform_user_id")
        ),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_workapp_accounts_platform_user_id")),
    )
    op.create_index(op.f("ix_workapp_accounts_user_id"), "workapp_accounts", ["user_id"])
    op.create_table(
        "workapp_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_department_id", sa.String(length=128), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_workapp_departments_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workapp_departments")),
        sa.UniqueConstraint(
            "platform",
            "platform_department_id",
            name=op.f("uq_workapp_departments_platform_platform_department_id"),
        ),
    )
    op.create_index(op.f("ix_workapp_departments_department_id"), "workapp_departments", ["department_id"])
    op.create_table(
        "workapp_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("platform_user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("task_key", sa.String(length=64), nullable=True),
        sa.Column("card_key", sa.String(length=64), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("ref", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("final", sa.String(length=255), nullable=True),
        sa.Column("final_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workapp_messages")),
        sa.UniqueConstraint("card_key", name=op.f("uq_workapp_messages_card_key")),
        sa.UniqueConstraint(
            "outbox_id",
            "platform",
            "user_id",
            "kind",
            name=op.f("uq_workapp_messages_outbox_id_platform_user_id_kind"),
        ),
    )
    for column in ("outbox_id", "user_id", "claim_id", "status", "final_status"):
        op.create_index(op.f(f"ix_workapp_messages_{column}"), "workapp_messages", [column])
    op.create_table(
        "workapp_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workapp_seen")),
        sa.UniqueConstraint("platform", "kind", "key", name=op.f("uq_workapp_seen_platform_kind_key")),
    )


def downgrade() -> None:
    op.drop_table("workapp_seen")
    op.drop_table("workapp_messages")
    op.drop_table("workapp_departments")
    op.drop_table("workapp_accounts")

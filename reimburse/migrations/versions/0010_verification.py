"""invoice checks with the tax bureau (发票查验)

Revision ID: 0010_verification
Revises: 0009_image_hash
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0010_verification"
down_revision = "0009_image_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_key", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("checks_day", sa.Date(), nullable=True),
        sa.Column("checks_today", sa.Integer(), nullable=False),
        sa.Column("next_check_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["claim_items.id"],
            name=op.f("fk_invoice_checks_item_id_claim_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_checks")),
        sa.UniqueConstraint("invoice_key", name=op.f("uq_invoice_checks_invoice_key")),
    )
    op.create_index(
        op.f("ix_invoice_checks_next_check_at"), "invoice_checks", ["next_check_at"], unique=False
    )
    op.create_index(op.f("ix_invoice_checks_state"), "invoice_checks", ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("invoice_checks")

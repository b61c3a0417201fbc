"""currencies and vouchers: each item keeps its amount as spent (currency, original amount, the
rate used, its date and source) beside the company-currency amount; foreign receipts and
passenger-ticket facts on items; the exchange-rate table; the GL mapping's versions; vouchers.

Items stored before this revision were in the company currency: their original amount is their
amount at rate 1 (source ``identity``).

Revision ID: 0016_currencies_vouchers
Revises: 0015_audit_controls
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0016_currencies_vouchers"
down_revision = "0015_audit_controls"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    with op.batch_alter_table("claim_items") as batch:
        batch.add_column(sa.Column("original_amount", MONEY, nullable=True))
        batch.add_column(sa.Column("fx_rate", sa.Numeric(18, 8), nullable=True))
        batch.add_column(sa.Column("fx_rate_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("fx_source", sa.String(64), nullable=True))
        batch.add_column(sa.Column("foreign_document", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("ticket", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE claim_items SET original_amount = amount, fx_rate = 1, fx_rate_date = expense_date, "
        "fx_source = 'identity' WHERE original_amount IS NULL"
    )
    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("base", sa.String(3), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(18, 8), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_fx_rates_currency", "fx_rates", ["currency"])
    op.create_index("ix_fx_rates_rate_date", "fx_rates", ["rate_date"])
    op.create_table(
        "gl_mapping_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gl_mapping_versions")),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.Column(
            "claim_id",
            sa.Integer(),
            sa.ForeignKey("claims.id", name="fk_vouchers_claim_id_claims"),
            nullable=False,
        ),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("voucher_date", sa.Date(), nullable=False),
        sa.Column("mapping_version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("claim_id", name="uq_vouchers_claim_id"),
        sa.UniqueConstraint("number", name="uq_vouchers_number"),
        sa.UniqueConstraint("period", "seq", name="uq_vouchers_period_seq"),
    )


def downgrade() -> None:
    op.drop_table("vouchers")
    op.drop_table("gl_mapping_versions")
    op.drop_index("ix_fx_rates_rate_date", table_name="fx_rates")
    op.drop_index("ix_fx_rates_currency", table_name="fx_rates")
    op.drop_table("fx_rates")
    with op.batch_alter_table("claim_items") as batch:
        for name in ("ticket", "foreign_document", "fx_source", "fx_rate_date", "fx_rate", "original_amount"):
            batch.drop_column(name)

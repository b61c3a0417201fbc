"""vouchers of advance movements: a cash repayment books its own voucher

``vouchers.movement_id`` (nullable, unique) names the advance movement a voucher books (a
repayment: bank debited, the advance receivable credited). Such a voucher names the advance's
request as its claim, beside the request's payout voucher, so the one-voucher-per-claim rule
becomes a partial unique index over the vouchers without a movement (SQLite and PostgreSQL both
know partial indexes; SQLite's ALTERs go through batch mode).

The downgrade refuses while vouchers of movements exist: the old schema cannot hold them, and
deleting vouchers that may already be in the books would renumber them on the next upgrade.

Revision ID: 0021_movement_vouchers
Revises: 0020_preapproval_link
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_movement_vouchers"
down_revision = "0020_preapproval_link"
branch_labels = None
depends_on = None

CLAIM_VOUCHER = sa.text("movement_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("vouchers") as batch:
        batch.add_column(sa.Column("movement_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_vouchers_movement_id_advance_movements", "advance_movements", ["movement_id"], ["id"]
        )
        batch.create_unique_constraint("uq_vouchers_movement_id", ["movement_id"])
        batch.drop_constraint("uq_vouchers_claim_id", type_="unique")
    op.create_index(
        "uq_vouchers_claim_voucher",
        "vouchers",
        ["claim_id"],
        unique=True,
        sqlite_where=CLAIM_VOUCHER,
        postgresql_where=CLAIM_VOUCHER,
    )


def downgrade() -> None:
    booked = op.get_bind().scalar(sa.text("SELECT COUNT(*) FROM vouchers WHERE movement_id IS NOT NULL"))
    if booked:
        raise RuntimeError(
            f"0021_movement_vouchers: {booked} voucher(s) of advance repayments exist and the older "
            "schema cannot hold them; they may already be in the books, so they are not deleted here"
        )
    op.drop_index("uq_vouchers_claim_voucher", table_name="vouchers")
    with op.batch_alter_table("vouchers") as batch:
        batch.create_unique_constraint("uq_vouchers_claim_id", ["claim_id"])
        batch.drop_constraint("uq_vouchers_movement_id", type_="unique")
        batch.drop_constraint("fk_vouchers_movement_id_advance_movements", type_="foreignkey")
        batch.drop_column("movement_id")

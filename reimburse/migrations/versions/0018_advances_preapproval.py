"""cash advances and their movements, pre-approvals, computed allowances, item attachments

Claims get a ``kind`` (expense | advance | pre_approval: requests run through the approval
flows like claims) and a link to their pre-approval; items a computed ``allowance`` and the
ids of their non-invoice ``attachments``. Paid advances and every offset or repayment against
them are new tables.

Revision ID: 0018_advances_preapproval
Revises: 0017_payroll_dimensions
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0018_advances_preapproval"
down_revision = "0017_payroll_dimensions"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # plain ADD COLUMNs, never a batch table copy: on SQLite re-creating ``claims`` would drop it
    # once, and its items, reservations and tasks (ON DELETE CASCADE) with it
    op.add_column("claims", sa.Column("kind", sa.String(16), nullable=False, server_default="expense"))
    op.add_column("claims", sa.Column("pre_approval_id", sa.Integer(), nullable=True))
    if not _sqlite():  # SQLite cannot add a constraint to a table in place; the service checks the link
        op.create_foreign_key(
            op.f("fk_claims_pre_approval_id_claims"), "claims", "claims", ["pre_approval_id"], ["id"]
        )
    op.create_index(op.f("ix_claims_kind"), "claims", ["kind"])
    op.create_index(op.f("ix_claims_pre_approval_id"), "claims", ["pre_approval_id"])
    op.add_column("claim_items", sa.Column("allowance", sa.JSON(), nullable=True))
    op.add_column("claim_items", sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "advances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("outstanding", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("paid_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("request_id"),
        sa.CheckConstraint("outstanding >= 0", name="outstanding_not_negative"),
    )
    op.create_index(op.f("ix_advances_person_id"), "advances", ["person_id"])
    op.create_table(
        "advance_movements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("advance_id", sa.Integer(), sa.ForeignKey("advances.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id"), nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("advance_id", "claim_id"),
    )
    op.create_index(op.f("ix_advance_movements_advance_id"), "advance_movements", ["advance_id"])
    op.create_index(op.f("ix_advance_movements_claim_id"), "advance_movements", ["claim_id"])


def downgrade() -> None:
    op.drop_table("advance_movements")
    op.drop_table("advances")
    op.drop_index(op.f("ix_claims_pre_approval_id"), "claims")
    op.drop_index(op.f("ix_claims_kind"), "claims")
    if not _sqlite():
        op.drop_constraint(op.f("fk_claims_pre_approval_id_claims"), "claims", type_="foreignkey")
    # SQLite (3.35+) drops a plain column in place: no table copy, nothing cascades away
    for table_name, name in (
        ("claim_items", "attachments"),
        ("claim_items", "allowance"),
        ("claims", "pre_approval_id"),
        ("claims", "kind"),
    ):
        if _sqlite():
            op.execute(f'ALTER TABLE "{table_name}" DROP COLUMN "{name}"')
        else:
            op.drop_column(table_name, name)

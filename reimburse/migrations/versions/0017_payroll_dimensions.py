"""payroll data per person (bank account sealed), who marked a claim paid, claim types, projects,
cost centres that can be deactivated, item splits across cost centres and projects

Revision ID: 0017_payroll_dimensions
Revises: 0016_currencies_vouchers
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_payroll_dimensions"
down_revision = "0016_currencies_vouchers"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, no batch: on SQLite a batch would copy ``users`` and ``claims`` into
# new tables, and dropping the old ones fails while other tables' rows refer to them.
_USER_COLUMNS = (
    ("employee_number", 32),
    ("payee_name", 128),
    ("bank_name", 128),
    ("bank_branch", 128),
    ("bank_account_sealed", 255),
    ("bank_account_tail", 4),
)


def upgrade() -> None:
    for name, length in _USER_COLUMNS:
        op.add_column("users", sa.Column(name, sa.String(length=length), nullable=True))
    op.create_index(op.f("ix_users_employee_number"), "users", ["employee_number"], unique=True)
    op.add_column("cost_centres", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    op.add_column("claims", sa.Column("paid_by", sa.String(length=128), nullable=True))
    op.add_column(
        "claims", sa.Column("claim_type", sa.String(length=32), nullable=False, server_default="expense")
    )
    op.add_column("claim_items", sa.Column("splits", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("claim_items", "splits")
    op.drop_column("claims", "claim_type")
    op.drop_column("claims", "paid_by")
    op.drop_table("projects")
    op.drop_column("cost_centres", "active")
    op.drop_index(op.f("ix_users_employee_number"), table_name="users")
    for name, _ in reversed(_USER_COLUMNS):
        op.drop_column("users", name)

"""payroll data per person (bank account sealed), who marked a claim paid, claim types, projects,
cost centres that can be deactivated, item splits across cost centres and projects

Revision ID: 0017_payroll_dimensions
Revises: 0015_audit_controls
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_payroll_dimensions"
down_revision = "0015_audit_controls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("employee_number", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("payee_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("bank_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("bank_branch", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("bank_account_sealed", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("bank_account_tail", sa.String(length=4), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_employee_number"), ["employee_number"])
    with op.batch_alter_table("cost_centres") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("paid_by", sa.String(length=128), nullable=True))
        batch.add_column(
            sa.Column("claim_type", sa.String(length=32), nullable=False, server_default="expense")
        )
    with op.batch_alter_table("claim_items") as batch:
        batch.add_column(sa.Column("splits", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim_items") as batch:
        batch.drop_column("splits")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("claim_type")
        batch.drop_column("paid_by")
    op.drop_table("projects")
    with op.batch_alter_table("cost_centres") as batch:
        batch.drop_column("active")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_employee_number"), type_="unique")
        for column in (
            "bank_account_tail",
            "bank_account_sealed",
            "bank_branch",
            "bank_name",
            "payee_name",
            "employee_number",
        ):
            batch.drop_column(column)

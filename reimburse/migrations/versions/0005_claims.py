"""claims: items, invoice registry, budgets, reservations, approval tasks, audit chain, timers, outbox

Revision ID: 0005_claims
Revises: 0004_documents
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0005_claims"
down_revision = "0004_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_kind"), "outbox", ["kind"], unique=False)
    op.create_index(op.f("ix_outbox_status"), "outbox", ["status"], unique=False)
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("committed", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("spent", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_budgets_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint(
            "department_id",
            "category",
            "period_start",
            name=op.f("uq_budgets_department_id_category_period_start"),
        ),
    )
    op.create_index(op.f("ix_budgets_department_id"), "budgets", ["department_id"], unique=False)
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("submitter_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("trip_start", sa.Date(), nullable=True),
        sa.Column("trip_end", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=True),
        sa.Column("flow_version", sa.Integer(), nullable=True),
        sa.Column("route", sa.JSON(), nullable=True),
        sa.Column("payout_reference", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("paid_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_claims_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["submitter_id"], ["users.id"], name=op.f("fk_claims_submitter_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_claims_number")),
    )
    op.create_index(op.f("ix_claims_department_id"), "claims", ["department_id"], unique=False)
    op.create_index(op.f("ix_claims_status"), "claims", ["status"], unique=False)
    op.create_index(op.f("ix_claims_submitter_id"), "claims", ["submitter_id"], unique=False)
    op.create_table(
        "approval_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("task_key", sa.String(length=64), nullable=False),
        sa.Column("step_name", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_approval_tasks_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_tasks")),
    )
    op.create_index(op.f("ix_approval_tasks_claim_id"), "approval_tasks", ["claim_id"], unique=False)
    op.create_index("ix_approval_tasks_user_open", "approval_tasks", ["user_id", "open"], unique=False)
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("state_before", sa.String(length=32), nullable=False),
        sa.Column("state_after", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_audit_entries_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("claim_id", "seq", name=op.f("uq_audit_entries_claim_id_seq")),
    )
    op.create_index(op.f("ix_audit_entries_claim_id"), "audit_entries", ["claim_id"], unique=False)
    op.create_table(
        "budget_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_budget_reservations_budget_id_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_budget_reservations_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_reservations")),
        sa.UniqueConstraint("claim_id", "budget_id", name=op.f("uq_budget_reservations_claim_id_budget_id")),
    )
    op.create_index(
        op.f("ix_budget_reservations_claim_id"), "budget_reservations", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expense_date", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("result_index", sa.Integer(), nullable=True),
        sa.Column("invoice", sa.JSON(), nullable=True),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("invoice_key", sa.String(length=64), nullable=True),
        sa.Column("no_invoice_kind", sa.String(length=32), nullable=True),
        sa.Column("no_invoice_reason", sa.String(length=500), nullable=True),
        sa.Column("attendees", sa.Integer(), nullable=True),
        sa.Column("nights", sa.Integer(), nullable=True),
        sa.Column("city_tier", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_items_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_claim_items_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_items")),
    )
    op.create_index(op.f("ix_claim_items_claim_id"), "claim_items", ["claim_id"], unique=False)
    op.create_index(op.f("ix_claim_items_document_id"), "claim_items", ["document_id"], unique=False)
    op.create_index(op.f("ix_claim_items_invoice_key"), "claim_items", ["invoice_key"], unique=False)
    op.create_table(
        "route_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("timer_key", sa.String(length=128), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_route_timers_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_timers")),
        sa.UniqueConstraint("claim_id", "timer_key", name=op.f("uq_route_timers_claim_id_timer_key")),
    )
    op.create_index(op.f("ix_route_timers_claim_id"), "route_timers", ["claim_id"], unique=False)
    op.create_index(op.f("ix_route_timers_due_at"), "route_timers", ["due_at"], unique=False)
    op.create_table(
        "invoice_registry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_key", sa.String(length=64), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_invoice_registry_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["claim_items.id"],
            name=op.f("fk_invoice_registry_item_id_claim_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_registry")),
        sa.UniqueConstraint("invoice_key", name=op.f("uq_invoice_registry_invoice_key")),
    )
    op.create_index(op.f("ix_invoice_registry_claim_id"), "invoice_registry", ["claim_id"], unique=False)


def downgrade() -> None:
    op.drop_table("invoice_registry")
    op.drop_table("route_timers")
    op.drop_table("claim_items")
    op.drop_table("budget_reservations")
    op.drop_table("audit_entries")
    op.drop_table("approval_tasks")
    op.drop_table("claims")
    op.drop_table("budgets")
    op.drop_table("outbox")

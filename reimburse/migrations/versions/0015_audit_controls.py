"""one audit chain per installation, signed checkpoints, admin-set controls

Every audit entry joins one chain (``chain_seq``, ``prev_hash``) and keeps a link to its
claim's entry before (``seq``, ``claim_prev_hash``); entries bind the claim's material content
(``material``); admin changes have no claim. Existing entries are re-chained in time order and
bound to their claim's content as it is now (the content they saw was not recorded). The
trail no longer cascades away with a claim.

Revision ID: 0015_audit_controls
Revises: 0014_api_key_lifecycle
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from reimburse.core.db import UTCDateTime

revision = "0015_audit_controls"
down_revision = "0014_api_key_lifecycle"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

# The formulas below are copies of reimburse.audit.chain as of this revision, so that this
# migration keeps doing what it did when the code moves on.


def _iso(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _sha(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer()),
    sa.column("chain_seq", sa.Integer()),
    sa.column("claim_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("subject", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("at", UTCDateTime()),
    sa.column("action", sa.String()),
    sa.column("comment", sa.Text()),
    sa.column("state_before", sa.String()),
    sa.column("state_after", sa.String()),
    sa.column("details", sa.JSON()),
    sa.column("material", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("claim_prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_claims = sa.table(
    "claims",
    sa.column("id", sa.Integer()),
    sa.column("submitter_id", sa.Integer()),
    sa.column("department_id", sa.Integer()),
    sa.column("currency", sa.String()),
    sa.column("total", sa.Numeric(14, 2)),
    sa.column("payout_reference", sa.String()),
)
_items = sa.table(
    "claim_items",
    sa.column("claim_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("category", sa.String()),
    sa.column("amount", sa.Numeric(14, 2)),
    sa.column("expense_date", sa.Date()),
    sa.column("invoice_key", sa.String()),
    sa.column("document_id", sa.Integer()),
    sa.column("no_invoice_kind", sa.String()),
)


def _materials(conn: sa.Connection) -> dict[int, str]:
    items: dict[int, list[dict[str, Any]]] = {}
    for i in conn.execute(sa.select(_items).order_by(_items.c.claim_id, _items.c.position)):
        items.setdefault(i.claim_id, []).append(
            {
                "position": i.position,
                "category": i.category,
                "amount": f"{Decimal(i.amount):.2f}",
                "expense_date": i.expense_date.isoformat(),
                "invoice_key": i.invoice_key,
                "document_id": i.document_id,
                "no_invoice_kind": i.no_invoice_kind,
            }
        )
    out = {}
    for c in conn.execute(sa.select(_claims)):
        out[c.id] = _sha(
            {
                "claim": c.id,
                "payee": c.submitter_id,
                "department": c.department_id,
                "currency": c.currency,
                "total": f"{Decimal(c.total):.2f}",
                "payout_reference": c.payout_reference,
                "items": items.get(c.id, []),
            }
        )
    return out


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint("fk_audit_entries_claim_id_claims", type_="foreignkey")
        batch.alter_column("claim_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("action", existing_type=sa.String(length=32), type_=sa.String(length=64))
        batch.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=128), nullable=False, server_default=""))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("material", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("claim_prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
    conn = op.get_bind()
    materials = _materials(conn)
    prev = GENESIS
    claim_prev: dict[int, str] = {}
    rows = conn.execute(sa.select(_entries).order_by(_entries.c.at, _entries.c.id)).all()
    for n, r in enumerate(rows, start=1):
        body = {
            "chain_seq": n,
            "claim_id": r.claim_id,
            "claim_seq": r.seq,
            "subject": f"claim:{r.claim_id}",
            "actor": r.actor,
            "at": _iso(r.at),
            "action": r.action,
            "comment": r.comment,
            "state_before": r.state_before,
            "state_after": r.state_after,
            "details": {},
            "material": materials.get(r.claim_id, ""),
            "prev_hash": prev,
            "claim_prev_hash": claim_prev.get(r.claim_id, GENESIS),
        }
        digest = _sha(body)
        conn.execute(
            _entries.update()
            .where(_entries.c.id == r.id)
            .values(
                chain_seq=n,
                subject=body["subject"],
                details={},
                material=body["material"],
                prev_hash=prev,
                claim_prev_hash=body["claim_prev_hash"],
                hash=digest,
            )
        )
        prev = claim_prev[r.claim_id] = digest
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("chain_seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("details", existing_type=sa.JSON(), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_entries_chain_seq"), ["chain_seq"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.Integer()),
            sa.column("hash", sa.String()),
        ),
        [{"id": 1, "seq": len(rows), "hash": prev}],
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    # a user deactivated before this revision kept tokens that reactivation would have revived
    op.execute(
        "UPDATE access_tokens SET revoked = true WHERE user_id IN (SELECT id FROM users WHERE active = false)"
    )
    op.create_table(
        "control_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_control_settings")),
    )


def downgrade() -> None:
    op.drop_table("control_settings")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_head")
    conn = op.get_bind()
    # the old schema has room for claim entries only; admin entries go, and the claim chains
    # are re-linked the old way (one chain per claim) so the old `audit verify` passes again
    conn.execute(_entries.delete().where(_entries.c.claim_id.is_(None)))
    conn.execute(_entries.delete().where(_entries.c.claim_id.not_in(sa.select(_claims.c.id))))
    last: dict[int, str] = {}
    for r in conn.execute(sa.select(_entries).order_by(_entries.c.claim_id, _entries.c.seq)).all():
        prev = last.get(r.claim_id, GENESIS)
        digest = _sha(
            {
                "claim_id": str(r.claim_id),
                "seq": r.seq,
                "actor": r.actor,
                "at": _iso(r.at),
                "action": r.action,
                "comment": r.comment,
                "state_before": r.state_before,
                "state_after": r.state_after,
                "prev_hash": prev,
            }
        )
        conn.execute(_entries.update().where(_entries.c.id == r.id).values(prev_hash=prev, hash=digest))
        last[r.claim_id] = digest
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("uq_audit_entries_chain_seq"), type_="unique")
        batch.drop_column("claim_prev_hash")
        batch.drop_column("material")
        batch.drop_column("details")
        batch.drop_column("subject")
        batch.drop_column("chain_seq")
        batch.alter_column("action", existing_type=sa.String(length=64), type_=sa.String(length=32))
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("claim_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_audit_entries_claim_id_claims"), "claims", ["claim_id"], ["id"], ondelete="CASCADE"
        )

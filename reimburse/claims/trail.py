"""The claims side of the audit check: every stored claim's status and material digest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reimburse.audit.service import material_of
from reimburse.claims.records import ClaimRecord


def materials(session: Session, claim_id: int | None = None) -> dict[int, tuple[str, str]]:
    """``{claim id: (status, material digest)}`` of every claim (or one)."""
    query = select(ClaimRecord).options(selectinload(ClaimRecord.items)).order_by(ClaimRecord.id)
    if claim_id is not None:
        query = query.where(ClaimRecord.id == claim_id)
    return {c.id: (c.status, material_of(c)) for c in session.scalars(query)}

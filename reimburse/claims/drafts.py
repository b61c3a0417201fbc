"""Unfinished work of a submitter: uploads that are in no claim yet (a reload, a closed tab or a
refused claim must not lose them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimItemRecord
from reimburse.core.principal import Principal
from reimburse.documents.records import DocumentRecord
from reimburse.documents.service import document_view


def unattached_documents(session: Session, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """The caller's own uploads that no claim (draft or other) uses, newest first."""
    used = select(ClaimItemRecord.document_id).where(ClaimItemRecord.document_id.is_not(None))
    docs = session.scalars(
        select(DocumentRecord)
        .where(DocumentRecord.owner_subject == principal.subject, DocumentRecord.id.not_in(used))
        .order_by(DocumentRecord.id.desc())
        .limit(min(max(limit, 1), 200))
    ).all()
    return [document_view(d, []) for d in docs]

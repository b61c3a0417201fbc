"""The extraction results an item's document yields, for the caller who uploaded it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.claims.service import ClaimInput, ExtractedInvoice
from reimburse.core.principal import Principal
from reimburse.documents.records import DocumentRecord, DocumentResultRecord


def extracted_for(
    session: Session, principal: Principal, data: ClaimInput
) -> dict[tuple[int, int], ExtractedInvoice]:
    """{(document id, result index): what was read} for the documents the claim refers to.

    Only the caller's own, finished documents count: a claim cannot rest on someone else's
    upload or on one still being read.
    """
    ids = {i.document_id for i in data.items if i.document_id is not None}
    if not ids:
        return {}
    owned = set(
        session.scalars(
            select(DocumentRecord.id).where(
                DocumentRecord.id.in_(ids),
                DocumentRecord.owner_subject == principal.subject,
                DocumentRecord.status == "done",
            )
        )
    )
    out: dict[tuple[int, int], ExtractedInvoice] = {}
    for r in session.scalars(select(DocumentResultRecord).where(DocumentResultRecord.document_id.in_(owned))):
        res = r.result
        if not res.get("is_invoice"):
            continue
        out[(r.document_id, r.position)] = ExtractedInvoice(
            fields=dict(res.get("fields") or {}),
            document_type=res.get("document_type"),
            needs_review=bool(res.get("needs_review")),
            review_reasons=tuple(res.get("review_reasons") or ()),
            line_items=tuple(res.get("line_items") or ()),
            field_sources={k: str(v) for k, v in (res.get("field_sources") or {}).items() if v},
            not_for_reimbursement=bool(res.get("not_for_reimbursement")),
        )
    return out

"""The JSON shape of a read result: the CLI's JSON Lines and the API share it."""

from __future__ import annotations

from typing import Any

from reimburse.ocr.domain import FIELD_NAMES, Extraction, LineItem


def extraction_to_json(source: str, ex: Extraction, *, pages: tuple[int, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": source,
        "is_invoice": ex.is_invoice,
        "document_type": ex.document_type.value,
        "fields": {name: ex.value(name) for name in FIELD_NAMES},
        "line_items": [_item(i) for i in ex.line_items],
        "remarks": ex.remarks,
        "agent_issued": ex.agent_issued,
        "not_for_reimbursement": ex.not_for_reimbursement,
        "extras": dict(ex.extras),
        "confidence": {n: round(f.confidence, 4) for n, f in ex.fields.items() if n in FIELD_NAMES},
        "field_sources": {n: f.source.value for n, f in ex.fields.items() if n in FIELD_NAMES},
        "needs_review": ex.needs_review,
        "review_reasons": [
            {"code": r.code, "message": r.message, "fields": list(r.fields), "params": dict(r.params)}
            for r in ex.review_reasons
        ],
    }
    if pages:
        out["pages"] = list(pages)
    return out


def error_to_json(source: str, code: str, message: str) -> dict[str, Any]:
    return {"source": source, "error": {"code": code, "message": message}}


def _item(item: LineItem) -> dict[str, str | None]:
    return {
        "name": item.name,
        "spec": item.spec,
        "unit": item.unit,
        "quantity": item.quantity,
        "unit_price": item.unit_price,
        "amount": item.amount,
        "tax_rate": item.tax_rate,
        "tax": item.tax,
    }

"""Creating and editing claims: drafts and returned claims are the submitter's to change.

Services take a session from their caller (the request or task owns it) and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reimburse.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from reimburse.core.principal import Principal
from reimburse.expenses.records import ClaimItemRecord, ClaimRecord
from reimburse.ocr.domain import FIELD_NAMES

CATEGORIES = frozenset({"travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"})
NO_INVOICE_KINDS = frozenset({"per_diem", "mileage"})
EDITABLE = frozenset({"draft", "returned"})
_CENT = Decimal("0.01")
_INVOICE_FIELDS = FIELD_NAMES


@dataclass(frozen=True, slots=True)
class ItemInput:
    category: str
    amount: Decimal
    expense_date: date
    description: str = ""
    document_id: int | None = None
    result_index: int | None = None
    fields: dict[str, str | None] | None = None  # the invoice fields as the submitter confirms them
    no_invoice_kind: str | None = None
    no_invoice_reason: str | None = None
    attendees: int | None = None
    nights: int | None = None
    city_tier: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimInput:
    purpose: str
    items: tuple[ItemInput, ...] = ()
    trip_start: date | None = None
    trip_end: date | None = None
    department_id: int | None = None
    cost_centre: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractedInvoice:
    """What the reader found for an item's document (fields + document type + flags)."""

    fields: dict[str, str | None]
    document_type: str | None = None
    needs_review: bool = False
    review_reasons: tuple[dict[str, Any], ...] = ()
    line_items: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    not_for_reimbursement: bool = False  # a copy printed 此联不作报销、扣税凭证使用


def create_claim(
    session: Session,
    actor: Principal,
    data: ClaimInput,
    extracted: dict[tuple[int, int], ExtractedInvoice] | None = None,
) -> ClaimRecord:
    if actor.user_id is None:
        raise Forbidden("only people submit claims")
    claim = ClaimRecord(
        submitter_id=actor.user_id,
        department_id=data.department_id or actor.department_id,
        cost_centre=data.cost_centre,
        purpose=_purpose(data.purpose),
        trip_start=data.trip_start,
        trip_end=data.trip_end,
        status="draft",
        findings=[],
    )
    claim.items = [_item(pos, item, extracted or {}) for pos, item in enumerate(data.items)]
    claim.total = sum((i.amount for i in claim.items), Decimal("0.00"))
    session.add(claim)
    session.flush()
    claim.number = f"BX{claim.created_at:%Y%m}{claim.id:06d}"
    session.flush()  # now, not at commit: the answer must carry the version the row ends at
    return claim


def update_claim(
    session: Session,
    actor: Principal,
    claim: ClaimRecord,
    data: ClaimInput,
    expected_version: int | None,
    extracted: dict[tuple[int, int], ExtractedInvoice] | None = None,
) -> ClaimRecord:
    if claim.submitter_id != actor.user_id:
        raise Forbidden("only the submitter edits a claim")
    if claim.status not in EDITABLE:
        raise Conflict(f"a {claim.status} claim cannot be edited", code="claim_not_editable")
    if expected_version is not None and expected_version != claim.version:
        raise Conflict("the claim changed since it was loaded; reload it", code="stale_version")
    claim.purpose = _purpose(data.purpose)
    claim.trip_start, claim.trip_end = data.trip_start, data.trip_end
    claim.cost_centre = data.cost_centre
    claim.items = [_item(pos, item, extracted or {}) for pos, item in enumerate(data.items)]
    claim.total = sum((i.amount for i in claim.items), Decimal("0.00"))
    session.flush()
    return claim


def load_claim(session: Session, claim_id: int) -> ClaimRecord:
    claim = session.get(ClaimRecord, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} not found")
    return claim


def key_of(fields: dict[str, Any]) -> str | None:
    from reimburse.expenses.assessment import key_of as key  # the rules own the key's definition

    return key(fields)


def _purpose(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("say what the expense was for (purpose)", code="purpose_required")
    return text[:500]


def _item(
    position: int, item: ItemInput, extracted: dict[tuple[int, int], ExtractedInvoice]
) -> ClaimItemRecord:
    if item.category not in CATEGORIES:
        raise InvalidInput(f"unknown category {item.category!r}", code="invalid_category")
    amount = item.amount.quantize(_CENT)
    if amount <= 0:
        raise InvalidInput("an item's amount must be positive", code="invalid_amount")
    invoice: dict[str, Any] | None = None
    corrections: list[dict[str, Any]] = []
    if item.document_id is not None:
        found = extracted.get((item.document_id, item.result_index or 0))
        if found is None:
            raise InvalidInput(
                f"document {item.document_id} has no readable invoice (yet)", code="document_not_ready"
            )
        invoice = {
            "fields": dict(found.fields),
            "document_type": found.document_type,
            "needs_review": found.needs_review,
            "review_reasons": list(found.review_reasons),
            "line_items": list(found.line_items),
            "not_for_reimbursement": found.not_for_reimbursement,
        }
        for name, new in (item.fields or {}).items():
            if name not in _INVOICE_FIELDS:
                raise InvalidInput(f"{name!r} is not an invoice field", code="invalid_field")
            old = found.fields.get(name)
            if new != old:
                corrections.append({"field": name, "old": old, "new": new})
                invoice["fields"][name] = new
    elif item.no_invoice_kind is None:
        raise InvalidInput(
            "an item rests on an invoice (document_id) or says why not (no_invoice_kind)",
            code="invoice_required",
        )
    elif item.no_invoice_kind not in NO_INVOICE_KINDS or not (item.no_invoice_reason or "").strip():
        raise InvalidInput(
            "items without invoice are per_diem or mileage, with a reason", code="invalid_no_invoice"
        )
    return ClaimItemRecord(
        position=position,
        category=item.category,
        amount=amount,
        expense_date=item.expense_date,
        description=item.description[:500],
        document_id=item.document_id,
        result_index=item.result_index,
        invoice=invoice,
        corrections=corrections,
        invoice_key=key_of(invoice["fields"]) if invoice else None,
        no_invoice_kind=item.no_invoice_kind,
        no_invoice_reason=item.no_invoice_reason,
        attendees=item.attendees,
        nights=item.nights,
        city_tier=item.city_tier,
    )

"""A claim's content as flat text values, to say what an edit changed and whether it was material.

Material is what approvals rest on: money, items, invoices, categories, dates, department and
cost centre. Free text (the purpose, an item's description) is not: a clarification asked for on
return does not send the claim back to the start of its route. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

# Keys (or, for items, key suffixes) that do not decide who must approve.
_FREE_TEXT = frozenset({"purpose", "description"})


class ItemContent(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def expense_date(self) -> date: ...
    @property
    def description(self) -> str: ...
    @property
    def document_id(self) -> int | None: ...
    @property
    def result_index(self) -> int | None: ...
    @property
    def invoice_key(self) -> str | None: ...
    @property
    def invoice(self) -> dict[str, Any] | None: ...
    @property
    def corrections(self) -> list[dict[str, Any]]: ...
    @property
    def no_invoice_kind(self) -> str | None: ...
    @property
    def attendees(self) -> int | None: ...
    @property
    def nights(self) -> int | None: ...
    @property
    def city_tier(self) -> int | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def original_amount(self) -> Decimal | None: ...
    @property
    def foreign_document(self) -> dict[str, Any] | None: ...
    @property
    def ticket(self) -> dict[str, Any] | None: ...
    @property
    def splits(self) -> list[dict[str, Any]] | None: ...


class ClaimContent(Protocol):
    @property
    def purpose(self) -> str: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def cost_centre(self) -> str | None: ...
    @property
    def trip_start(self) -> date | None: ...
    @property
    def trip_end(self) -> date | None: ...
    @property
    def claim_type(self) -> str: ...
    @property
    def items(self) -> Iterable[ItemContent]: ...


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def snapshot(claim: ClaimContent) -> dict[str, str | None]:
    """Every editable value of the claim as ``{"item 1 amount": "1200.00", ...}``."""
    out: dict[str, str | None] = {
        "purpose": claim.purpose,
        "total": _text(claim.total),
        "department": _text(claim.department_id),
        "cost_centre": claim.cost_centre,
        "trip_start": _text(claim.trip_start),
        "trip_end": _text(claim.trip_end),
    }
    if claim.claim_type != "expense":  # listed when not the default, so older snapshots still match
        out["claim_type"] = claim.claim_type
    items = list(claim.items)
    out["items"] = str(len(items))
    for n, item in enumerate(items, start=1):
        fields = (item.invoice or {}).get("fields") or {}
        values: dict[str, object] = {
            "category": item.category,
            "amount": item.amount,
            "expense_date": item.expense_date,
            "description": item.description,
            "document": None if item.document_id is None else f"{item.document_id}#{item.result_index or 0}",
            "invoice_key": item.invoice_key,
            "invoice_total": fields.get("total"),
            "corrections": "; ".join(f"{c.get('field')}={c.get('new')}" for c in item.corrections or ())
            or None,
            "no_invoice_kind": item.no_invoice_kind,
            "attendees": item.attendees,
            "nights": item.nights,
            "city_tier": item.city_tier,
        }
        if item.original_amount is not None and item.original_amount != item.amount:
            # spent in another currency: the amount as spent is material too (the converted
            # amount alone would not show a changed rate or currency)
            values["original"] = f"{item.original_amount:.2f} {item.currency}"
        if item.foreign_document:
            doc = item.foreign_document
            values["foreign_document"] = (
                f"{doc.get('kind')} {doc.get('issuer')} {doc.get('number') or ''} {doc.get('issue_date')}"
            )
        if item.ticket:
            values["ticket"] = ", ".join(f"{k}={v}" for k, v in sorted(item.ticket.items()))
        if item.splits:  # who bears the cost: listed when split, so older snapshots still match
            values["splits"] = "; ".join(f"{p['dimension']}:{p['code']}={p['amount']}" for p in item.splits)
        for key, value in values.items():
            out[f"item {n} {key}"] = _text(value)
    return out


def is_free_text(key: str) -> bool:
    return key.rsplit(" ", 1)[-1] in _FREE_TEXT


def material(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """The part of a snapshot that approvals rest on."""
    return {k: v for k, v in values.items() if not is_free_text(k)}


def changes(
    before: Mapping[str, str | None], after: Mapping[str, str | None]
) -> list[tuple[str, str | None, str | None]]:
    """``(key, old, new)`` for every value that differs, in a stable order."""
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def describe(diff: Iterable[tuple[str, str | None, str | None]]) -> str:
    """``"total: 1200.00 -> 56200.00; item 1 amount: ..."`` for the timeline."""
    return "; ".join(
        f"{k}: {'—' if old is None else old} -> {'—' if new is None else new}" for k, old, new in diff
    )

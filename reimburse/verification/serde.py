"""Verification answers to JSON-ready dicts and back, for the service to store and cache them
(Decimals as strings, dates ISO)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from reimburse.verification.domain import (
    AuthoritativeInvoice,
    VerificationAnswer,
    VerificationStatus,
)

_DATES = {"issue_date"}
_MONEY = {"amount_excl_tax", "tax", "total", "red_reversed_amount"}


def answer_to_json(answer: VerificationAnswer) -> dict[str, Any]:
    inv = answer.invoice
    return {
        "status": answer.status.value,
        "provider": answer.provider,
        "request_id": answer.request_id,
        "message": answer.message,
        "invoice": None
        if inv is None
        else {
            f.name: None if getattr(inv, f.name) is None else str(getattr(inv, f.name)) for f in fields(inv)
        },
    }


def answer_from_json(data: dict[str, Any]) -> VerificationAnswer:
    raw = data.get("invoice")
    invoice = None
    if raw is not None:
        values: dict[str, Any] = {}
        for f in fields(AuthoritativeInvoice):
            v = raw.get(f.name)
            if v is None:
                values[f.name] = None
            elif f.name in _DATES:
                values[f.name] = date.fromisoformat(v)
            elif f.name in _MONEY:
                values[f.name] = Decimal(v)
            else:
                values[f.name] = v
        invoice = AuthoritativeInvoice(**values)
    return VerificationAnswer(
        VerificationStatus(data["status"]),
        invoice,
        data.get("provider", ""),
        data.get("request_id"),
        data.get("message", ""),
    )

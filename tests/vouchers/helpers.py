"""Stored uploads for the voucher tests: a document read to the end with a given result, as the
reader would have left it (the reading itself is tested under tests/ocr and tests/documents)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reimburse.documents.records import DocumentRecord, DocumentResultRecord
from reimburse.identity.seed import COMPANY, COMPANY_TAX_ID
from reimburse.ocr.fapiao.uscc import uscc_check_digit
from tests.api_helpers import login

DAY = date.today() - timedelta(days=3)
SELLER = "91330100000000777"
SELLER_TAX_ID = SELLER + uscc_check_digit(SELLER)


def stored_document(engine: Engine, owner_id: int, name: str, result: dict[str, Any] | None) -> int:
    with Session(engine) as s:
        doc = DocumentRecord(
            owner_subject=f"user:{owner_id}",
            owner_user_id=owner_id,
            sha256=hashlib.sha256(name.encode()).hexdigest(),
            size=1000,
            kind="image",
            filename=name,
            status="done",
        )
        s.add(doc)
        s.flush()
        if result is not None:
            s.add(DocumentResultRecord(document_id=doc.id, position=0, result=result))
        s.commit()
        return doc.id


def fapiao(
    document_type: str, number: str, total: str, tax: str | None, line: str, code: str | None = None
) -> dict[str, Any]:
    amount = None if tax is None else f"{float(total) - float(tax):.2f}"
    return {
        "is_invoice": True,
        "document_type": document_type,
        "fields": {
            "invoice_code": code,
            "invoice_number": number,
            "issue_date": DAY.isoformat(),
            "amount_excl_tax": amount,
            "tax": tax,
            "total": total,
            "check_code": None,
            "buyer_name": COMPANY,
            "buyer_tax_id": COMPANY_TAX_ID,
            "seller_name": "示例服务有限公司",
            "seller_tax_id": SELLER_TAX_ID,
        },
        "line_items": [
            {
                "name": line,
                "spec": None,
                "unit": None,
                "quantity": None,
                "unit_price": None,
                "amount": amount,
                "tax_rate": None,
                "tax": tax,
            }
        ],
        "field_sources": {},
        "needs_review": False,
        "review_reasons": [],
        "not_for_reimbursement": False,
    }


def put_rate(client: TestClient, currency: str, rate: str, day: date = DAY, source: str = "pboc") -> None:
    admin = login(client, "admin")
    r = client.put(
        "/api/v1/admin/fx-rates",
        headers=admin,
        json={
            "rates": [{"currency": currency, "rate_date": day.isoformat(), "rate": rate, "source": source}]
        },
    )
    assert r.status_code == 200, r.text

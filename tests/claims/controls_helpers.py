"""Helpers for the controls tests (issue 13): synthetic e-invoices issued to the demo company,
uploads read through the real pipeline, the fake Tencent-style bureau, and what was emitted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.db import utcnow
from reimburse.core.outbox import OutboxRecord
from reimburse.core.settings import Settings
from reimburse.documents import runtime, service
from reimburse.identity.seed import COMPANY, COMPANY_TAX_ID
from reimburse.jobs import periodic
from reimburse.policy.defaults import china_calendar
from reimburse.synth.einvoice import BUYER_ID, SELLER_ID, Invoice, digital_xml
from reimburse.verification.tencent import TencentVerifier
from tests.api_helpers import login
from tests.verification.test_verification_tencent import SECRET_ID, SECRET_KEY, FakeProvider, Reply, ok


def _last_workday() -> date:
    calendar = china_calendar()
    day = date.today() - timedelta(days=1)  # the bureau has it from the day after issue
    while calendar.is_rest_day(day):  # meals on a rest day are a finding of their own
        day -= timedelta(days=1)
    return day


DAY = _last_workday().isoformat()


def einvoice(serial: int, total: str, amount: str, tax: str) -> Invoice:
    """A fully digital invoice issued to the demo company this week (its 20-digit number starts
    with the year of issue, as real ones do)."""
    number = f"{DAY[2:4]}31200000{serial:010d}"
    return Invoice(number=number, date=DAY, amount=amount, tax=tax, total=total, buyer=COMPANY)


def xml_file(inv: Invoice) -> bytes:
    # the synthetic files carry their own buyer id; this one is issued to the demo company
    return digital_xml(inv).replace(BUYER_ID.encode(), COMPANY_TAX_ID.encode())


def upload(
    client: TestClient, who: dict[str, str], engine: Engine, settings: Settings, name: str, data: bytes
) -> int:
    """Upload one file and read it now (the test plays the worker)."""
    mime = {"xml": "application/xml", "pdf": "application/pdf", "png": "image/png"}[name.rsplit(".", 1)[-1]]
    up = client.post("/api/v1/documents", headers=who, files=[("files", (name, data, mime))])
    assert up.status_code in (200, 201, 202), up.text
    doc_id = int(up.json()["documents"][0]["id"])
    service.process(engine, runtime.store_for(settings), runtime.reader, doc_id)
    return doc_id


def invoice_item(doc_id: int, amount: str, category: str = "meals", **extra: Any) -> dict[str, Any]:
    item = {"category": category, "amount": amount, "expense_date": DAY, "document_id": doc_id}
    if category == "meals":
        item["attendees"] = 10
    return {**item, **extra}


def bureau_has(inv: Invoice, **over: Any) -> Reply:
    """The bureau's answer for ``inv`` as issued (override fields to make it differ)."""
    fields = {
        "Number": inv.number,
        "Date": inv.date,
        "BuyerName": inv.buyer,
        "BuyerTaxCode": COMPANY_TAX_ID,
        "SellerName": inv.seller,
        "SellerTaxCode": SELLER_ID,
        "AmountWithoutTax": inv.amount,
        "TaxAmount": inv.tax,
        "AmountWithTax": inv.total,
    }
    return ok(**{**fields, **over})


def not_found() -> Reply:
    return Reply(200, {"Response": {"Error": {"Code": "FailedOperation.NoInvoice", "Message": "无此票"}}})


def check_now(engine: Engine, provider: FakeProvider) -> int:
    """Run the due tax-bureau checks against the local fake bureau."""
    verifier = TencentVerifier(SECRET_ID, SECRET_KEY, endpoint=provider.url, region="ap-shanghai", timeout=2)
    return periodic.check_invoices(engine, utcnow(), verifier)


def act(client: TestClient, who: dict[str, str], claim_id: int, action: str, **extra: Any) -> Any:
    return client.post(f"/api/v1/claims/{claim_id}/actions", headers=who, json={"action": action, **extra})


def claim(client: TestClient, who: dict[str, str], claim_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/claims/{claim_id}", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


def holders(client: TestClient, claim_id: int) -> list[str]:
    """Who has the claim in their inbox now."""
    out = []
    for user in ("teamlead", "saleshead", "finrev", "findir", "gm", "ceo"):
        items = client.get("/api/v1/inbox", headers=login(client, user)).json()["items"]
        if any(i["claim"]["id"] == claim_id for i in items):
            out.append(user)
    return out


def approve_through(client: TestClient, claim_id: int) -> list[str]:
    """Whoever holds the claim approves, until nobody does; returns who approved, in order."""
    done: list[str] = []
    for _ in range(10):
        now = holders(client, claim_id)
        if not now:
            return done
        r = act(client, login(client, now[0]), claim_id, "approve", comment="ok")
        assert r.status_code == 200, r.text
        done.append(now[0])
    raise AssertionError("the route does not end")


def payable_ids(client: TestClient, payroll: dict[str, str]) -> list[int]:
    return [int(p["claim_id"]) for p in client.get("/api/v1/payouts", headers=payroll).json()["items"]]


def webhook_topics(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(OutboxRecord.topic).where(OutboxRecord.kind == "webhook").order_by(OutboxRecord.id)
            )
        )

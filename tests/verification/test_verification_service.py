"""Invoice verification as a background queue: the "none" default, and the Tencent-style
adapter against a real local server speaking its protocol (voided, throttled, daily cap)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.documents import runtime, service
from reimburse.jobs import periodic
from reimburse.verification import service as verify_service
from reimburse.verification.records import InvoiceCheckRecord
from reimburse.verification.registry import make_verifier
from reimburse.verification.tencent import TencentVerifier
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import TODAY_ISH, invoice_png
from tests.verification.test_verification_tencent import (
    SECRET_ID,
    SECRET_KEY,
    FakeProvider,
    Reply,
    ok,
    provider,
)

__all__ = ["provider"]  # the local provider server fixture


def _submitted_claim(
    client: Any, engine: Engine, settings: Settings, number: str
) -> tuple[dict[str, str], int]:
    alice = login(client, "alice")
    up = client.post(
        "/api/v1/documents", headers=alice, files=[("files", ("f.png", invoice_png(number), "image/png"))]
    )
    doc_id = up.json()["documents"][0]["id"]
    service.process(engine, runtime.store_for(settings), runtime.reader, doc_id)
    item = {"category": "office", "amount": "1272.00", "expense_date": TODAY_ISH, "document_id": doc_id}
    claim = client.post("/api/v1/claims", headers=alice, json={"purpose": "办公", "items": [item]}).json()
    assert client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice).status_code == 200
    return alice, claim["id"]


def _check_codes(client: Any, who: dict[str, str], claim_id: int) -> set[str]:
    return {
        f["code"] for f in client.post(f"/api/v1/claims/{claim_id}/check", headers=who).json()["findings"]
    }


def test_without_a_provider_invoices_are_unverified(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, claim_id = _submitted_claim(client, migrated_engine, settings, "70000001")
        assert _check_codes(client, alice, claim_id) >= {"verification_pending"}
        periodic.check_invoices(migrated_engine, utcnow(), make_verifier("none"))
        (row,) = client.get(f"/api/v1/claims/{claim_id}/verification", headers=alice).json()["items"]
        assert (row["state"], row["status"]) == ("done", "unverified")
        assert "invoice_unverified" in _check_codes(client, alice, claim_id)


def _tencent(p: FakeProvider) -> TencentVerifier:
    return TencentVerifier(SECRET_ID, SECRET_KEY, endpoint=p.url, region="ap-shanghai", timeout=2)


def test_a_voided_invoice_becomes_a_blocking_finding(
    migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, claim_id = _submitted_claim(client, migrated_engine, settings, "70000002")
        provider.replies.append(
            ok(Number="70000002", Code="031002300111", IsAbandoned="1", AmountWithoutTax="1200.00")
        )
        assert periodic.check_invoices(migrated_engine, utcnow(), _tencent(provider)) == 1
        assert provider.seen and provider.seen[0][1]["InvoiceNo"] == "70000002"
        (row,) = client.get(f"/api/v1/claims/{claim_id}/verification", headers=alice).json()["items"]
        assert row["status"] == "voided"
        assert "invoice_voided" in _check_codes(client, alice, claim_id)
        stored = client.get(f"/api/v1/claims/{claim_id}", headers=alice).json()
        assert stored["status"] == "submitted"  # reported onto the running claim, for finance
        assert stored["risk"]["decision"] == "block"
        assert "invoice_voided" in {f["code"] for f in stored["risk"]["findings"]}


def test_throttling_backs_off_and_the_daily_cap_waits_for_tomorrow(
    migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, claim_id = _submitted_claim(client, migrated_engine, settings, "70000003")
        limited = {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow"}}}
        provider.replies.append(Reply(429, limited, {"Retry-After": "30"}))
        now = utcnow()
        periodic.check_invoices(migrated_engine, now, _tencent(provider))
        with Session(migrated_engine) as s:
            row = s.scalars(select(InvoiceCheckRecord)).one()
            assert row.state == "pending" and row.next_check_at is not None
            assert row.next_check_at >= now + timedelta(seconds=30)  # not sooner than Retry-After
            s.execute(update(InvoiceCheckRecord).values(checks_today=verify_service.DAILY_CAP))
            s.commit()
        later = now + timedelta(minutes=5)
        sent = periodic.check_invoices(migrated_engine, later, _tencent(provider))
        assert sent == 0  # capped: nothing sent
        with Session(migrated_engine) as s:
            row = s.scalars(select(InvoiceCheckRecord)).one()
            assert row.next_check_at is not None and row.next_check_at.date() > later.date()
        finrev = login(client, "finrev")
        item_id = client.get(f"/api/v1/claims/{claim_id}", headers=alice).json()["items"][0]["id"]
        assert (
            client.post(f"/api/v1/finance/verification/{item_id}/recheck", headers=alice).status_code == 403
        )
        assert (
            client.post(f"/api/v1/finance/verification/{item_id}/recheck", headers=finrev).json()["state"]
            == "pending"
        )

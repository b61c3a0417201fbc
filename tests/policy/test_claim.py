"""The whole claim through every rule, as the service calls it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reimburse.claims.domain import Category, Finding, InvoiceLine, NoInvoiceKind, Severity
from reimburse.ocr.domain import DocumentType, Extraction, FieldSource, FieldValue, LineItem, ReviewReason
from reimburse.policy.defaults import china_calendar, default_policy
from reimburse.policy.rules.claim import check_claim, evaluate_claim
from reimburse.policy.rules.facts import facts_from_extraction
from reimburse.routing.domain import RiskDecision
from tests.claims.factories import ENTITIES, TODAY, claim, invoice, item, uscc

KW = {"entities": ENTITIES, "policy": default_policy(), "calendar": china_calendar(), "today": TODAY}


def test_clean_claim_passes() -> None:
    hotel = item(
        Category.LODGING,
        "898.00",
        invoice=invoice(
            invoice_number="25330000000011111111",
            total=Decimal("898.00"),
            amount_excl_tax=Decimal("847.17"),
            tax=Decimal("50.83"),
            seller_name="杭州某某酒店有限公司",
            lines=(InvoiceLine("*住宿服务*住宿费", Decimal("0.06")),),
        ),
        nights=2,
        city_tier=2,
        attendees=None,
    )
    per_diem = item(
        Category.TRAVEL, "200.00", no_invoice_kind=NoInvoiceKind.PER_DIEM, reason="出差补助", days=2
    )
    c = claim(item(), hotel, per_diem, trip_start=date(2025, 6, 15), trip_end=date(2025, 6, 16))
    a = evaluate_claim(c, **KW)
    assert (a.score, a.decision, a.findings) == (0, RiskDecision.PASS, ())


def test_problems_add_up_to_a_decision() -> None:
    bad_buyer = item(
        Category.MEALS, invoice=invoice(invoice_number="25330000000022222222", buyer_tax_id=uscc(9))
    )
    office_meal = item(Category.OFFICE, invoice=invoice(invoice_number="25330000000033333333"))
    a = evaluate_claim(claim(bad_buyer, office_meal), **KW)
    codes = [s.finding.code for s in a.findings]
    assert codes == ["buyer_tax_id_mismatch", "seller_category_mismatch"]
    assert (a.score, a.decision) == (60, RiskDecision.REVIEW)


def test_service_findings_join_the_score() -> None:
    dup = Finding("duplicate_invoice", Severity.BLOCK, "already claimed", 0)
    a = evaluate_claim(claim(), extra=[dup], **KW)
    assert a.decision is RiskDecision.BLOCK and a.score == 100


def test_claim_level_checks() -> None:
    assert [f.code for f in check_claim(claim(items=()), **KW)] == ["claim_empty"]
    c = claim(item(spent_on=date(2025, 6, 20)), trip_start=date(2025, 6, 10), trip_end=date(2025, 6, 9))
    assert [f.code for f in check_claim(c, **KW)] == ["trip_dates_reversed", "spent_in_future"]


def test_facts_from_extraction() -> None:
    def fv(v: str) -> FieldValue:
        return FieldValue(v, 0.99, FieldSource.OCR)

    ex = Extraction(
        is_invoice=True,
        document_type=DocumentType.VAT_ELECTRONIC_GENERAL,
        fields={
            "invoice_code": fv("033001900104"),
            "invoice_number": fv("12345678"),
            "issue_date": fv("2025年06月16日"),
            "amount_excl_tax": fv("283.02"),
            "tax": fv("16.98"),
            "total": fv("¥300.00"),
            "check_code": fv("12345 67890 12345 67890"),
            "buyer_name": fv("示例科技有限公司"),
        },
        line_items=(LineItem(name="*餐饮服务*餐费", tax_rate="6%"), LineItem(name=None, tax_rate="6%")),
        review_reasons=(ReviewReason("low_confidence", "unsure"),),
    )
    facts = facts_from_extraction(ex, image_hash=42)
    assert facts.issue_date == date(2025, 6, 16)
    assert (facts.amount_excl_tax, facts.tax, facts.total) == (
        Decimal("283.02"),
        Decimal("16.98"),
        Decimal("300.00"),
    )
    assert facts.check_code == "12345678901234567890"
    assert facts.lines == (InvoiceLine("*餐饮服务*餐费", Decimal("0.06")),)
    assert facts.needs_review and facts.image_hash == 42 and facts.seller_name is None

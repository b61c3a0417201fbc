"""Invoice validation, table by table: each rule both firing and staying quiet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from reimburse.claims.domain import Category, InvoiceLine, Severity
from reimburse.ocr.domain import DocumentType
from reimburse.policy.defaults import default_policy
from reimburse.policy.rules.invoice import (
    check_arithmetic,
    check_buyer,
    check_date_window,
    check_formats,
    check_invoice,
    check_tax_rates,
)
from tests.claims.factories import COMPANY, ENTITIES, SUBSIDIARY, TODAY, invoice, uscc

POLICY = default_policy()


def codes(findings: list[Any]) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize(
    ("over", "category", "expected"),
    [
        ({}, Category.MEALS, []),
        ({"buyer_name": SUBSIDIARY.name, "buyer_tax_id": SUBSIDIARY.tax_id}, Category.MEALS, []),
        # full-width brackets and spaces as OCR returns them still match the entity
        (
            {"buyer_name": "示例科技(上海) 有限公司", "buyer_tax_id": SUBSIDIARY.tax_id.lower()},
            Category.MEALS,
            [],
        ),
        ({"buyer_name": "别的公司有限公司", "buyer_tax_id": uscc(5)}, Category.MEALS, ["buyer_not_company"]),
        ({"buyer_tax_id": uscc(5)}, Category.MEALS, ["buyer_tax_id_mismatch"]),
        ({"buyer_name": "别的公司有限公司"}, Category.MEALS, ["buyer_name_mismatch"]),
        ({"buyer_tax_id": None}, Category.MEALS, ["buyer_tax_id_missing"]),
        ({"buyer_name": "张三", "buyer_tax_id": None}, Category.MEALS, ["buyer_individual_not_allowed"]),
        ({"buyer_name": "张三", "buyer_tax_id": None}, Category.TRAVEL, []),
        (
            {"buyer_name": None, "buyer_tax_id": None, "document_type": DocumentType.TRAIN_TICKET},
            Category.TRAVEL,
            [],
        ),
        ({"buyer_name": None, "buyer_tax_id": None}, Category.OFFICE, ["buyer_individual_not_allowed"]),
    ],
)
def test_buyer(over: dict[str, Any], category: Category, expected: list[str]) -> None:
    assert codes(check_buyer(invoice(**over), category, ENTITIES, POLICY, 0)) == expected


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({}, []),
        ({"invoice_number": None}, ["invoice_number_missing"]),
        ({"invoice_number": "1234567"}, ["invoice_number_format"]),
        # a digital invoice with an 8-digit number: wrong shape for its type
        ({"invoice_number": "12345678"}, ["invoice_number_format"]),
        ({"invoice_number": "24330000000012345678"}, ["invoice_number_year"]),
        (
            {
                "document_type": DocumentType.VAT_GENERAL,
                "invoice_code": "033001900104",
                "invoice_number": "12345678",
            },
            [],
        ),
        (
            {
                "document_type": DocumentType.VAT_GENERAL,
                "invoice_code": "03300190010",
                "invoice_number": "12345678",
            },
            ["invoice_code_format"],
        ),
        (
            {
                "document_type": DocumentType.VAT_GENERAL,
                "invoice_code": "033002600104",
                "invoice_number": "12345678",
            },
            ["invoice_code_year"],
        ),
        ({"document_type": DocumentType.VAT_GENERAL, "invoice_number": "12345678"}, ["invoice_code_missing"]),
        ({"check_code": "1234"}, ["check_code_format"]),
        ({"check_code": "12345678901234567890"}, []),
        (
            {"seller_tax_id": uscc(777)[:-1] + ("0" if uscc(777)[-1] != "0" else "1")},
            ["seller_tax_id_invalid"],
        ),
        ({"seller_tax_id": "123"}, ["seller_tax_id_invalid"]),
        ({"seller_tax_id": "330100123456789"}, []),  # a legacy 15-character ID: shape only
        # railway tickets and quota invoices have their own numbering
        ({"document_type": DocumentType.TRAIN_TICKET, "invoice_number": "E12345"}, []),
    ],
)
def test_formats(over: dict[str, Any], expected: list[str]) -> None:
    assert codes(check_formats(invoice(**over), 0)) == expected


@pytest.mark.parametrize(
    ("over", "claimed", "expected"),
    [
        ({}, Decimal("300.00"), []),
        ({}, Decimal("120.00"), []),  # claiming part of an invoice is fine
        ({"tax": Decimal("16.00")}, Decimal("300.00"), ["amount_tax_total_mismatch"]),
        ({"tax": Decimal("16.97")}, Decimal("300.00"), []),  # one cent of rounding
        ({}, Decimal("300.01"), ["claimed_exceeds_invoice"]),
        ({"total": None}, Decimal("300.00"), ["total_missing"]),
        ({"tax": None}, Decimal("300.00"), []),  # nothing to add up; extraction flags the gap
    ],
)
def test_arithmetic(over: dict[str, Any], claimed: Decimal, expected: list[str]) -> None:
    assert codes(check_arithmetic(invoice(**over), claimed, 0)) == expected


@pytest.mark.parametrize(
    ("lines", "issued", "expected"),
    [
        ((InvoiceLine("*餐饮服务*餐费", Decimal("0.06")),), date(2025, 6, 1), []),
        ((InvoiceLine("*餐饮服务*餐费", Decimal("0.13")),), date(2025, 6, 1), ["tax_rate_implausible"]),
        ((InvoiceLine("*餐饮服务*餐费", Decimal("0.01")),), date(2025, 6, 1), []),  # small-scale relief
        ((InvoiceLine("*住宿服务*住宿费", Decimal("0.06")),), date(2025, 6, 1), []),
        ((InvoiceLine("*运输服务*客运服务费", Decimal("0.09")),), date(2025, 6, 1), []),
        ((InvoiceLine("*运输服务*客运服务费", Decimal("0.06")),), date(2025, 6, 1), ["tax_rate_implausible"]),
        ((InvoiceLine("*纸制品*打印纸", Decimal("0.13")),), date(2025, 6, 1), []),
        ((InvoiceLine("*纸制品*打印纸", Decimal("0.06")),), date(2025, 6, 1), ["tax_rate_implausible"]),
        ((InvoiceLine("*纸制品*打印纸", Decimal("0.03")),), date(2025, 6, 1), []),
        ((InvoiceLine("打印纸", Decimal("0.06")),), date(2025, 6, 1), []),  # no classification: no check
        ((InvoiceLine("*纸制品*打印纸", None),), date(2025, 6, 1), []),
        # 16 % ended 2019-03-31: plausible for goods, but not in force on the date
        (
            (InvoiceLine("*纸制品*打印纸", Decimal("0.16")),),
            date(2025, 6, 1),
            ["tax_rate_implausible", "tax_rate_not_in_force"],
        ),
    ],
)
def test_tax_rates(lines: tuple[InvoiceLine, ...], issued: date, expected: list[str]) -> None:
    assert codes(check_tax_rates(invoice(lines=lines, issue_date=issued), 0)) == expected


@pytest.mark.parametrize(
    ("issued", "trip_start", "expected"),
    [
        (date(2025, 6, 16), None, []),
        (TODAY, None, []),
        (date(2025, 6, 19), None, ["invoice_in_future"]),
        (date(2024, 6, 18), None, []),  # exactly 365 days
        (date(2024, 6, 17), None, ["invoice_too_old"]),
        (date(2025, 5, 20), date(2025, 6, 10), []),  # booked within the 30-day grace
        (date(2025, 5, 1), date(2025, 6, 10), ["invoice_before_trip"]),
        (None, None, ["issue_date_missing"]),
    ],
)
def test_date_window(issued: date | None, trip_start: date | None, expected: list[str]) -> None:
    facts = invoice(issue_date=issued)
    assert (
        codes(check_date_window(facts, today=TODAY, trip_start=trip_start, policy=POLICY, item=0)) == expected
    )


def test_check_invoice_combines_and_tags_item() -> None:
    facts = invoice(buyer_tax_id=uscc(5), tax=Decimal("1.00"), needs_review=True)
    found = check_invoice(
        facts,
        category=Category.MEALS,
        claimed=Decimal("300.00"),
        entities=ENTITIES,
        policy=POLICY,
        today=TODAY,
        item=3,
    )
    assert codes(found) == ["buyer_tax_id_mismatch", "amount_tax_total_mismatch", "extraction_needs_review"]
    assert {f.item for f in found} == {3}
    assert found[0].severity is Severity.ERROR


def test_not_an_invoice_is_one_finding() -> None:
    facts = invoice(document_type=DocumentType.NOT_INVOICE)
    found = check_invoice(
        facts, category=Category.MEALS, claimed=None, entities=ENTITIES, policy=POLICY, today=TODAY
    )
    assert codes(found) == ["not_an_invoice"]


def test_clean_invoice_has_no_findings() -> None:
    assert (
        check_invoice(
            invoice(),
            category=Category.MEALS,
            claimed=Decimal("300.00"),
            entities=[COMPANY],
            policy=POLICY,
            today=TODAY,
        )
        == []
    )


def test_a_copy_not_for_reimbursement_is_an_error_finding() -> None:
    from reimburse.claims.assessment import facts_from_fields

    facts = facts_from_fields({"document_type": "vat_special", "fields": {}, "not_for_reimbursement": True})
    assert facts.not_for_reimbursement
    found = check_invoice(
        invoice(not_for_reimbursement=True),
        category=Category.MEALS,
        claimed=None,
        entities=ENTITIES,
        policy=POLICY,
        today=TODAY,
    )
    (copy,) = [f for f in found if f.code == "invoice_copy_not_valid"]
    assert copy.severity is Severity.ERROR and "not valid for reimbursement" in copy.message
    clean = check_invoice(
        invoice(), category=Category.MEALS, claimed=None, entities=ENTITIES, policy=POLICY, today=TODAY
    )
    assert "invoice_copy_not_valid" not in codes(clean)

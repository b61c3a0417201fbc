"""Verification rules: requests, checkability, findings from answers, limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from reimburse.claims.domain import Severity
from reimburse.ocr.domain import DocumentType
from reimburse.verification.domain import (
    AuthoritativeInvoice,
    VerificationAnswer,
    VerificationRequest,
    VerificationStatus,
    VerifyKind,
)
from reimburse.verification.limits import DailyCap, RateLimiter
from reimburse.verification.none import NoneVerifier
from reimburse.verification.registry import make_verifier
from reimburse.verification.rules import (
    NotVerifiable,
    build_request,
    checkability,
    differing_fields,
    findings_from_answer,
    findings_not_verifiable,
    retry_delay,
)
from tests.claims.factories import COMPANY, invoice

LEGACY = {"invoice_code": "033001900104", "invoice_number": "12345678", "check_code": "12345678901234567890"}


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        (
            {},
            VerificationRequest(
                VerifyKind.DIGITAL_GENERAL, "25330000000012345678", date(2025, 6, 16), total=Decimal("300.00")
            ),
        ),
        (
            {"document_type": DocumentType.DIGITAL_SPECIAL},
            VerificationRequest(
                VerifyKind.DIGITAL_SPECIAL, "25330000000012345678", date(2025, 6, 16), total=Decimal("300.00")
            ),
        ),
        # a railway e-ticket with a 20-digit number is a digital invoice
        (
            {"document_type": DocumentType.TRAIN_TICKET},
            VerificationRequest(
                VerifyKind.DIGITAL_GENERAL, "25330000000012345678", date(2025, 6, 16), total=Decimal("300.00")
            ),
        ),
        (
            {**LEGACY, "document_type": DocumentType.VAT_SPECIAL},
            VerificationRequest(
                VerifyKind.SPECIAL,
                "12345678",
                date(2025, 6, 16),
                invoice_code="033001900104",
                amount_excl_tax=Decimal("283.02"),
            ),
        ),
        (
            {**LEGACY, "document_type": DocumentType.VAT_ELECTRONIC_GENERAL},
            VerificationRequest(
                VerifyKind.ELECTRONIC_GENERAL,
                "12345678",
                date(2025, 6, 16),
                invoice_code="033001900104",
                check_code_last6="567890",
            ),
        ),
        (
            {**LEGACY, "document_type": DocumentType.VAT_GENERAL, "check_code": None},
            NotVerifiable("", ("check_code",)),
        ),
        (
            {**LEGACY, "document_type": DocumentType.VAT_SPECIAL, "amount_excl_tax": None},
            NotVerifiable("", ("amount_excl_tax",)),
        ),
        ({"total": None, "issue_date": None}, NotVerifiable("", ("issue_date", "total"))),
        (
            {**LEGACY, "document_type": DocumentType.VAT_ROLL, "check_code": "1234"},
            NotVerifiable("", ("check_code",)),
        ),
        ({**LEGACY, "document_type": DocumentType.QUOTA}, NotVerifiable("", ())),
    ],
)
def test_build_request(over: dict[str, Any], expected: VerificationRequest | NotVerifiable) -> None:
    got = build_request(invoice(**over))
    if isinstance(expected, NotVerifiable):
        assert isinstance(got, NotVerifiable) and got.fields == expected.fields and got.reason
    else:
        assert got == expected


TODAY = date(2025, 6, 18)


@pytest.mark.parametrize(
    ("issued", "checkable", "retry_on"),
    [
        (date(2025, 6, 17), True, None),
        (TODAY, False, date(2025, 6, 19)),
        (date(2025, 6, 19), False, None),
        (date(2020, 6, 18), True, None),  # exactly five years
        (date(2020, 6, 17), False, None),
    ],
)
def test_checkability(issued: date, checkable: bool, retry_on: date | None) -> None:
    c = checkability(
        VerificationRequest(VerifyKind.DIGITAL_GENERAL, "1" * 20, issued, total=Decimal(1)), TODAY
    )
    assert (c.checkable, c.retry_on) == (checkable, retry_on)
    assert c.checkable or c.reason


def test_checkability_on_leap_day() -> None:
    req = VerificationRequest(VerifyKind.DIGITAL_GENERAL, "1" * 20, date(2019, 2, 28), total=Decimal(1))
    assert checkability(req, date(2024, 2, 29)).checkable


def _answer(status: VerificationStatus, **inv: Any) -> VerificationAnswer:
    return VerificationAnswer(status, AuthoritativeInvoice(**inv) if inv else None, "test", "req-1")


@pytest.mark.parametrize(
    ("answer", "code", "severity"),
    [
        (_answer(VerificationStatus.NORMAL, total=Decimal("300.00"), buyer_name=COMPANY.name), None, None),
        (_answer(VerificationStatus.VOIDED), "invoice_voided", Severity.BLOCK),
        (_answer(VerificationStatus.RED_REVERSED_FULL), "invoice_red_reversed", Severity.BLOCK),
        (_answer(VerificationStatus.RED_REVERSED_PARTIAL), "invoice_partly_red_reversed", Severity.ERROR),
        (_answer(VerificationStatus.NOT_FOUND), "invoice_not_found", Severity.ERROR),
        (_answer(VerificationStatus.MISMATCH), "verification_mismatch", Severity.ERROR),
        (_answer(VerificationStatus.NOT_YET_AVAILABLE), "verification_pending", Severity.INFO),
        (_answer(VerificationStatus.UNVERIFIED), "invoice_unverified", Severity.WARNING),
    ],
)
def test_findings_from_answer(
    answer: VerificationAnswer, code: str | None, severity: Severity | None
) -> None:
    found = findings_from_answer(invoice(), answer, unverified_severity=Severity.WARNING, item=2)
    assert [(f.code, f.severity, f.item) for f in found] == ([] if code is None else [(code, severity, 2)])


def test_field_differences_are_named() -> None:
    official = AuthoritativeInvoice(
        invoice_number="25330000000012345678",
        issue_date=date(2025, 6, 16),
        total=Decimal("360.00"),
        buyer_name="示例科技有限公司",
        seller_tax_id="91330100000000000X",
    )
    facts = invoice(buyer_name="示例科技 有限公司")  # spacing is not a difference
    assert differing_fields(facts, official) == ("total", "seller_tax_id")
    (f,) = findings_from_answer(
        facts, VerificationAnswer(VerificationStatus.NORMAL, official, "t"), unverified_severity=Severity.INFO
    )
    assert f.code == "verification_field_mismatch" and f.fields == ("total", "seller_tax_id")
    assert f.detail("total") == "300.00 vs 360.00"


def test_not_verifiable_finding() -> None:
    (f,) = findings_not_verifiable(NotVerifiable("quota", ("x",)), unverified_severity=Severity.INFO, item=1)
    assert (f.code, f.severity, f.fields) == ("invoice_unverified", Severity.INFO, ("x",))


@pytest.mark.parametrize(
    ("attempt", "retry_after", "delay"),
    [(1, None, 2.0), (2, None, 4.0), (5, None, 32.0), (30, None, 3600.0), (1, 30.0, 30.0)],
)
def test_retry_delay(attempt: int, retry_after: float | None, delay: float) -> None:
    assert retry_delay(attempt, retry_after=retry_after) == delay


def test_rate_limiter_allows_burst_then_paces() -> None:
    lim = RateLimiter.start(rate=20, now=100.0)
    waits = []
    for _ in range(21):
        lim, wait = lim.take(100.0)
        waits.append(wait)
    assert waits[:20] == [0.0] * 20 and waits[20] == pytest.approx(0.05)
    lim, wait = lim.take(100.05)
    assert wait == 0.0
    lim, wait = lim.take(100.05)
    assert wait > 0


def test_rate_limiter_over_one_simulated_second_never_exceeds_rate() -> None:
    lim = RateLimiter.start(rate=20, now=0.0, burst=1)
    now, sent = 0.0, 0
    while now < 1.0:
        lim, wait = lim.take(now)
        if wait == 0:
            sent += 1
        now += 0.001
    assert 19 <= sent <= 21


def test_daily_cap_per_invoice_resets_next_day() -> None:
    cap = DailyCap(limit=5)
    day = date(2025, 6, 18)
    for _ in range(5):
        cap, ok = cap.take("D:1", day)
        assert ok
    cap, ok = cap.take("D:1", day)
    assert not ok and cap.used("D:1", day) == 5
    cap, ok = cap.take("D:2", day)
    assert ok
    cap, ok = cap.take("D:1", date(2025, 6, 19))
    assert ok and cap.used("D:1", date(2025, 6, 19)) == 1


def test_none_provider_answers_unverified() -> None:
    v = make_verifier("none")
    assert isinstance(v, NoneVerifier)
    req = VerificationRequest(VerifyKind.DIGITAL_GENERAL, "1" * 20, TODAY, total=Decimal(1))
    assert v.verify(req).status is VerificationStatus.UNVERIFIED
    with pytest.raises(ValueError):
        make_verifier("baidu")

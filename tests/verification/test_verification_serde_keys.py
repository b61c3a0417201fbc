"""Answer JSON round trip; duplicate keys survive any formatting noise (hypothesis)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reimburse.ocr.domain import DocumentType
from reimburse.policy.rules.duplicates import invoice_key
from reimburse.verification.domain import (
    AuthoritativeInvoice,
    VerificationAnswer,
    VerificationStatus,
)
from reimburse.verification.serde import answer_from_json, answer_to_json
from tests.claims.factories import invoice


def test_answer_round_trip_through_json() -> None:
    answer = VerificationAnswer(
        VerificationStatus.RED_REVERSED_PARTIAL,
        AuthoritativeInvoice(
            invoice_number="25330000000012345678",
            issue_date=date(2025, 6, 10),
            total=Decimal("300.00"),
            red_reversed_amount=Decimal("100.00"),
            seller_name="某某有限公司",
        ),
        "tencent",
        "req-1",
        "ok",
    )
    data = json.loads(json.dumps(answer_to_json(answer)))
    assert answer_from_json(data) == answer
    bare = VerificationAnswer(VerificationStatus.UNVERIFIED, provider="none")
    assert answer_from_json(answer_to_json(bare)) == bare


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _noisy(digits: str, draw: st.DrawFn) -> str:
    out = []
    for ch in digits:
        if draw(st.booleans()):
            ch = ch.translate(_FULL_WIDTH)
        out.append(ch + draw(st.sampled_from(["", "", " ", "-", "\u3000"])))
    return draw(st.sampled_from(["", "No.", "№ "])) + "".join(out)


@st.composite
def noisy_pair(draw: st.DrawFn) -> tuple[str, str, str, str]:
    code = draw(st.from_regex(r"0[0-9]{11}", fullmatch=True))
    number = draw(st.from_regex(r"[0-9]{8}", fullmatch=True))
    return code, number, _noisy(code, draw), _noisy(number, draw)


@given(noisy_pair())
def test_legacy_key_ignores_formatting(pair: tuple[str, str, str, str]) -> None:
    code, number, noisy_code, noisy_number = pair
    clean = invoice(document_type=DocumentType.VAT_GENERAL, invoice_code=code, invoice_number=number)
    noisy = invoice(
        document_type=DocumentType.VAT_GENERAL, invoice_code=noisy_code, invoice_number=noisy_number
    )
    assert invoice_key(clean) == invoice_key(noisy) == f"V:{code}:{number}"


@given(st.from_regex(r"[0-9]{20}", fullmatch=True), st.data())
def test_digital_key_ignores_formatting_and_stray_codes(number: str, data: st.DataObject) -> None:
    stray = data.draw(st.one_of(st.none(), st.from_regex(r"[0-9]{12}", fullmatch=True)))
    noisy = data.draw(st.composite(lambda d: _noisy(number, d))())
    assert invoice_key(invoice(invoice_number=noisy, invoice_code=stray)) == f"D:{number}"

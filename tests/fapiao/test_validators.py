"""Fapiao validators: USCC check digits, capitals, money, dates, tax arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reimburse.ocr.fapiao.capitals import parse_capitals, to_capitals
from reimburse.ocr.fapiao.formats import parse_date
from reimburse.ocr.fapiao.money import fmt_money, parse_money
from reimburse.ocr.fapiao.tax import parse_rate, sum_matches, tax_matches
from reimburse.ocr.fapiao.uscc import (
    ALPHABET,
    is_id_card_number,
    is_valid_uscc,
    tax_id_problem,
    uscc_check_digit,
)


def test_uscc_check_digit_follows_gb_32100() -> None:
    # Worked by hand: body 91350100M000100Y4 -> weights 3^i mod 31 -> check "3".
    body = "91350100M000100Y4"
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    assert uscc_check_digit(body) == ALPHABET[(31 - total % 31) % 31]
    code = body + uscc_check_digit(body)
    assert is_valid_uscc(code)
    assert tax_id_problem(code) is None
    wrong = body + ALPHABET[(ALPHABET.index(code[-1]) + 1) % 31]
    assert not is_valid_uscc(wrong)
    assert tax_id_problem(wrong) == "the check character (GB 32100-2015) does not match"


@pytest.mark.parametrize(
    ("tax_id", "ok"),
    [("510790675760008", True), ("51079100DK00328", True), ("12345", False), ("91OOOOOOOOOOOOOOOO", False)],
)
def test_legacy_ids_are_checked_for_shape_only(tax_id: str, ok: bool) -> None:
    assert (tax_id_problem(tax_id) is None) is ok


@pytest.mark.parametrize(
    "tax_id",
    [
        "91500109NAYEDB0HX",  # a credit code read one character short: 17 long, letters inside
        "91500109NAYEDB0HXTA1",  # ... and read long: 20
        "9150010NAYEDB0HXT",  # the region is no number
        "9111010855385082Q",  # all digits but its check letter: no province starts with 9
        "911101085513850",  # ... and 15 long
    ],
)
def test_a_credit_code_read_short_or_long_is_no_legacy_id(tax_id: str) -> None:
    assert tax_id_problem(tax_id) == "looks like a credit code with a character missing or extra"


def test_a_persons_identity_card_number_is_a_taxpayer_id() -> None:
    # the worked example of GB 11643-1999: province 11, born 1949-12-31, check character X
    assert is_id_card_number("11010519491231002X")
    assert tax_id_problem("11010519491231002X") is None
    assert not is_id_card_number("110105194912310021")  # the check character does not match
    assert tax_id_problem("110105194912310021") == "the check character (GB 32100-2015) does not match"
    assert not is_id_card_number("11010519491331002X")  # no 13th month


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_every_body_has_exactly_one_valid_check_character(body: str) -> None:
    valid = [c for c in ALPHABET if is_valid_uscc(body + c)]
    assert valid == [uscc_check_digit(body)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("壹万贰仟叁佰肆拾伍圆陆角柒分", "12345.67"),
        ("ⓧ叁佰圆整", "300.00"),
        ("⊗贰拾元正", "20.00"),
        ("壹仟零叁拾玖园伍角整", "1039.50"),  # 园 for 圆, as OCR reads it
        ("零圆伍角", "0.50"),
        ("壹亿零伍万圆整", "100050000.00"),
    ],
)
def test_parse_capitals(text: str, value: str) -> None:
    assert parse_capitals(text) == Decimal(value)


def test_text_without_capital_numerals_is_not_an_amount() -> None:
    assert parse_capitals("价税合计") is None


@given(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2))
def test_capitals_round_trip(amount: Decimal) -> None:
    assert parse_capitals(to_capitals(amount)) == amount


@pytest.mark.parametrize(
    ("text", "value"),
    [("¥1,234.50", "1234.50"), ("￥ 1234.5", "1234.5"), ("-88.00", "-88.00"), ("１２３.００", "123.00")],
)
def test_parse_money(text: str, value: str) -> None:
    assert parse_money(text) == Decimal(value)


def test_money_rejects_non_money_and_formats_two_decimals() -> None:
    assert parse_money("12a.00") is None
    assert fmt_money(Decimal("2.005")) == "2.01"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("开票日期：2016年11月25日", date(2016, 11, 25)),
        ("2023-01-02", date(2023, 1, 2)),
        ("20230102", date(2023, 1, 2)),
        ("2023年13月40日", None),
    ],
)
def test_parse_date(text: str, value: date | None) -> None:
    assert parse_date(text) == value


def test_tax_arithmetic() -> None:
    assert parse_rate("13%") == Decimal("0.13")
    assert parse_rate("免税") == Decimal(0)
    assert parse_rate("12%") is None  # never a VAT rate
    assert tax_matches(Decimal("100.00"), Decimal("0.06"), Decimal("6.00"))
    assert not tax_matches(Decimal("100.00"), Decimal("0.06"), Decimal("6.02"))
    assert tax_matches(Decimal("888.45"), Decimal("0.17"), Decimal("151.05"), lines=8)
    assert sum_matches(Decimal("888.45"), Decimal("151.05"), Decimal("1039.50"))
    assert not sum_matches(Decimal("256.41"), Decimal("43.50"), Decimal("300.00"))

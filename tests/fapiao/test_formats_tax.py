"""Invoice code anatomy, check codes, rate eras, capitals variants, money shapes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reimburse.ocr.fapiao.capitals import parse_capitals, to_capitals
from reimburse.ocr.fapiao.formats import (
    CodeInfo,
    date_problem,
    describe_invoice_code,
    digital_number_year,
    format_check_code,
    is_invoice_number,
    parse_check_code,
    parse_date,
)
from reimburse.ocr.fapiao.money import parse_money
from reimburse.ocr.fapiao.tax import RATES, parse_rate, rate_in_force, tax_matches
from reimburse.ocr.fapiao.uscc import ALPHABET, is_valid_uscc, repair_uscc, uscc_check_digit


@pytest.mark.parametrize(
    ("code", "info"),
    [
        ("1100171330", CodeInfo("1100", 2017, "04")),  # digit 8 = 3: general
        ("4400181630", CodeInfo("4400", 2018, "04")),  # 6: general
        ("3200191530", CodeInfo("3200", 2019, "01")),  # 5: special
        ("3200191130", CodeInfo("3200", 2019, "01")),  # digit 8 = 1: special
        ("5100172730", CodeInfo("5100", 2017, "02")),  # 7: freight transport special
        ("5100172930", CodeInfo("5100", 2017, None)),  # 9: no rule
        ("044002000111", CodeInfo("4400", 2020, "10")),
        ("031001800204", CodeInfo("3100", 2018, "04")),
        ("031001800105", CodeInfo("3100", 2018, "04")),
        ("011001900106", CodeInfo("1100", 2019, "11")),
        ("011001900107", CodeInfo("1100", 2019, "11")),
        ("032001900112", CodeInfo("3200", 2019, "14")),
        ("032002000113", CodeInfo("3200", 2020, "08")),
        ("032002000117", CodeInfo("3200", 2020, "15")),
        ("032002000199", CodeInfo("3200", 2020, None)),
        ("151001820001", CodeInfo("5100", 2018, "03")),  # not 0-led, digit 8 = 2
        ("151071580001", CodeInfo("5107", 2015, None)),  # local general invoice: shape only
    ],
)
def test_describe_invoice_code(code: str, info: CodeInfo) -> None:
    assert describe_invoice_code(code) == info


@pytest.mark.parametrize("code", ["", "123456789", "12345678901", "12345678901a", "１１００１７１１３０"])
def test_not_invoice_codes(code: str) -> None:
    assert describe_invoice_code(code) is None


def test_numbers_and_digital_year() -> None:
    assert is_invoice_number("01234567")
    assert is_invoice_number("24112000000012345678")
    assert not is_invoice_number("1234567")
    assert digital_number_year("24112000000012345678") == 2024
    assert digital_number_year("01234567") is None


def test_check_code_groups() -> None:
    code = "01234567890123456789"
    assert format_check_code(code) == "01234 56789 01234 56789"
    assert parse_check_code("01234 56789 01234 56789") == code
    assert parse_check_code("０１２３４ 56789 01234 56789") == code
    assert parse_check_code("01234 56789 01234 5678") is None
    with pytest.raises(ValueError):
        format_check_code("123")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2023年1月2日", date(2023, 1, 2)),
        ("2023 年 01 月 02 日", date(2023, 1, 2)),
        ("２０２３年０１月０２日", date(2023, 1, 2)),
        ("2023.01.02", date(2023, 1, 2)),
        ("2023/1/2", date(2023, 1, 2)),
        ("校验码 12345620230102123", None),  # inside a digit run
        ("2023-02-30", None),
    ],
)
def test_parse_date_variants(text: str, value: date | None) -> None:
    assert parse_date(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("×伍拾陆圆整", "56.00"),
        ("⊗ 壹 仟 圆 整", "1000.00"),
        ("零", "0.00"),
        ("貳拾參圓陸角", "23.60"),
        ("壹萬圓整", "10000.00"),
        ("负壹佰圆整", "-100.00"),
        ("壹拾万零伍佰圆整", "100500.00"),
        ("叁佰", "300.00"),  # 圆 lost to OCR
    ],
)
def test_parse_capitals_variants(text: str, value: str) -> None:
    assert parse_capitals(text) == Decimal(value)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "零圆整"),
        ("0.05", "伍分"),
        ("10", "壹拾圆整"),
        ("100.05", "壹佰圆零伍分"),
        ("1039.50", "壹仟零叁拾玖圆伍角整"),
        ("100000", "壹拾万圆整"),
        ("100500", "壹拾万零伍佰圆整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍圆陆角柒分"),
    ],
)
def test_to_capitals_official_style(amount: str, text: str) -> None:
    assert to_capitals(Decimal(amount)) == text


@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("-0.01"), places=2))
def test_negative_capitals_round_trip(amount: Decimal) -> None:
    assert parse_capitals(to_capitals(amount)) == amount


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234.50", "1234.50"),
        ("¥-88.00", "-88.00"),
        ("-¥88.00", "-88.00"),
        ("￥１，２３４.５０", "1234.50"),
        ("12,34", None),  # not a thousands separator
        ("1.2.3", None),
        ("", None),
    ],
)
def test_parse_money_shapes(text: str, value: str | None) -> None:
    assert parse_money(text) == (Decimal(value) if value else None)


def test_rates_and_eras() -> None:
    assert parse_rate(" 9 % ") == Decimal("0.09")
    assert parse_rate("1.5%") == Decimal("0.015")
    assert parse_rate("不征税") == Decimal(0)
    assert {
        Decimal(r) / 100 for r in ("0", "1", "1.5", "3", "5", "6", "9", "10", "11", "13", "16", "17")
    } == RATES
    assert rate_in_force(Decimal("0.17"), date(2018, 4, 30))
    assert not rate_in_force(Decimal("0.17"), date(2018, 5, 1))
    assert rate_in_force(Decimal("0.16"), date(2018, 5, 1))
    assert not rate_in_force(Decimal("0.16"), date(2019, 4, 1))
    assert rate_in_force(Decimal("0.13"), date(2016, 1, 1))
    assert not rate_in_force(Decimal("0.13"), date(2018, 1, 1))
    assert rate_in_force(Decimal("0.13"), date(2024, 1, 1))
    assert not rate_in_force(Decimal("0.12"), date(2024, 1, 1))


def test_total_tolerance_grows_with_lines() -> None:
    # three lines: at least 0.06; twenty lines: 0.20
    assert tax_matches(Decimal("100.00"), Decimal("0.13"), Decimal("13.06"), lines=3)
    assert not tax_matches(Decimal("100.00"), Decimal("0.13"), Decimal("13.07"), lines=3)
    assert tax_matches(Decimal("100.00"), Decimal("0.13"), Decimal("13.20"), lines=20)
    assert not tax_matches(Decimal("100.00"), Decimal("0.13"), Decimal("13.21"), lines=20)
    assert not tax_matches(Decimal("100.00"), Decimal("0.13"), Decimal("13.02"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("开票日期：2O23年0l月02日", date(2023, 1, 2)),
        ("2o23-1O-3l", date(2023, 10, 31)),
        ("Invoice 2023.1.2", date(2023, 1, 2)),
        ("Iol", None),
    ],
)
def test_parse_date_reads_ocr_letters_as_digits(text: str, value: date | None) -> None:
    assert parse_date(text) == value


def test_repair_uscc() -> None:
    body = "91350100M000100Y4"
    good = body + uscc_check_digit(body)
    assert repair_uscc(good) == good
    assert repair_uscc(good.replace("0", "O")) == good  # O never occurs: certain
    assert repair_uscc(" " + good.lower() + " ") == good
    assert repair_uscc("12345") is None
    # 8 read as B: the only look-alike swap that restores the check character
    assert repair_uscc("91110105KBPBRNYT41") == "91110105K8PBRNYT41"
    # here several swaps would satisfy the check character, so no guess is made
    assert repair_uscc("91110105CYUX5KKB08") is None


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_repair_never_returns_an_invalid_code(body: str) -> None:
    code = body + uscc_check_digit(body)
    assert repair_uscc(code) == code
    wrong = body + ALPHABET[(ALPHABET.index(code[-1]) + 1) % 31]
    repaired = repair_uscc(wrong)
    assert repaired is None or is_valid_uscc(repaired)


@pytest.mark.parametrize("text", ["拾圆整", "伍佰拾圆", "壹圆角", "叁佰圆伍角分"])
def test_capitals_with_a_lost_digit_are_not_guessed(text: str) -> None:
    # "茁拾圆" (伍 under a stamp) must not become 10
    assert parse_capitals(text) is None


@pytest.mark.parametrize(
    ("issued", "code", "number", "problem"),
    [
        (date(2024, 3, 1), None, "24112000000012345678", None),
        (
            date(2025, 1, 2),
            None,
            "24112000000012345678",
            "the invoice number is of 2024, the issue date of 2025",
        ),
        (date(2019, 5, 5), "044001800111", "01234567", None),
        (
            date(2017, 5, 5),
            "044001800111",
            "01234567",
            "the invoice code was printed in 2018, after the issue date (2017-05-05)",
        ),
        (date(2017, 5, 5), "1100171330", None, None),
        (date(2017, 5, 5), "not a code", "x", None),
    ],
)
def test_date_problem(issued: date, code: str | None, number: str | None, problem: str | None) -> None:
    assert date_problem(issued, code=code, number=number) == problem

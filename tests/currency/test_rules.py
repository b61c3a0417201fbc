"""The pure currency rules: ISO codes, picking a rate, converting half-up, reading a rate CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reimburse.currency.iso4217 import CODES, is_currency
from reimburse.currency.rules import (
    Rate,
    RateError,
    check_rate,
    convert,
    identity,
    parse_rates_csv,
    pick_rate,
    round_cents,
)

D = Decimal


def usd(day: date, rate: str, source: str = "pboc") -> Rate:
    return Rate("USD", "CNY", day, D(rate), source)


@pytest.mark.parametrize("code", ["CNY", "USD", "EUR", "JPY", "HKD", "KWD", "GBP", "SGD"])
def test_real_codes_are_currencies(code: str) -> None:
    assert is_currency(code)


@pytest.mark.parametrize("code", ["usd", "US", "USDD", "XXX", "ABC", "RMB", "", "XAU"])
def test_made_up_or_miswritten_codes_are_not(code: str) -> None:
    assert not is_currency(code)


def test_the_list_is_the_active_list() -> None:
    assert len(CODES) > 150 and all(len(c) == 3 and c.isupper() for c in CODES)


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("100.00", "7.1234", "712.34"),
        ("0.01", "7.125", "0.07"),  # 0.07125 -> 0.07
        ("1.00", "7.125", "7.13"),  # exactly half a cent rounds up (half-up, not banker's)
        ("2.00", "0.0025", "0.01"),  # 0.005 -> 0.01
        ("3.00", "0.0015", "0.00"),  # 0.0045 -> 0.00
        ("12345.67", "0.04875", "601.85"),  # JPY-like small rate: 601.851...
    ],
)
def test_convert_rounds_half_up_to_the_cent(amount: str, rate: str, expected: str) -> None:
    c = convert(D(amount), usd(date(2026, 11, 2), rate))
    assert c.converted_amount == D(expected)
    assert (c.original_amount, c.currency, c.rate, c.source) == (D(amount), "USD", D(rate), "pboc")


def test_round_cents_is_half_up_for_negative_too() -> None:
    assert round_cents(D("-0.005")) == D("-0.01")
    assert round_cents(D("0.004999")) == D("0.00")


def test_identity_is_rate_one() -> None:
    c = identity(D("88.80"), "CNY", date(2026, 11, 2))
    assert (c.rate, c.source, c.converted_amount) == (D(1), "identity", D("88.80"))


def test_pick_rate_takes_the_newest_on_or_before_the_day() -> None:
    rates = [usd(date(2026, 11, 2), "7.10"), usd(date(2026, 11, 5), "7.20"), usd(date(2026, 11, 9), "7.30")]
    assert pick_rate(rates, "USD", "CNY", date(2026, 11, 7)) == rates[1]
    assert pick_rate(rates, "USD", "CNY", date(2026, 11, 5)) == rates[1]
    assert pick_rate(rates, "USD", "CNY", date(2026, 11, 9)) == rates[2]


def test_a_rate_dated_after_the_spend_is_never_used() -> None:
    assert pick_rate([usd(date(2026, 11, 9), "7.30")], "USD", "CNY", date(2026, 11, 8)) is None


def test_a_rate_more_than_seven_days_old_is_no_rate() -> None:
    rates = [usd(date(2026, 11, 1), "7.10")]
    assert pick_rate(rates, "USD", "CNY", date(2026, 11, 8)) == rates[0]
    assert pick_rate(rates, "USD", "CNY", date(2026, 11, 9)) is None


def test_pick_rate_keeps_to_the_currency_and_base() -> None:
    rates = [
        Rate("EUR", "CNY", date(2026, 11, 2), D("7.8"), "x"),
        Rate("USD", "HKD", date(2026, 11, 2), D("7.8"), "x"),
    ]
    assert pick_rate(rates, "USD", "CNY", date(2026, 11, 2)) is None


@pytest.mark.parametrize(
    ("currency", "base", "rate", "problem"),
    [
        ("USX", "CNY", "7", "rate_currency"),
        ("USD", "CNY", "0", "rate_positive"),
        ("USD", "CNY", "-7", "rate_positive"),
        ("USD", "CNY", "1000000", "rate_positive"),
        ("USD", "CNY", "7.123456789", "rate_decimals"),
        ("CNY", "CNY", "1", "rate_same"),
        ("USD", "CNY", "NaN", "rate_positive"),
        ("USD", "CNX", "7", "rate_base"),
    ],
)
def test_check_rate_names_what_is_wrong(currency: str, base: str, rate: str, problem: str) -> None:
    problems = check_rate(currency, base, D(rate), "USD 2026-11-02")
    assert [p.code for p in problems] == [problem]
    assert problems[0].path == "USD 2026-11-02" and problems[0].message.startswith("USD 2026-11-02: ")


def test_check_rate_accepts_a_good_rate() -> None:
    assert check_rate("USD", "CNY", D("7.12345678")) == []


def test_parse_csv_reads_rates_with_and_without_source() -> None:
    text = "\ufeffcurrency,rate_date,rate,source\nUSD,2026-11-02,7.1234,pboc\neur,2026-11-02,7.80,\n"
    rates = parse_rates_csv(text, "CNY", default_source="csv")
    assert rates == [
        Rate("USD", "CNY", date(2026, 11, 2), D("7.1234"), "pboc"),
        Rate("EUR", "CNY", date(2026, 11, 2), D("7.80"), "csv"),
    ]


def test_parse_csv_lists_every_bad_line_and_reads_nothing() -> None:
    text = (
        "currency,rate_date,rate\n"
        "USD,2026-11-02,7.1\n"
        "USD,2026-13-02,7.1\n"
        "XYZ,2026-11-02,7.1\n"
        "EUR,2026-11-02,abc\n"
        "USD,2026-11-02,7.2\n"
    )
    with pytest.raises(RateError) as err:
        parse_rates_csv(text, "CNY")
    problems = [(p.path, p.code, dict(p.params)) for p in err.value.problems]
    assert problems == [
        ("3", "rate_date", {}),
        ("4", "rate_currency", {"value": "XYZ"}),
        ("5", "rate_number", {}),
        ("6", "rate_twice", {"currency": "USD", "day": "2026-11-02"}),
    ]
    assert err.value.problems[0].message == "line 3: rate_date must be a date YYYY-MM-DD"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("currency,rate\nUSD,7\n", ("1", "rate_header", {"missing": "rate_date"})),
        (
            "currency,rate_date,rate,colour\nUSD,2026-11-02,7,red\n",
            ("1", "rate_columns", {"columns": "colour"}),
        ),
        ("currency,rate_date,rate\n", ("", "rate_empty", {})),
    ],
)
def test_parse_csv_refuses_a_bad_header_or_an_empty_file(text: str, problem: tuple[str, str, dict]) -> None:
    with pytest.raises(RateError) as err:
        parse_rates_csv(text, "CNY")
    assert [(p.path, p.code, dict(p.params)) for p in err.value.problems] == [problem]

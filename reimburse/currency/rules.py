"""Pure currency rules: picking the rate for a day, converting, reading a rate CSV.

Values in, values out: no session, no clock. Amounts are ``Decimal``; a converted amount is
rounded half-up to the cent (0.01), the way a cashier rounds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from reimburse.core.problems import Problem
from reimburse.currency.iso4217 import is_currency

CENT = Decimal("0.01")
# a rate published on a Friday serves the weekend and a short holiday; older is no rate at all
MAX_RATE_AGE_DAYS = 7
RATE_MAX = Decimal("100000")  # 1 unit = at most this many company-currency units (e.g. 1 KWD ≈ 23 CNY)


class RateError(ValueError):
    """A rate file that cannot be used; ``problems`` lists every problem of it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = tuple(problems)


def _rate_problem(where: str, code: str, what: str, **params: str) -> Problem:
    """A problem of one rate: ``where`` is a file's line number ("3") or a typed rate's
    currency and day ("USD 2026-11-30"); the web app words both, and ``code`` + ``params``."""
    at = where if not where.isdigit() else f"line {where}"
    return Problem(where, code, f"{at}: {what}" if where else what, params)


@dataclass(frozen=True, slots=True)
class Rate:
    """``1 currency = rate base`` on ``day``, as ``source`` published it."""

    currency: str
    base: str
    day: date
    rate: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class Conversion:
    """How one amount became company currency: shown per item and kept with it."""

    original_amount: Decimal
    currency: str
    rate: Decimal
    rate_date: date
    source: str
    converted_amount: Decimal


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def convert(amount: Decimal, rate: Rate) -> Conversion:
    """``amount`` in ``rate.currency`` -> ``rate.base``, half-up to the cent."""
    return Conversion(
        amount, rate.currency, rate.rate, rate.day, rate.source, round_cents(amount * rate.rate)
    )


def identity(amount: Decimal, currency: str, day: date) -> Conversion:
    """An amount already in the company currency: rate 1, nothing to look up."""
    return Conversion(amount, currency, Decimal(1), day, "identity", round_cents(amount))


def pick_rate(rates: Iterable[Rate], currency: str, base: str, day: date) -> Rate | None:
    """The newest rate for ``currency`` -> ``base`` dated on or before ``day`` and at most
    ``MAX_RATE_AGE_DAYS`` older; None when there is none (the caller refuses, never guesses).
    A rate dated after the spend is never used: it was not known on the day."""
    oldest = day - timedelta(days=MAX_RATE_AGE_DAYS)
    best: Rate | None = None
    for r in rates:
        if r.currency != currency or r.base != base or not (oldest <= r.day <= day):
            continue
        if best is None or r.day > best.day:
            best = r
    return best


def check_rate(currency: str, base: str, rate: Decimal, where: str = "") -> list[Problem]:
    """What is wrong with one rate (empty when nothing)."""
    problems = []
    if not is_currency(currency):
        problems.append(
            _rate_problem(
                where, "rate_currency", f"{currency!r} is not an ISO 4217 currency code", value=currency
            )
        )
    if not is_currency(base):
        problems.append(
            _rate_problem(where, "rate_base", f"base {base!r} is not an ISO 4217 currency code", value=base)
        )
    if currency == base:
        problems.append(_rate_problem(where, "rate_same", "a rate converts between two different currencies"))
    if not rate.is_finite() or rate <= 0 or rate > RATE_MAX:
        problems.append(
            _rate_problem(
                where,
                "rate_positive",
                f"the rate must be a positive number up to {RATE_MAX}",
                max=str(RATE_MAX),
            )
        )
    elif rate.as_tuple().exponent < -8:  # type: ignore[operator]
        problems.append(_rate_problem(where, "rate_decimals", "the rate has at most 8 decimals"))
    return problems


CSV_COLUMNS = ("currency", "rate_date", "rate", "source")


def parse_rates_csv(text: str, base: str, default_source: str = "csv") -> list[Rate]:
    """Read ``currency,rate_date,rate[,source]`` lines (a header line first). Every problem of
    the file is reported at once, by line; nothing is half-read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS[:3] if c not in header]
    if missing:
        needed = ", ".join(CSV_COLUMNS[:3])
        what = f"the header needs the columns {needed} (missing: {', '.join(missing)})"
        raise RateError([_rate_problem("1", "rate_header", what, missing=", ".join(missing))])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        columns = ", ".join(unknown)
        raise RateError([_rate_problem("1", "rate_columns", f"unknown columns {columns}", columns=columns)])
    rates: list[Rate] = []
    problems: list[Problem] = []
    seen: set[tuple[str, date]] = set()
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        if not any(row.values()):
            continue
        where = str(n)
        currency = row.get("currency", "").upper()
        try:
            day = date.fromisoformat(row.get("rate_date", ""))
        except ValueError:
            problems.append(_rate_problem(where, "rate_date", "rate_date must be a date YYYY-MM-DD"))
            continue
        try:
            rate = Decimal(row.get("rate", ""))
        except InvalidOperation:
            problems.append(_rate_problem(where, "rate_number", "rate must be a number"))
            continue
        source = row.get("source") or default_source
        if len(source) > 64:
            problems.append(_rate_problem(where, "rate_source", "source is at most 64 characters"))
            continue
        wrong = check_rate(currency, base, rate, where)
        if (currency, day) in seen:
            twice = f"{currency} on {day} appears twice"
            wrong.append(_rate_problem(where, "rate_twice", twice, currency=currency, day=day.isoformat()))
        seen.add((currency, day))
        if wrong:
            problems.extend(wrong)
            continue
        rates.append(Rate(currency, base, day, rate, source))
    if problems:
        raise RateError(problems)
    if not rates:
        raise RateError([_rate_problem("", "rate_empty", "the file holds no rates")])
    return rates

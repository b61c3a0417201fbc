"""VAT rates and the arithmetic between amount, tax and total."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class RateEra:
    """When a rate was in force for new transactions (``until`` inclusive, None = still)."""

    since: date | None
    until: date | None
    note: str


# Rates that have been printed on fapiao and when. 17/13 are the original general and
# low rates; 营改增 added 11 (transport, 2012 pilot) and 6 (modern services); 13 merged
# into 11 on 2017-07-01; 17/11 became 16/10 on 2018-05-01 and 16/10 became 13/9 on
# 2019-04-01 (and 13 returned as the general rate). 5/3/1.5 are simplified-collection
# rates, 1 the small-scale relief rate since 2020-03-01, 0 exports.
RATE_ERAS: dict[Decimal, tuple[RateEra, ...]] = {
    Decimal("0.17"): (RateEra(None, date(2018, 4, 30), "general rate before 2018-05"),),
    Decimal("0.16"): (RateEra(date(2018, 5, 1), date(2019, 3, 31), "general rate 2018-05 to 2019-03"),),
    Decimal("0.13"): (
        RateEra(None, date(2017, 6, 30), "low rate (farm produce, utilities) before 2017-07"),
        RateEra(date(2019, 4, 1), None, "general rate since 2019-04"),
    ),
    Decimal("0.11"): (RateEra(date(2012, 1, 1), date(2018, 4, 30), "transport, construction, low rate"),),
    Decimal("0.10"): (RateEra(date(2018, 5, 1), date(2019, 3, 31), "low rate 2018-05 to 2019-03"),),
    Decimal("0.09"): (RateEra(date(2019, 4, 1), None, "transport, construction, low rate since 2019-04"),),
    Decimal("0.06"): (RateEra(date(2012, 1, 1), None, "modern services (catering, lodging, IT)"),),
    Decimal("0.05"): (RateEra(date(2016, 5, 1), None, "simplified: real estate, labour dispatch"),),
    Decimal("0.03"): (RateEra(None, None, "small-scale taxpayers, simplified collection"),),
    Decimal("0.015"): (RateEra(date(2016, 5, 1), None, "individuals renting out housing"),),
    Decimal("0.01"): (RateEra(date(2020, 3, 1), None, "small-scale relief rate"),),
    Decimal("0"): (RateEra(None, None, "zero rate (exports) and exempt"),),
}
RATES = frozenset(RATE_ERAS)

# Shown instead of a rate: exempt (免税), outside VAT (不征税), or stars on invoices of
# simplified collection and on some agent-issued invoices. All carry no tax.
_ZERO_WORDS = ("免税", "不征税", "***", "**", "*")
_PERCENT = re.compile(r"(\d{1,2}(?:\.\d)?)%")
_CENT = Decimal("0.01")
# Per line the billing software prints tax = round(amount × rate, 2), or, when the seller
# entered a tax-inclusive price, amount = round(gross / (1 + rate), 2) and tax = gross -
# amount; either way |amount × rate - tax| stays below one cent. The invoice's total tax
# is the sum of the rounded line taxes, so against total amount × rate the errors add up:
# one cent per line. With few lines that bound is tight enough that a genuine invoice
# can still miss it when quantity × unit price was itself rounded before the tax, so
# totals get at least 0.06, which is still smaller than any misread of the tax's tenths
# digit (≥ 0.10) and so keeps the check useful against OCR errors.
_MIN_TOTAL_TOLERANCE = Decimal("0.06")


def parse_rate(text: str) -> Decimal | None:
    """ "13%" -> 0.13, "免税"/"不征税"/"***" -> 0; None for anything else."""
    t = "".join(unicodedata.normalize("NFKC", text).split())
    if t in _ZERO_WORDS:
        return Decimal(0)
    m = _PERCENT.fullmatch(t)
    if not m:
        return None
    rate = Decimal(m.group(1)) / 100
    return rate if rate in RATES else None


def rate_in_force(rate: Decimal, on: date) -> bool:
    """Was ``rate`` a VAT rate for transactions on ``on``?

    A hint, not a rule: an invoice issued late for an earlier sale (补开) legitimately
    carries the rate of the sale's date, so a caller should flag, not reject.
    """
    for era in RATE_ERAS.get(rate, ()):
        if (era.since is None or era.since <= on) and (era.until is None or on <= era.until):
            return True
    return False


def tax_matches(amount: Decimal, rate: Decimal, tax: Decimal, *, lines: int = 1) -> bool:
    """tax = amount × rate within rounding: a cent for one line, for a total over ``lines``
    lines a cent per line and at least 0.06 (see ``_MIN_TOTAL_TOLERANCE``)."""
    tolerance = max(_CENT * lines, _MIN_TOTAL_TOLERANCE) if lines > 1 else _CENT
    return abs(amount * rate - tax) <= tolerance


def sum_matches(amount: Decimal, tax: Decimal, total: Decimal) -> bool:
    """amount + tax = total, to the cent (both parts are printed rounded)."""
    return abs(amount + tax - total) <= _CENT

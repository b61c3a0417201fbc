"""VAT rates and the arithmetic between amount, tax and total."""

from __future__ import annotations

import re
from decimal import Decimal

# Rates that have been printed on fapiao (17/11 until 2018-05, 16/10 until 2019-04,
# 13/9/6 since; 5/3/1.5/1 for simplified collection and small-scale taxpayers).
RATES = frozenset(
    Decimal(r) / 100 for r in ("0", "1", "1.5", "3", "5", "6", "9", "10", "11", "13", "16", "17")
)
_ZERO_WORDS = ("免税", "不征税", "***", "**", "*")
_PERCENT = re.compile(r"(\d{1,2}(?:\.\d)?)%")
_CENT = Decimal("0.01")
# A total's tax is the sum of per-line taxes each rounded to the cent, so it may differ
# from total amount × rate by up to half a cent per line; we allow a cent per line and
# never less than 0.06 (the tolerance the tax bureau's own software applies).
_MIN_TOTAL_TOLERANCE = Decimal("0.06")


def parse_rate(text: str) -> Decimal | None:
    """ "13%" -> 0.13, "免税"/"不征税"/"***" -> 0; None for anything else."""
    t = text.strip()
    if t in _ZERO_WORDS:
        return Decimal(0)
    m = _PERCENT.fullmatch(t)
    if not m:
        return None
    rate = Decimal(m.group(1)) / 100
    return rate if rate in RATES else None


def tax_matches(amount: Decimal, rate: Decimal, tax: Decimal, *, lines: int = 1) -> bool:
    tolerance = max(_CENT * lines, _MIN_TOTAL_TOLERANCE) if lines > 1 else _CENT
    return abs(amount * rate - tax) <= tolerance


def sum_matches(amount: Decimal, tax: Decimal, total: Decimal) -> bool:
    """amount + tax = total, to the cent (both parts are printed rounded)."""
    return abs(amount + tax - total) <= _CENT

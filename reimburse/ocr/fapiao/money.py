"""Money as printed on fapiao: parsing OCR'd figures and formatting two decimals."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_CENT = Decimal("0.01")
_SHAPE = re.compile(r"-?\d+(?:\.\d{1,2})?")
# Thousands separators must sit between groups of three digits: "1,234.50" is money,
# "12,34" is two numbers that OCR ran together.
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")


def parse_money(text: str) -> Decimal | None:
    """ "¥1,234.50", "￥ 1234.5", "-88.00", "１２３.００", "1 234.50" -> Decimal; None when not money."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(t.replace("¥", "").split())
    if "," in t:
        if not _GROUPED.fullmatch(t):
            return None
        t = t.replace(",", "")
    if not _SHAPE.fullmatch(t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def fmt_money(value: Decimal) -> str:
    """Two decimals, rounded half up (the tax bureau's rounding)."""
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))

"""The total in Chinese capitals (大写), as printed on every fapiao: parse and render.

"壹万贰仟叁佰肆拾伍圆陆角柒分", "ⓧ叁佰圆整", "贰拾元正", "零圆伍角". OCR also reads 圆 as
园, returns traditional forms (貳, 參, 陸, 萬, 圓) and drops or adds a leading ⊗/ⓧ/×;
everything that is not a capital numeral or unit is ignored. A red-letter (negative)
invoice prints 负 before the capitals.
"""

from __future__ import annotations

from decimal import Decimal

_DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}
_KEEP = set(_DIGITS) | set(_SMALL_UNITS) | set("万亿圆元角分整正")
# Variants OCR returns for the simplified capitals.
_VARIANTS = str.maketrans("园圓貳參陸萬億", "圆圆贰叁陆万亿")


def parse_capitals(text: str) -> Decimal | None:
    """The amount the capitals spell, to the cent; None when the text has no capitals or
    they cannot be read safely.

    On fapiao every unit below 万 (拾, 佰, 仟) and every 角/分 follows its digit (壹拾, never
    拾), so a unit without a digit before it means OCR lost that digit — a stamp over it, a
    fold — and reading it as 壹 would turn 伍拾 into 10 without anyone noticing: None.
    """
    text = text.translate(_VARIANTS)
    negative = "负" in text
    chars = [c for c in text if c in _KEEP]
    if not any(c in _DIGITS or c in _SMALL_UNITS for c in chars):
        return None
    yuan = 0
    section = 0  # below 万
    wan = 0  # 万 group
    digit: int | None = None
    fraction = Decimal(0)
    for c in chars:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _SMALL_UNITS:
            if digit is None:
                return None
            section += digit * _SMALL_UNITS[c]
            digit = None
        elif c == "万":
            wan += (section + (digit or 0)) * 10_000
            section, digit = 0, None
        elif c == "亿":
            yuan += (wan + section + (digit or 0)) * 100_000_000
            wan, section, digit = 0, 0, None
        elif c in "圆元":
            yuan += wan + section + (digit or 0)
            wan, section, digit = 0, 0, None
        elif c in "角分":
            if digit is None:
                return None
            fraction += Decimal(digit) / (10 if c == "角" else 100)
            digit = None
    yuan += wan + section + (digit or 0)  # "叁佰" with the 圆 lost to OCR
    value = (Decimal(yuan) + fraction).quantize(Decimal("0.01"))
    return -value if negative and value else value


def to_capitals(amount: Decimal) -> str:
    """The official rendering, e.g. 1039.50 -> "壹仟零叁拾玖圆伍角整"."""
    if amount < 0:
        return "负" + to_capitals(-amount)
    cents = int((amount * 100).quantize(Decimal(1)))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    digits = "零壹贰叁肆伍陆柒捌玖"
    out = _integer(yuan, digits) + "圆" if yuan else ""
    if jiao:
        out += digits[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += digits[fen] + "分"
    if not cents:
        return "零圆整"
    if not fen:
        out += "整"
    return out


def _integer(n: int, digits: str) -> str:
    groups = []
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    out = ""
    zero_pending = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or g < 1000):
            out += "零"
        out += _group(g, digits) + ("", "万", "亿", "万亿")[idx]
        zero_pending = False
    return out


def _group(g: int, digits: str) -> str:
    out = ""
    zero = False
    for unit, value in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
        d = g // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += digits[d] + unit
    return out

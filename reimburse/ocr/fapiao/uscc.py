"""Taxpayer identifiers: the unified social credit code (GB 32100-2015) and older IDs.

A USCC has 18 characters over a 31-symbol alphabet (digits and capitals without I, O, S,
V, Z); the last is a check character: weights 3^i mod 31 over the first 17, and
check = (31 - sum mod 31) mod 31. Older taxpayer IDs (15, 17 or 20 characters, still
printed on pre-2016 invoices and by individual businesses) carry no check character, so
only their shape can be checked.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_LEGACY_LENGTHS = (15, 17, 20)


def uscc_check_digit(first17: str) -> str:
    """The check character for the first 17 characters of a USCC."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError("a USCC body is 17 characters of 0-9 and A-Y without I, O, S, V, Z")
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    code = code.strip().upper()
    if len(code) != 18 or any(c not in _VALUE for c in code):
        return False
    return uscc_check_digit(code[:17]) == code[17]


def tax_id_problem(tax_id: str) -> str | None:
    """None when the ID is well-formed, else what is wrong with it (for a review reason)."""
    code = tax_id.strip().upper()
    if len(code) == 18:
        if any(c not in _VALUE for c in code):
            return "contains characters a credit code never has"
        if not is_valid_uscc(code):
            return "the check character (GB 32100-2015) does not match"
        return None
    if len(code) in _LEGACY_LENGTHS and code.isalnum() and code.isascii():
        return None
    return f"a taxpayer ID has 15, 17, 18 or 20 characters, not {len(code)}"

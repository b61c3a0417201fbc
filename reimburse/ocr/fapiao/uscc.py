"""Taxpayer identifiers: the unified social credit code (GB 32100-2015) and older IDs.

A USCC has 18 characters over a 31-symbol alphabet (digits and capitals without I, O, S,
V, Z); the last is a check character: weights 3^i mod 31 over the first 17, and
check = (31 - sum mod 31) mod 31. Older taxpayer IDs (15, 17 or 20 characters, still
printed on pre-2016 invoices and by individual businesses) carry no check character, so
only their shape can be checked.
"""

from __future__ import annotations

import re

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
        if is_id_card_number(code):
            return None  # a person's taxpayer ID (a buyer, or a seller on a 代开 invoice)
        if any(c not in _VALUE for c in code):
            return "contains characters a credit code never has"
        if not is_valid_uscc(code):
            return "the check character (GB 32100-2015) does not match"
        return None
    if len(code) in _LEGACY_LENGTHS and code.isalnum() and code.isascii():
        # the older IDs are numbers: a region (its first two digits a province's; no
        # province's starts with 9) and an organisation code (15, its last characters may be
        # letters), an ID card's number and more (17, 20; the card may end in X). Anything
        # else is a credit code read a character short or long.
        region = code[:6].isdigit() and _ID_PROVINCES.fullmatch(code[:2])
        if not region or (len(code) != 15 and sum(c.isalpha() for c in code) > 1):
            return "looks like a credit code with a character missing or extra"
        return None
    return f"a taxpayer ID has 15, 17, 18 or 20 characters, not {len(code)}"


_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_PROVINCES = re.compile(r"1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]")
_BIRTH = re.compile(r"(19\d\d|20[0-4]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")


def is_id_card_number(code: str) -> bool:
    """A resident identity card's number (GB 11643-1999): a province, a birth date, and an
    ISO 7064 MOD 11-2 check character (0-9 or X). A person's taxpayer ID."""
    code = code.strip().upper()
    if len(code) != 18 or not code[:17].isdigit() or not _ID_PROVINCES.fullmatch(code[:2]):
        return False
    if not _BIRTH.fullmatch(code[6:14]):
        return False
    total = sum(int(c) * w for c, w in zip(code[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == code[17]


# Letters a credit code never contains, read by OCR in place of the digit (or letter) they
# resemble: these replacements are certain, since the original cannot have been the letter.
_IMPOSSIBLE = str.maketrans({"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"})
# Look-alikes that are both valid characters: a swap is only a guess, made when exactly one
# swap yields a valid check character.
_LOOK_ALIKES: dict[str, str] = {"0": "DQ", "D": "0", "Q": "0", "8": "B", "B": "8", "6": "G", "G": "6"}


def uscc_impossible_fixed(code: str) -> str | None:
    """The code with I, O, S, V, Z replaced by their look-alikes when that makes the check
    character hold, else None. Deterministic: a credit code never contains those letters."""
    fixed = code.strip().upper().translate(_IMPOSSIBLE)
    if fixed != code.strip().upper() and is_valid_uscc(fixed):
        return fixed
    return None


def repair_uscc(code: str) -> str | None:
    """The credit code OCR most likely misread, or None when no repair is convincing.

    First letters that never occur (I, O, S, V, Z) become their look-alikes; if the check
    character then holds, that is the code. Otherwise one swap between look-alike valid
    characters (0/D/Q, 8/B, 6/G) is tried everywhere, and accepted only when exactly one
    swap makes the check character hold: a random swap passes with probability 1/31, so a
    unique repair is a good guess but still a guess, and callers should lower confidence.
    """
    fixed = code.strip().upper().translate(_IMPOSSIBLE)
    if len(fixed) != 18 or any(c not in _VALUE for c in fixed):
        return None
    if is_valid_uscc(fixed):
        return fixed
    repairs = {
        fixed[:i] + alt + fixed[i + 1 :]
        for i, c in enumerate(fixed)
        for alt in _LOOK_ALIKES.get(c, "")
        if is_valid_uscc(fixed[:i] + alt + fixed[i + 1 :])
    }
    return repairs.pop() if len(repairs) == 1 else None

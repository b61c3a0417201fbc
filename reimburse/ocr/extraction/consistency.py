"""Field-level consistency rules. They can only ADD review reasons, never remove one.

Each rule looks at the fields together, the way a careful clerk would: a value must have its
field's shape, no value may stand in two fields, the amounts must agree with the line items,
a tax ID printed elsewhere on the page (the seller's seal) must be the seller's and the name
around it the seller's name, the year printed into the invoice code (or a digital invoice's
number) must fit the issue date, the tax must be a VAT rate's share of the amount, and a value
computed from others (source ``derived``) confirms nothing: the fields it was computed from
stay unchecked unless something independent (QR, capitals, line items) confirms them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from reimburse.ocr.domain import STAMP_WORDS, FieldSource, FieldValue, LineItem, ReviewReason
from reimburse.ocr.extraction.seal import Seal
from reimburse.ocr.fapiao.divisions import PROVINCES, mentions_province, name_province, tax_id_province
from reimburse.ocr.fapiao.money import parse_money
from reimburse.ocr.fapiao.uscc import is_valid_uscc, tax_id_problem

_IDENTIFIERS = ("invoice_code", "invoice_number", "check_code", "buyer_tax_id", "seller_tax_id")
_NAMES = ("buyer_name", "seller_name")
# Printed labels and identifier-like runs that a party's name never is or contains.
_LABEL_IN_NAME = re.compile(
    r"校验码|识别号|纳税人|开票日期|发票代码|发票号码|机器编号|密码区|价税合计|开户行"
)
_ID_LIKE = re.compile(r"[0-9A-Z]{8,}")
# Only the legal form (限公司, 有限公司, 股份有限公司): the name before it was lost, under a
# stamp or off the crop.
_FORM_ONLY = re.compile(r"^[有限责任股份]{0,6}公司$")
_AMOUNTS = ("amount_excl_tax", "tax", "total")
# A name with one character read below this confidence goes to a person (measured on the
# tuning part of the dev set, bench/README.md: a wrong character in a long name barely moves
# the line's mean score, but its own score is low).
NAME_CHAR_FLOOR = 0.8
# Characters read around a seal that are not its name: the seal's own words, the labels and
# copy marks printed beside it, and the ring's border, which the recogniser reads as strokes.
_SEAL_STOCK = frozenset(
    "发票专用章财务合同监制全国统一税务总局销售方购买备注收款人复核开票第联抵扣记账一二三四十丨口"
)
# Below this a character read on the curved ring is noise (dev set, tuning part: the ring
# fragments read under 0.5 were misreads of 发票专用章 or of the border).
SEAL_CHAR_FLOOR = 0.5
# Invoice codes carry the year their plate was made (10 digits) or their batch was printed
# (12 digits); paper stock is used from that year on, for some years at most.
CODE_YEARS_OF_USE = 10
# The highest VAT rate there has been (17%, until 2018): tax beyond it is not VAT on the amount.
_MAX_RATE = Decimal("0.17")


def consistency_reasons(
    fields: Mapping[str, FieldValue],
    items: Sequence[LineItem],
    *,
    capitals_total: str | None,
    page_tax_ids: Sequence[str] = (),
    seals: Sequence[Seal] = (),
    agent_issued: bool = False,
    name_char_scores: Mapping[str, Sequence[float] | None] | None = None,
) -> list[ReviewReason]:
    """Review reasons for values that contradict each other or their field's shape."""
    value = {k: v.value for k, v in fields.items()}
    out: list[ReviewReason] = []
    out += _two_fields(value)
    out += _name_shapes(value)
    out += _derived(fields, items, capitals_total)
    out += _items(value, items)
    out += _years(value)
    out += _tax_share(value)
    out += _regions(value)
    if not agent_issued:
        out += _seal(value, page_tax_ids)
        out += _seal_name(value, seals)
    for name, scores in (name_char_scores or {}).items():
        if not scores or min(scores) >= NAME_CHAR_FLOOR:
            continue
        # which characters: the app marks them in place, in the value as read
        weak = [str(i) for i, score in enumerate(scores) if score < NAME_CHAR_FLOOR]
        out.append(
            ReviewReason(
                "name_uncertain",
                f"a character of the {name.split('_')[0]} name was hard to read ({min(scores):.2f})",
                (name,),
                (("chars", ",".join(weak)),),
            )
        )
    return out


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def _two_fields(value: Mapping[str, str]) -> list[ReviewReason]:
    """One printed value read into two fields (a check code as a tax ID, the buyer's tax ID
    as the seller's, a tax ID as a name): at least one of them is wrong."""
    out: list[ReviewReason] = []
    keys = [k for k in (*_IDENTIFIERS, *_NAMES) if value.get(k)]
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            va, vb = _norm(value[a]), _norm(value[b])
            if va == vb or (a not in _NAMES and b in _NAMES and len(va) >= 8 and va in vb):
                out.append(
                    ReviewReason(
                        "value_in_two_fields", f"{a} and {b} hold the same value {value[a]!r}", (a, b)
                    )
                )
    return out


def _name_shapes(value: Mapping[str, str]) -> list[ReviewReason]:
    out: list[ReviewReason] = []
    for name in _NAMES:
        text = value.get(name)
        if text is None:
            continue
        cjk = sum("\u4e00" <= c <= "\u9fff" for c in text)
        if (
            _LABEL_IN_NAME.search(text)
            or STAMP_WORDS.search(text)
            or _FORM_ONLY.match(text)
            or _ID_LIKE.search(_norm(text))
            or cjk < 2
        ):
            out.append(ReviewReason("field_shape", f"{name} {text!r} does not look like a name", (name,)))
    return out


def _derived(
    fields: Mapping[str, FieldValue], items: Sequence[LineItem], capitals_total: str | None
) -> list[ReviewReason]:
    """A derived amount makes amount + tax = total true by construction, so the three are
    unchecked unless the total and the amount are each confirmed by something independent."""
    derived = [k for k in _AMOUNTS if k in fields and fields[k].source is FieldSource.DERIVED]
    if not derived:
        return []
    total, amount = fields.get("total"), fields.get("amount_excl_tax")
    total_ok = total is not None and (
        total.source is FieldSource.QR
        or (
            capitals_total is not None
            and total.source is not FieldSource.DERIVED
            and _eq(total.value, capitals_total)
        )
    )
    item_sum = _sum(i.amount for i in items)
    amount_ok = amount is not None and (
        amount.source is FieldSource.QR
        or (
            item_sum is not None
            and amount.source is not FieldSource.DERIVED
            and _eq(amount.value, str(item_sum))
        )
    )
    if total_ok and amount_ok:
        return []
    names = tuple(k for k in _AMOUNTS if k in fields)
    return [
        ReviewReason(
            "derived_unconfirmed",
            f"{', '.join(derived)} computed from the other amounts, which nothing else confirms",
            names,
        )
    ]


def _items(value: Mapping[str, str], items: Sequence[LineItem]) -> list[ReviewReason]:
    """The line items' amounts (and taxes) add up to the 合计 row."""
    out: list[ReviewReason] = []
    for field, attr in (("amount_excl_tax", "amount"), ("tax", "tax")):
        got = value.get(field)
        total = _sum(getattr(i, attr) for i in items)
        if got is None or total is None or len(items) == 0:
            continue
        if abs(Decimal(got) - total) > Decimal("0.01") * len(items):
            out.append(
                ReviewReason(
                    "items_sum_mismatch",
                    f"the line items' {attr}s add up to {total}, the {field} is {got}",
                    (field,),
                    (("sum", str(total)), ("value", str(got))),
                )
            )
    return out


def _regions(value: Mapping[str, str]) -> list[ReviewReason]:
    """A company's name and its taxpayer ID both say where it is registered (see
    ``fapiao.divisions``). Two provinces mean one value is misread or is the other party's:
    the buyer's tax ID beside the seller's name passes every other check when both are valid."""
    out: list[ReviewReason] = []
    for party in ("buyer", "seller"):
        name, tax_id = value.get(f"{party}_name"), value.get(f"{party}_tax_id")
        if not name or not tax_id:
            continue
        by_name, by_id = name_province(name), tax_id_province(tax_id)
        if by_name is None or by_id is None or by_name == by_id or mentions_province(name, by_id):
            continue
        out.append(
            ReviewReason(
                "party_region_mismatch",
                f"the {party}'s name places it in {PROVINCES[by_name]}, "
                f"but its tax ID was issued in {PROVINCES[by_id]}",
                (f"{party}_name", f"{party}_tax_id"),
                (("name_place", PROVINCES[by_name]), ("tax_id_place", PROVINCES[by_id])),
            )
        )
    return out


def _seal(value: Mapping[str, str], page_tax_ids: Sequence[str]) -> list[ReviewReason]:
    """A valid credit code (or an older 15-character ID) printed outside the labelled boxes is
    the seller's seal (or its remarks); if none of them is the seller's tax ID, one of the
    readings is wrong."""
    seller = value.get("seller_tax_id")
    buyer = value.get("buyer_tax_id") or ""
    others = {
        t
        for t in page_tax_ids
        if (is_valid_uscc(t) or (len(t) == 15 and tax_id_problem(t) is None)) and not same_taxpayer(t, buyer)
    }
    if seller is None or not others or any(same_taxpayer(seller, t) for t in others):
        return []
    return [
        ReviewReason(
            "seal_tax_id_mismatch",
            f"the page also shows the tax ID {sorted(others)[0]}, not the seller's {seller}",
            ("seller_tax_id",),
        )
    ]


def same_taxpayer(a: str, b: str) -> bool:
    """The same taxpayer's ID, as printed or in its older form: a credit code's characters 3-17
    are the 15-character ID it replaced (division and organisation code), which an older
    seal still shows."""
    if len(a) < len(b):
        a, b = b, a
    return a == b or (len(a) == 18 and len(b) == 15 and a[2:17] == b)


def _seal_name(value: Mapping[str, str], seals: Sequence[Seal]) -> list[ReviewReason]:
    """The seller's seal prints the seller's name around its ring. A character read there (well
    enough to count) that the seller name lacks means one of the two copies was misread, and
    the seal's was not typed by the seller: a one-character misread of the name (a confident
    recogniser, nothing else checks it) shows here."""
    name, tax_id = value.get("seller_name"), value.get("seller_tax_id")
    if not name or not tax_id:
        return []
    odd = sorted(
        {
            char
            for seal in seals
            if seal.tax_id == tax_id
            for char, score in seal.ring
            if score >= SEAL_CHAR_FLOOR and char not in _SEAL_STOCK and char not in name
        }
    )
    if not odd:
        return []
    return [
        ReviewReason(
            "seal_name_mismatch",
            f"the seller's seal shows {''.join(odd)}, which the seller name {name!r} does not contain",
            ("seller_name",),
            (("seal", "".join(odd)),),
        )
    ]


def code_year(code: str) -> int | None:
    """The year printed into an invoice code: digits 5-6 of a 10-digit VAT code (the plate's
    year), digits 6-7 of a 12-digit one (the printing batch's year); None for other shapes."""
    if not code.isdigit():
        return None
    if len(code) == 10:
        yy = int(code[4:6])
    elif len(code) == 12 and code[0] in "012":
        yy = int(code[5:7])
    else:
        return None
    return 1900 + yy if yy >= 90 else 2000 + yy


def number_year(number: str) -> int | None:
    """The year a fully digital invoice's 20-digit number begins with (it is given at issue)."""
    return 2000 + int(number[:2]) if number.isdigit() and len(number) == 20 else None


def _years(value: Mapping[str, str]) -> list[ReviewReason]:
    """The issue date against the year the code or the digital number carries: a misread digit
    in either (a date read from the wrong line, a code from a stamp) breaks the pair."""
    issued = value.get("issue_date")
    if issued is None:
        return []
    year = int(issued[:4])
    out: list[ReviewReason] = []
    code = value.get("invoice_code")
    made = code_year(code) if code else None
    if made is not None and not made <= year <= made + CODE_YEARS_OF_USE:
        out.append(
            ReviewReason(
                "code_year_mismatch",
                f"the invoice code {code} was printed in {made}; the issue date is {issued}",
                ("invoice_code", "issue_date"),
                (("year", str(made)), ("date", issued)),
            )
        )
    number = value.get("invoice_number")
    given = number_year(number) if number else None
    if given is not None and given != year:
        out.append(
            ReviewReason(
                "number_year_mismatch",
                f"the invoice number {number} was given in {given}; the issue date is {issued}",
                ("invoice_number", "issue_date"),
                (("year", str(given)), ("date", issued)),
            )
        )
    return out


def _tax_share(value: Mapping[str, str]) -> list[ReviewReason]:
    """VAT is at most 17% of the amount and has its sign: anything else is two amounts swapped
    or misread, even when amount + tax = total still holds."""
    amount = parse_money(value["amount_excl_tax"]) if "amount_excl_tax" in value else None
    tax = parse_money(value["tax"]) if "tax" in value else None
    if amount is None or tax is None or tax == 0:
        return []
    if (tax > 0) == (amount > 0) and abs(tax) <= abs(amount) * _MAX_RATE + Decimal("0.05"):
        return []
    return [
        ReviewReason(
            "tax_share_implausible",
            f"a tax of {tax} cannot be VAT on an amount of {amount}",
            ("amount_excl_tax", "tax"),
            (("amount", str(amount)), ("tax", str(tax))),
        )
    ]


def _eq(a: str, b: str) -> bool:
    x, y = parse_money(a), parse_money(b)
    return x is not None and y is not None and x == y


def _sum(values: Iterable[str | None]) -> Decimal | None:
    """The sum when every value is present and parses, else None."""
    out = Decimal(0)
    seen = False
    for v in values:
        parsed = parse_money(v) if v is not None else None
        if parsed is None:
            return None
        out += parsed
        seen = True
    return out if seen else None

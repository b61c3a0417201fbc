"""Seeded generator of synthetic fapiao: what an invoice says, before it is drawn.

``generate(rng, kind)`` returns a ``SynthInvoice``: the expected ``Extraction`` (what a
perfect reader reports) plus what the renderer needs to print that the extraction does
not carry (addresses, bank accounts, the cipher area, people, the QR text). Every value
is consistent the way a genuine invoice is: amount + tax = total, tax = amount × rate per
line, the capitals spell the total, tax IDs carry valid GB 32100 check characters, codes
and numbers follow the shapes of their kind, and rates belong to the era of the date.

Names are random compositions of common words (``synth.words``); nothing comes from a
real invoice.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from reimburse.ocr.domain import DocumentType, Extraction, FieldSource, FieldValue, LineItem
from reimburse.ocr.fapiao.capitals import to_capitals
from reimburse.ocr.fapiao.divisions import PLACES
from reimburse.ocr.fapiao.money import fmt_money
from reimburse.ocr.fapiao.tax import rate_in_force
from reimburse.ocr.fapiao.uscc import uscc_check_digit
from reimburse.synth import words

INVOICE_KINDS: tuple[DocumentType, ...] = (
    DocumentType.VAT_SPECIAL,
    DocumentType.VAT_GENERAL,
    DocumentType.VAT_ELECTRONIC_GENERAL,
    DocumentType.VAT_ROLL,
    DocumentType.DIGITAL_SPECIAL,
    DocumentType.DIGITAL_GENERAL,
    DocumentType.QUOTA,
    DocumentType.TRAIN_TICKET,
)
# Documents that are not fapiao but get photographed for claims all the same.
NEGATIVE_KINDS: tuple[str, ...] = ("shop_receipt", "bank_slip", "commercial_invoice")
# Kinds that may be agent-issued (代开): paper VAT invoices issued by a tax office.
AGENT_KINDS = frozenset({DocumentType.VAT_SPECIAL, DocumentType.VAT_GENERAL})

_CENT = Decimal("0.01")
_QR_TYPES = {
    DocumentType.VAT_SPECIAL: "01",
    DocumentType.VAT_GENERAL: "04",
    DocumentType.VAT_ELECTRONIC_GENERAL: "10",
    DocumentType.VAT_ROLL: "11",
    DocumentType.DIGITAL_SPECIAL: "31",
    DocumentType.DIGITAL_GENERAL: "32",
}
_WITH_CHECK_CODE = frozenset(
    {DocumentType.VAT_GENERAL, DocumentType.VAT_ELECTRONIC_GENERAL, DocumentType.VAT_ROLL}
)
_DIGITAL = frozenset({DocumentType.DIGITAL_SPECIAL, DocumentType.DIGITAL_GENERAL})
# When each kind was (and is) issued, so dates and rates stay plausible.
_DATE_RANGES = {
    DocumentType.VAT_SPECIAL: (date(2017, 1, 1), date(2025, 6, 30)),
    DocumentType.VAT_GENERAL: (date(2017, 1, 1), date(2025, 6, 30)),
    DocumentType.VAT_ELECTRONIC_GENERAL: (date(2017, 1, 1), date(2025, 6, 30)),
    DocumentType.VAT_ROLL: (date(2017, 1, 1), date(2024, 12, 31)),
    DocumentType.DIGITAL_SPECIAL: (date(2022, 1, 1), date(2025, 10, 31)),
    DocumentType.DIGITAL_GENERAL: (date(2022, 1, 1), date(2025, 10, 31)),
    DocumentType.QUOTA: (date(2017, 1, 1), date(2024, 12, 31)),
    DocumentType.TRAIN_TICKET: (date(2024, 11, 1), date(2025, 10, 31)),
}
# Rate per group, newest first; the first one in force on the date is used.
_RATE_GROUPS = {
    "goods": ("0.13", "0.16", "0.17"),
    "transport": ("0.09", "0.10", "0.11"),
    "services": ("0.06",),
    "simple": ("0.03",),
}
_QUOTA_VALUES = (1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    tax_id: str
    address_phone: str
    bank_account: str


@dataclass(frozen=True, slots=True)
class SynthInvoice:
    """One synthetic document: the expected reading plus what only the printout shows."""

    kind: str  # a DocumentType value or one of NEGATIVE_KINDS
    expected: Extraction
    title: str = ""
    region: str = ""  # printed in titles of regional forms
    issue_date: date | None = None
    buyer: Party | None = None
    seller: Party | None = None  # as printed: the tax office on agent-issued invoices
    qr_text: str | None = None
    machine_number: str | None = None
    cipher: tuple[str, ...] = ()
    payee: str = ""
    reviewer: str = ""
    drawer: str = ""
    # kind-specific printout: train stations, receipt lines, bank slip parties, ...
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def is_invoice(self) -> bool:
        return self.expected.is_invoice


def generate(rng: random.Random, kind: str, *, agent_issued: bool = False) -> SynthInvoice:
    """A consistent synthetic document of ``kind`` (a ``DocumentType`` value or a negative)."""
    if kind in NEGATIVE_KINDS:
        return _negative(rng, kind)
    doc_type = DocumentType(kind)
    if doc_type is DocumentType.QUOTA:
        return _quota(rng)
    if doc_type is DocumentType.TRAIN_TICKET:
        return _train_ticket(rng)
    if agent_issued and doc_type not in AGENT_KINDS:
        raise ValueError(f"{kind} invoices are not agent-issued")
    return _vat(rng, doc_type, agent_issued)


def expected_invoices(seed: int, count: int) -> list[Extraction]:
    """``count`` expected readings cycling through the invoice kinds, reproducible by seed."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kind = INVOICE_KINDS[i % len(INVOICE_KINDS)]
        agent = kind in AGENT_KINDS and rng.random() < 0.25
        out.append(generate(rng, kind.value, agent_issued=agent).expected)
    return out


# ---------------------------------------------------------------- identifiers


def uscc(rng: random.Random, division: str) -> str:
    """A unified social credit code: registration authority 9 (market regulation), type
    1 (enterprise), the 6-digit division, a 9-character organisation code with its GB 11714
    check character, then the GB 32100 check character."""
    body = "".join(rng.choice(string.digits + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = body + _org_check(body)
    first17 = "91" + division + org
    return first17 + uscc_check_digit(first17)


def _org_check(body: str) -> str:
    # GB 11714: weights 3,7,9,10,5,8,4,2 over the 8 characters (letters count 10..35);
    # check = 11 - sum mod 11, where 10 is written X and 11 is written 0.
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _invoice_code(rng: random.Random, doc_type: DocumentType, prefix: str, year: int) -> str:
    yy = f"{year % 100:02d}"
    if doc_type is DocumentType.VAT_SPECIAL:
        return prefix + yy + _digits(rng, 1) + rng.choice("15") + rng.choice(("30", "40", "60"))
    if doc_type is DocumentType.VAT_GENERAL and rng.random() < 0.5:
        return prefix + yy + _digits(rng, 1) + rng.choice("36") + rng.choice(("30", "40", "60"))
    tail = {
        DocumentType.VAT_GENERAL: rng.choice(("04", "05")),
        DocumentType.VAT_ELECTRONIC_GENERAL: "11",
        DocumentType.VAT_ROLL: rng.choice(("06", "07")),
    }[doc_type]
    return "0" + prefix + yy + _digits(rng, 3) + tail


def _digital_number(rng: random.Random, issued: date, province: str) -> str:
    return f"{issued.year % 100:02d}{province}2" + "00000" + _digits(rng, 10)


def _crc(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(4))


def _cipher(rng: random.Random) -> tuple[str, ...]:
    chars = "0123456789+-*/<>"
    return tuple("".join(rng.choice(chars) for _ in range(28)) for _ in range(4))


# ---------------------------------------------------------------- parties


def _city(rng: random.Random) -> tuple[str, str, str, str]:
    return rng.choice(words.CITIES)


def company_name(rng: random.Random, city: str) -> str:
    brand = "".join(rng.sample(words.BRAND_CHARS, 2))
    place = city.removesuffix("市") if rng.random() < 0.7 else ""
    if brand in PLACES:
        place = city.removesuffix("市")  # a place is no trade name: its city comes first
    return f"{place}{brand}{rng.choice(words.INDUSTRIES)}{rng.choice(words.COMPANY_FORMS)}"


def person(rng: random.Random) -> str:
    given = "".join(rng.choice(words.GIVEN_CHARS) for _ in range(rng.choice((1, 2))))
    return rng.choice(words.SURNAMES) + given


def _party(rng: random.Random, *, sparse: bool = False) -> Party:
    _province, city, division, _code = _city(rng)
    name = company_name(rng, city)
    tax_id = uscc(rng, division + f"{rng.randint(1, 19):02d}")
    if sparse:
        return Party(name, tax_id, "", "")
    address = (
        f"{city}{rng.choice(words.DISTRICTS)}{rng.choice(words.ROADS)}{rng.randint(1, 399)}号 "
        f"0{rng.randint(10, 99)}-{_digits(rng, 8)}"
    )
    branch = f"{city.removesuffix('市')}{rng.choice(words.DISTRICTS)}支行"
    bank = f"{rng.choice(words.BANKS)}{branch} {_digits(rng, 19)}"
    return Party(name, tax_id, address, bank)


# ---------------------------------------------------------------- amounts


def _random_date(rng: random.Random, doc_type: DocumentType) -> date:
    first, last = _DATE_RANGES[doc_type]
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _rate(group: str, on: date) -> Decimal:
    for r in _RATE_GROUPS[group]:
        if rate_in_force(Decimal(r), on):
            return Decimal(r)
    raise AssertionError(f"no {group} rate in force on {on}")  # pragma: no cover - tables cover all dates


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _items(rng: random.Random, on: date, *, simple: bool, most: int = 6) -> tuple[LineItem, ...]:
    count = rng.choices((1, 2, 3, 4, 5, 6)[:most], weights=(40, 20, 15, 10, 8, 7)[:most])[0]
    chosen = rng.sample(words.GOODS, count)
    prefixed = on >= date(2018, 1, 1)  # tax-classification prefixes printed since 2018
    out = []
    for name, spec, unit, group, (low, high) in chosen:
        rate = _rate("simple", on) if simple else _rate(group, on)
        if not prefixed:
            name = name.rsplit("*", 1)[-1]
        if not unit and rng.random() < 0.7:
            # services billed as one sum print no quantity or unit price
            amount = _money(Decimal(rng.randint(low * 100, high * 100)) / 100)
            qty_text = price_text = None
        else:
            # cheap goods come by the box-load, services by the unit
            qty = rng.randint(1, 30 if high < 100 else 10 if high < 1000 else 3)
            if rng.random() < 0.35:
                # price entered tax-inclusive: the unit price excl. tax has long decimals
                gross = Decimal(rng.randint(low * 100, high * 100)) / 100
                price = gross / (1 + rate)
                price_text = f"{price:.8f}".rstrip("0").rstrip(".")
                amount = _money(gross * qty / (1 + rate))
            else:
                price = Decimal(rng.randint(low * 100, high * 100)) / 100
                price_text = fmt_money(price)
                amount = _money(price * qty)
            qty_text = str(qty)
        tax = _money(amount * rate)
        out.append(
            LineItem(
                name=name,
                spec=spec or None,
                unit=unit or None,
                quantity=qty_text,
                unit_price=price_text,
                amount=fmt_money(amount),
                tax_rate=f"{(rate * 100).normalize():f}%",
                tax=fmt_money(tax),
            )
        )
    return tuple(out)


def _fields(values: dict[str, str | None], qr_fields: frozenset[str]) -> dict[str, FieldValue]:
    return {
        k: FieldValue(v, 1.0, FieldSource.QR if k in qr_fields else FieldSource.OCR)
        for k, v in values.items()
        if v is not None
    }


# ---------------------------------------------------------------- kinds


def _vat(rng: random.Random, doc_type: DocumentType, agent: bool) -> SynthInvoice:
    province, city, division, prov_code = _city(rng)
    issued = _random_date(rng, doc_type)
    digital = doc_type in _DIGITAL
    code_prefix = division if division in words.SEPARATE_PLAN_CITIES else prov_code + "00"
    code = None if digital else _invoice_code(rng, doc_type, code_prefix, issued.year)
    number = _digital_number(rng, issued, prov_code) if digital else _digits(rng, 8)
    check = _digits(rng, 20) if doc_type in _WITH_CHECK_CODE else None
    # a special invoice must show all four buyer details; general ones often omit them
    special = doc_type is DocumentType.VAT_SPECIAL
    buyer = _party(rng, sparse=digital or (not special and rng.random() < 0.2))
    real_seller = _party(rng, sparse=digital)
    # small-scale sellers, and everything a tax office issues for them, use 3%
    simple = agent or rng.random() < 0.15
    roll = doc_type is DocumentType.VAT_ROLL
    items = _items(rng, issued, simple=simple, most=3 if roll else 6)
    amount = sum((Decimal(i.amount or 0) for i in items), Decimal(0))
    tax = sum((Decimal(i.tax or 0) for i in items), Decimal(0))
    total = amount + tax
    if roll:
        # A roll invoice prints tax-inclusive prices only; the split is in the QR and the
        # tax system, and derivable from the total.
        items = tuple(_gross_item(i) for i in items)
    region = province if code_prefix.endswith("00") else city.removesuffix("市")
    title = _title(doc_type, region)

    remarks = None
    printed_seller = real_seller
    if agent:
        office_division = division + f"{rng.randint(1, 19):02d}"
        printed_seller = Party(
            f"国家税务总局{city}{rng.choice(words.DISTRICTS)}税务局",
            office_division + "00DK" + _digits(rng, 5),
            f"{city}{rng.choice(words.ROADS)}{rng.randint(1, 99)}号",
            f"{_digits(rng, 14)}(完税凭证号)",
        )
        remarks = f"代开企业税号:{real_seller.tax_id} 代开企业名称:{real_seller.name}"
    elif rng.random() < 0.3:
        remarks = rng.choice(("订单号:", "合同号:", "项目编号:")) + _digits(rng, rng.randint(8, 14))

    ymd = issued.strftime("%Y%m%d")
    # The QR amount is the total for digital invoices and the amount excluding tax for the
    # others (``ocr.fapiao.qr``). For roll invoices, which print only tax-inclusive
    # figures, we follow the same convention; we could not confirm it from a primary source.
    qr_amount = fmt_money(total) if digital else fmt_money(amount)
    qr_text = f"01,{_QR_TYPES[doc_type]},{code or ''},{number},{qr_amount},{ymd},{check or ''},{_crc(rng)}"
    qr_fields = frozenset({"invoice_code", "invoice_number", "issue_date", "check_code"}) | {
        "total" if digital else "amount_excl_tax"
    }
    values: dict[str, str | None] = {
        "invoice_code": code,
        "invoice_number": number,
        "issue_date": issued.isoformat(),
        "amount_excl_tax": fmt_money(amount),
        "tax": fmt_money(tax),
        "total": fmt_money(total),
        "check_code": check,
        "buyer_name": buyer.name,
        "buyer_tax_id": buyer.tax_id,
        "seller_name": real_seller.name,
        "seller_tax_id": real_seller.tax_id,
    }
    expected = Extraction(
        is_invoice=True,
        document_type=doc_type,
        fields=_fields(values, qr_fields),
        line_items=items,
        remarks=remarks,
        agent_issued=agent,
    )
    return SynthInvoice(
        kind=doc_type.value,
        expected=expected,
        title=title,
        region=region,
        issue_date=issued,
        buyer=buyer,
        seller=printed_seller,
        qr_text=qr_text,
        machine_number=_digits(rng, 12) if doc_type is DocumentType.VAT_ELECTRONIC_GENERAL else None,
        cipher=() if digital else _cipher(rng),
        payee=person(rng) if rng.random() < 0.7 else "",
        reviewer=person(rng) if rng.random() < 0.5 else "",
        drawer=person(rng),
        extras={
            "capitals": to_capitals(total),
            "seller_stamp_name": real_seller.name,
            "seller_stamp_id": real_seller.tax_id,
        },
    )


def _gross_item(item: LineItem) -> LineItem:
    gross = fmt_money(Decimal(item.amount or 0) + Decimal(item.tax or 0))
    return LineItem(name=item.name, quantity="1", unit_price=gross, amount=gross)


def _title(doc_type: DocumentType, region: str) -> str:
    return {
        DocumentType.VAT_SPECIAL: f"{region}增值税专用发票",
        DocumentType.VAT_GENERAL: f"{region}增值税普通发票",
        DocumentType.VAT_ELECTRONIC_GENERAL: f"{region}增值税电子普通发票",
        DocumentType.VAT_ROLL: f"{region}增值税普通发票(卷票)",
        DocumentType.DIGITAL_SPECIAL: "电子发票(增值税专用发票)",
        DocumentType.DIGITAL_GENERAL: "电子发票(普通发票)",
    }[doc_type]


def _quota(rng: random.Random) -> SynthInvoice:
    province, _city_name, _division, prov_code = _city(rng)
    issued = _random_date(rng, DocumentType.QUOTA)
    # Local general invoices: 12 digits, not 0-led; digit 8 is kept off 2, which would
    # make the code read as a motor-vehicle invoice's.
    code = "1" + prov_code + "00" + f"{issued.year % 100:02d}" + rng.choice("13456789") + _digits(rng, 4)
    number = _digits(rng, 8)
    value = Decimal(rng.choice(_QUOTA_VALUES))
    seller = _party(rng, sparse=True)
    values: dict[str, str | None] = {
        "invoice_code": code,
        "invoice_number": number,
        "total": fmt_money(value),
        "seller_tax_id": seller.tax_id,
    }
    expected = Extraction(
        is_invoice=True, document_type=DocumentType.QUOTA, fields=_fields(values, frozenset())
    )
    return SynthInvoice(
        kind=DocumentType.QUOTA.value,
        expected=expected,
        title=f"{province}通用定额发票",
        region=province,
        issue_date=issued,
        seller=seller,
        extras={"capitals": to_capitals(value).removesuffix("整"), "value": fmt_money(value)},
    )


_STATIONS = (
    "北京南",
    "上海虹桥",
    "南京南",
    "杭州东",
    "苏州",
    "无锡",
    "广州南",
    "深圳北",
    "武汉",
    "长沙南",
    "成都东",
    "西安北",
)


def _train_ticket(rng: random.Random) -> SynthInvoice:
    _province, _city_name, _division, prov_code = _city(rng)
    issued = _random_date(rng, DocumentType.TRAIN_TICKET)
    travel = issued - timedelta(days=rng.randint(0, 20))
    number = f"{issued.year % 100:02d}{prov_code}" + _digits(rng, 16)
    price = Decimal(rng.randint(10, 900)) + Decimal(rng.choice((0, 50))) / 100
    buyer = _party(rng, sparse=True)
    origin, destination = rng.sample(_STATIONS, 2)
    values: dict[str, str | None] = {
        "invoice_number": number,
        "issue_date": issued.isoformat(),
        "total": fmt_money(price),
        "buyer_name": buyer.name,
        "buyer_tax_id": buyer.tax_id,
    }
    expected = Extraction(
        is_invoice=True, document_type=DocumentType.TRAIN_TICKET, fields=_fields(values, frozenset())
    )
    return SynthInvoice(
        kind=DocumentType.TRAIN_TICKET.value,
        expected=expected,
        title="电子发票(铁路电子客票)",
        issue_date=issued,
        buyer=buyer,
        # The ticket's QR carries the railway's own data, not a fapiao payload.
        qr_text="".join(rng.choice(string.ascii_letters + string.digits) for _ in range(96)),
        extras={
            "origin": origin,
            "destination": destination,
            "train": rng.choice("GDK") + str(rng.randint(10, 9999)),
            "departure": f"{travel.year}年{travel.month:02d}月{travel.day:02d}日 "
            f"{rng.randint(6, 21):02d}:{rng.randint(0, 59):02d}开",
            "seat": f"{rng.randint(1, 16):02d}车{rng.randint(1, 20):02d}{rng.choice('ABCDF')}号",
            "class": rng.choice(("二等座", "一等座", "商务座")),
            "passenger": person(rng),
            # an ID card number: 6-digit division, birth year, the rest masked as printed
            "id_masked": f"{_division}{rng.randint(1, 19):02d}{rng.randint(1960, 2004)}****{_digits(rng, 4)}",
            "ticket_no": _digits(rng, 20),
            "price": fmt_money(price),
        },
    )


def _negative(rng: random.Random, kind: str) -> SynthInvoice:
    expected = Extraction(is_invoice=False, document_type=DocumentType.NOT_INVOICE)
    _province, city, _division, _code = _city(rng)
    day = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
    amount = _money(Decimal(rng.randint(500, 500000)) / 100)
    extras = {
        "date": day.isoformat(),
        "amount": fmt_money(amount),
        "capitals": to_capitals(amount),
        "city": city,
        "shop": f"{''.join(rng.sample(words.BRAND_CHARS, 2))}便利店({city.removesuffix('市')}店)",
        "payer": company_name(rng, city),
        "payee": company_name(rng, city),
        "payer_account": _digits(rng, 19),
        "payee_account": _digits(rng, 19),
        "bank": rng.choice(words.BANKS),
        "serial": _digits(rng, 16),
        "person": person(rng),
    }
    return SynthInvoice(kind=kind, expected=expected, issue_date=day, extras=extras)

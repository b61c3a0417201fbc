"""Invoice validation: buyer, identifier formats, arithmetic, VAT rates and the date window.

Every check is a pure function of the invoice facts and the values it needs (the company's
legal entities, the policy, ``today``) and returns findings; none raises on bad data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from reimburse.claims.domain import Category, Finding, InvoiceFacts, LegalEntity, Severity
from reimburse.ocr.domain import DocumentType
from reimburse.ocr.fapiao.formats import (
    describe_invoice_code,
    digital_number_year,
    is_check_code,
    is_invoice_code,
    is_invoice_number,
)
from reimburse.ocr.fapiao.tax import rate_in_force, sum_matches
from reimburse.ocr.fapiao.uscc import tax_id_problem as _tax_id_problem
from reimburse.policy.domain import Policy
from reimburse.policy.rules.keywords import expected_rates, normalise

# Tax IDs repeat across thousands of invoices (the company's own, frequent sellers); the check
# is pure, so remembering it is safe and keeps claim scoring fast.
tax_id_problem = lru_cache(maxsize=65_536)(_tax_id_problem)

# Documents without code/number anatomy of the VAT system (quota invoices, railway tickets).
_LOOSE_IDENTIFIERS = frozenset({DocumentType.TRAIN_TICKET, DocumentType.QUOTA, DocumentType.OTHER_INVOICE})
_DIGITAL = frozenset({DocumentType.DIGITAL_GENERAL, DocumentType.DIGITAL_SPECIAL})


# a tax ID that breaks the unified social credit code's rules, per field (codes the UI words)
TAX_ID_CODES = {"seller_tax_id": "seller_tax_id_invalid", "buyer_tax_id": "buyer_tax_id_invalid"}


@lru_cache(maxsize=64)
def _entity_index(entities: tuple[LegalEntity, ...]) -> tuple[dict[str, LegalEntity], dict[str, LegalEntity]]:
    by_tax = {normalise(e.tax_id): e for e in entities}
    return by_tax, {normalise(e.name): e for e in entities}


def check_buyer(
    facts: InvoiceFacts, category: Category, entities: Iterable[LegalEntity], policy: Policy, item: int | None
) -> list[Finding]:
    """The buyer must be one of the company's entities, by name and tax ID. An individual buyer
    (no tax ID, or a document that names a passenger) is allowed only for categories the
    policy lists (train tickets, taxi receipts)."""
    name = normalise(facts.buyer_name or "")
    tax_id = normalise(facts.buyer_tax_id or "")
    by_tax, by_name = _entity_index(tuple(entities))
    if tax_id and tax_id in by_tax:
        entity = by_tax[tax_id]
        if name and name != normalise(entity.name):
            return [
                Finding(
                    "buyer_name_mismatch",
                    Severity.ERROR,
                    f"the buyer tax ID is {entity.name}'s but the buyer name differs",
                    item,
                    ("buyer_name",),
                )
            ]
        return []
    individual_ok = category in policy.invoice.individual_buyer_categories
    if not tax_id:
        if name in by_name:
            return [
                Finding(
                    "buyer_tax_id_missing",
                    Severity.ERROR,
                    "the buyer is the company but its tax ID is missing (required on company invoices)",
                    item,
                    ("buyer_tax_id",),
                )
            ]
        if individual_ok:
            return []
        return [
            Finding(
                "buyer_individual_not_allowed",
                Severity.ERROR,
                f"invoices for {category.value} must name the company as buyer, not an individual",
                item,
                ("buyer_name", "buyer_tax_id"),
            )
        ]
    if name in by_name:
        return [
            Finding(
                "buyer_tax_id_mismatch",
                Severity.ERROR,
                f"the buyer name is {by_name[name].name} but the tax ID is not its tax ID",
                item,
                ("buyer_tax_id",),
            )
        ]
    return [
        Finding(
            "buyer_not_company",
            Severity.ERROR,
            "the buyer is not one of the company's legal entities",
            item,
            ("buyer_name", "buyer_tax_id"),
        )
    ]


def check_formats(facts: InvoiceFacts, item: int | None) -> list[Finding]:
    """Shapes of code, number, check code and tax IDs, and the USCC check characters."""
    out: list[Finding] = []
    loose = facts.document_type in _LOOSE_IDENTIFIERS
    number = facts.invoice_number
    if number is None:
        out.append(
            Finding(
                "invoice_number_missing",
                Severity.ERROR,
                "the invoice number is missing",
                item,
                ("invoice_number",),
            )
        )
    elif not loose and not is_invoice_number(number):
        out.append(
            Finding(
                "invoice_number_format",
                Severity.ERROR,
                "an invoice number has 8 or 20 digits",
                item,
                ("invoice_number",),
            )
        )
    is_digital = number is not None and len(number) == 20
    digital_type = facts.document_type in _DIGITAL
    if digital_type and number is not None and is_invoice_number(number) and not is_digital:
        out.append(
            Finding(
                "invoice_number_format",
                Severity.ERROR,
                "a fully digital invoice has a 20-digit number",
                item,
                ("invoice_number",),
            )
        )
    if is_digital and number is not None and facts.issue_date is not None:
        year = digital_number_year(number)
        if year is not None and year != facts.issue_date.year:
            out.append(
                Finding(
                    "invoice_number_year",
                    Severity.WARNING,
                    f"a digital invoice number starting {number[:2]} is from {year}, "
                    f"the date says {facts.issue_date.year}",
                    item,
                    ("invoice_number", "issue_date"),
                )
            )
    code = facts.invoice_code
    if code is not None and not loose:
        if not is_invoice_code(code):
            out.append(
                Finding(
                    "invoice_code_format",
                    Severity.ERROR,
                    "an invoice code has 10 or 12 digits",
                    item,
                    ("invoice_code",),
                )
            )
        else:
            info = describe_invoice_code(code)
            if info is not None and facts.issue_date is not None and info.year > facts.issue_date.year:
                out.append(
                    Finding(
                        "invoice_code_year",
                        Severity.WARNING,
                        f"the invoice code was printed for {info.year}, after the issue date",
                        item,
                        ("invoice_code", "issue_date"),
                    )
                )
    elif code is None and not loose and not digital_type and number is not None and len(number) == 8:
        out.append(
            Finding(
                "invoice_code_missing",
                Severity.ERROR,
                "a VAT invoice with an 8-digit number needs its code",
                item,
                ("invoice_code",),
            )
        )
    if facts.check_code is not None and not is_check_code(facts.check_code):
        out.append(
            Finding(
                "check_code_format", Severity.WARNING, "a check code has 20 digits", item, ("check_code",)
            )
        )
    for field, code in TAX_ID_CODES.items():
        value = getattr(facts, field)
        if value:
            problem = tax_id_problem(value)
            if problem:
                out.append(
                    Finding(
                        code,
                        Severity.ERROR,
                        f"{field.replace('_', ' ')}: {problem}",
                        item,
                        (field,),
                    )
                )
    return out


def check_arithmetic(facts: InvoiceFacts, claimed: Decimal | None, item: int | None) -> list[Finding]:
    """amount + tax = total; the claimed amount may not exceed the invoice total."""
    out: list[Finding] = []
    amount, tax, total = facts.amount_excl_tax, facts.tax, facts.total
    if amount is not None and tax is not None and total is not None and not sum_matches(amount, tax, total):
        out.append(
            Finding(
                "amount_tax_total_mismatch",
                Severity.ERROR,
                f"amount {facts.amount_excl_tax} + tax {facts.tax} is not the total {facts.total}",
                item,
                ("amount_excl_tax", "tax", "total"),
                (
                    ("amount", str(facts.amount_excl_tax)),
                    ("tax", str(facts.tax)),
                    ("total", str(facts.total)),
                ),
            )
        )
    if facts.total is None:
        out.append(Finding("total_missing", Severity.ERROR, "the invoice total is missing", item, ("total",)))
    elif claimed is not None and claimed > facts.total:
        out.append(
            Finding(
                "claimed_exceeds_invoice",
                Severity.ERROR,
                f"the item claims {claimed}, more than the invoice total {facts.total}",
                item,
                ("total",),
                (("claimed", str(claimed)), ("total", str(facts.total))),
            )
        )
    return out


def check_tax_rates(facts: InvoiceFacts, item: int | None) -> list[Finding]:
    """Each line's rate must be plausible for its goods/service (餐饮服务 6 %, transport 9 %,
    goods 13 %, small-scale 1 %/3 %) and in force on the issue date (a hint only)."""
    out: list[Finding] = []
    for n, line in enumerate(facts.lines):
        if line.tax_rate is None:
            continue
        expected = expected_rates(line.name)
        if expected is not None and line.tax_rate not in expected:
            out.append(
                Finding(
                    "tax_rate_implausible",
                    Severity.WARNING,
                    f"line {n + 1} ({line.name}) carries {line.tax_rate:%}, expected one of "
                    + ", ".join(f"{r:%}" for r in sorted(expected)),
                    item,
                    ("line_items",),
                    (("line", str(n + 1)), ("rate", f"{line.tax_rate:%}")),
                )
            )
        if facts.issue_date is not None and not rate_in_force(line.tax_rate, facts.issue_date):
            out.append(
                Finding(
                    "tax_rate_not_in_force",
                    Severity.INFO,
                    f"line {n + 1}: {line.tax_rate:%} was not a VAT rate on {facts.issue_date}",
                    item,
                    ("line_items", "issue_date"),
                    (("line", str(n + 1)), ("rate", f"{line.tax_rate:%}"), ("issued", str(facts.issue_date))),
                )
            )
    return out


def check_date_window(
    facts: InvoiceFacts, *, today: date, trip_start: date | None, policy: Policy, item: int | None
) -> list[Finding]:
    """Not in the future, not older than the policy allows, not (much) before the trip."""
    issued = facts.issue_date
    if issued is None:
        return [
            Finding("issue_date_missing", Severity.ERROR, "the issue date is missing", item, ("issue_date",))
        ]
    if issued > today:
        return [
            Finding(
                "invoice_in_future",
                Severity.ERROR,
                f"issued {issued}, after today",
                item,
                ("issue_date",),
                (("issued", str(issued)),),
            )
        ]
    out: list[Finding] = []
    age = (today - issued).days
    if age > policy.invoice.max_age_days:
        out.append(
            Finding(
                "invoice_too_old",
                Severity.ERROR,
                f"issued {age} days ago; policy accepts {policy.invoice.max_age_days}",
                item,
                ("issue_date",),
                (("age", str(age)), ("max_age", str(policy.invoice.max_age_days))),
            )
        )
    if trip_start is not None and issued < trip_start - timedelta(days=policy.invoice.before_trip_grace_days):
        out.append(
            Finding(
                "invoice_before_trip",
                Severity.WARNING,
                f"issued {issued}, before the trip started on {trip_start}",
                item,
                ("issue_date",),
                (("issued", str(issued)), ("trip_start", str(trip_start))),
            )
        )
    return out


def check_invoice(
    facts: InvoiceFacts,
    *,
    category: Category,
    claimed: Decimal | None,
    entities: Iterable[LegalEntity],
    policy: Policy,
    today: date,
    trip_start: date | None = None,
    item: int | None = None,
) -> list[Finding]:
    """All single-invoice checks for one claim item."""
    out: list[Finding] = []
    if facts.document_type is DocumentType.NOT_INVOICE:
        return [Finding("not_an_invoice", Severity.ERROR, "the attachment is not an invoice", item)]
    if facts.not_for_reimbursement:
        out.append(
            Finding(
                "invoice_copy_not_valid",
                Severity.ERROR,
                "this copy is not valid for reimbursement (此联不作报销、扣税凭证使用): attach the 发票联",
                item,
            )
        )
    out += check_buyer(facts, category, entities, policy, item)
    out += check_formats(facts, item)
    out += check_arithmetic(facts, claimed, item)
    out += check_tax_rates(facts, item)
    out += check_date_window(facts, today=today, trip_start=trip_start, policy=policy, item=item)
    if facts.needs_review:
        out.append(
            Finding("extraction_needs_review", Severity.WARNING, "the reader was unsure of some fields", item)
        )
    return out

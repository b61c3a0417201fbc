"""Pure rules around verification: which request an invoice needs, whether it can be checked
yet, what an answer means as findings, and when to try again. No clock: ``today``/``now`` come in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reimburse.claims.domain import Finding, InvoiceFacts, Severity
from reimburse.ocr.domain import DocumentType
from reimburse.policy.rules.keywords import normalise
from reimburse.verification.domain import (
    AuthoritativeInvoice,
    VerificationAnswer,
    VerificationRequest,
    VerificationStatus,
    VerifyKind,
)

# The bureau keeps five years; a provider refuses anything older.
MAX_AGE_YEARS = 5

_KIND_BY_DOCUMENT = {
    DocumentType.VAT_SPECIAL: VerifyKind.SPECIAL,
    DocumentType.VAT_ELECTRONIC_SPECIAL: VerifyKind.ELECTRONIC_SPECIAL,
    DocumentType.VAT_GENERAL: VerifyKind.GENERAL,
    DocumentType.VAT_ELECTRONIC_GENERAL: VerifyKind.ELECTRONIC_GENERAL,
    DocumentType.VAT_ROLL: VerifyKind.ROLL,
    DocumentType.TOLL_ELECTRONIC: VerifyKind.TOLL,
    DocumentType.DIGITAL_SPECIAL: VerifyKind.DIGITAL_SPECIAL,
    DocumentType.DIGITAL_GENERAL: VerifyKind.DIGITAL_GENERAL,
}
_BY_AMOUNT = frozenset({VerifyKind.SPECIAL, VerifyKind.ELECTRONIC_SPECIAL})

# Which invoice fields each kind of request needs.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "digital": ("invoice_number", "issue_date", "total"),
    "special": ("invoice_code", "invoice_number", "issue_date", "amount_excl_tax"),
    "general": ("invoice_code", "invoice_number", "issue_date", "check_code"),
}


@dataclass(frozen=True, slots=True)
class NotVerifiable:
    """Why no request can be built (document kind, missing fields)."""

    reason: str
    fields: tuple[str, ...] = ()


def required_fields(facts: InvoiceFacts) -> tuple[str, ...] | None:
    """The fields a verification request needs for this invoice; None when not verifiable."""
    number = facts.invoice_number or ""
    if len(number) == 20 and number.isdigit():
        return REQUIRED_FIELDS["digital"]
    kind = _KIND_BY_DOCUMENT.get(facts.document_type)
    if kind is None:
        return None
    if kind in (VerifyKind.DIGITAL_GENERAL, VerifyKind.DIGITAL_SPECIAL):
        return REQUIRED_FIELDS["digital"]
    return REQUIRED_FIELDS["special" if kind in _BY_AMOUNT else "general"]


def build_request(facts: InvoiceFacts) -> VerificationRequest | NotVerifiable:
    """The request for ``facts``, or why there can be none. A 20-digit number is a fully digital
    invoice whatever the reader called the document (railway e-tickets are digital invoices)."""
    needed = required_fields(facts)
    if needed is None:
        return NotVerifiable(f"{facts.document_type.value} documents cannot be checked with the tax bureau")
    missing = tuple(f for f in needed if getattr(facts, f) in (None, ""))
    if missing:
        return NotVerifiable("fields needed for verification are missing", missing)
    number = facts.invoice_number or ""
    assert facts.issue_date is not None
    if needed == REQUIRED_FIELDS["digital"]:
        special = facts.document_type in (DocumentType.DIGITAL_SPECIAL, DocumentType.VAT_SPECIAL)
        kind = VerifyKind.DIGITAL_SPECIAL if special else VerifyKind.DIGITAL_GENERAL
        return VerificationRequest(kind, number, facts.issue_date, total=facts.total)
    kind = _KIND_BY_DOCUMENT[facts.document_type]
    if kind in _BY_AMOUNT:
        return VerificationRequest(
            kind,
            number,
            facts.issue_date,
            invoice_code=facts.invoice_code,
            amount_excl_tax=facts.amount_excl_tax,
        )
    check = "".join(ch for ch in facts.check_code or "" if ch.isdigit())
    if len(check) < 6:
        return NotVerifiable("the check code is too short to verify with", ("check_code",))
    return VerificationRequest(
        kind, number, facts.issue_date, invoice_code=facts.invoice_code, check_code_last6=check[-6:]
    )


def five_years_before(today: date) -> date:
    try:
        return today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MAX_AGE_YEARS, day=28)


@dataclass(frozen=True, slots=True)
class Checkability:
    checkable: bool
    reason: str = ""
    retry_on: date | None = None  # when "not yet": the first day worth trying


def checkability(request: VerificationRequest, today: date) -> Checkability:
    """Same-day invoices are not in the bureau's data yet; older than five years are gone."""
    issued = request.issue_date
    if issued > today:
        return Checkability(False, "issued in the future")
    if issued == today:
        return Checkability(
            False, "issued today; the tax bureau has it from tomorrow", today + timedelta(days=1)
        )
    if issued < five_years_before(today):
        return Checkability(
            False, f"issued more than {MAX_AGE_YEARS} years ago; the tax bureau no longer checks it"
        )
    return Checkability(True)


def retry_delay(
    attempt: int, *, base: float = 2.0, cap: float = 3600.0, retry_after: float | None = None
) -> float:
    """Seconds before retry number ``attempt`` (1-based): exponential, capped, never sooner than
    the provider's own ``Retry-After``."""
    delay: float = min(cap, base * float(2 ** max(0, attempt - 1)))
    return max(delay, retry_after or 0.0)


# ---------------------------------------------------------------------------------------------
# Findings


def _differs(a: object, b: object) -> bool:
    if a is None or b is None:
        return False  # nothing to compare
    if isinstance(a, str) and isinstance(b, str):
        return normalise(a) != normalise(b)
    return a != b


COMPARED_FIELDS = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "amount_excl_tax",
    "tax",
    "total",
    "check_code",
    "buyer_name",
    "buyer_tax_id",
    "seller_name",
    "seller_tax_id",
)


def differing_fields(facts: InvoiceFacts, official: AuthoritativeInvoice) -> tuple[str, ...]:
    """Fields where what was read differs from the tax bureau's record."""
    return tuple(f for f in COMPARED_FIELDS if _differs(getattr(facts, f), getattr(official, f)))


def findings_from_answer(
    facts: InvoiceFacts, answer: VerificationAnswer, *, unverified_severity: Severity, item: int | None = None
) -> list[Finding]:
    """What a verification answer means for the claim item resting on ``facts``."""
    s = answer.status
    prov = (("provider", answer.provider),) + (
        (("request_id", answer.request_id),) if answer.request_id else ()
    )
    if s is VerificationStatus.NORMAL:
        if answer.invoice is None:
            return []
        diff = differing_fields(facts, answer.invoice)
        if not diff:
            return []
        shown = tuple((f, f"{getattr(facts, f)} vs {getattr(answer.invoice, f)}") for f in diff)
        return [
            Finding(
                "verification_field_mismatch",
                Severity.ERROR,
                "the tax bureau's record differs from the invoice read: " + ", ".join(diff),
                item,
                diff,
                prov + shown,
            )
        ]
    table: dict[VerificationStatus, tuple[str, Severity, str]] = {
        VerificationStatus.VOIDED: (
            "invoice_voided",
            Severity.BLOCK,
            "the tax bureau says this invoice was voided (作废)",
        ),
        VerificationStatus.RED_REVERSED_FULL: (
            "invoice_red_reversed",
            Severity.BLOCK,
            "the tax bureau says this invoice was red-reversed (红冲) in full",
        ),
        VerificationStatus.RED_REVERSED_PARTIAL: (
            "invoice_partly_red_reversed",
            Severity.ERROR,
            "the tax bureau says this invoice was partly red-reversed; only the remainder may be claimed",
        ),
        VerificationStatus.NOT_FOUND: (
            "invoice_not_found",
            Severity.ERROR,
            "the tax bureau has no such invoice: it may be forged, or a field was misread",
        ),
        VerificationStatus.MISMATCH: (
            "verification_mismatch",
            Severity.ERROR,
            "the tax bureau has this number but the date/amount/check code differ",
        ),
        VerificationStatus.NOT_YET_AVAILABLE: (
            "verification_pending",
            Severity.INFO,
            "the tax bureau does not have this invoice yet; it will be checked again",
        ),
        VerificationStatus.UNVERIFIED: (
            "invoice_unverified",
            unverified_severity,
            "not checked with the tax bureau",
        ),
    }
    code, severity, message = table[s]
    details = prov
    if s is VerificationStatus.RED_REVERSED_PARTIAL and answer.invoice and answer.invoice.red_reversed_amount:
        details += (("red_reversed_amount", str(answer.invoice.red_reversed_amount)),)
    if answer.message:
        details += (("provider_message", answer.message),)
    return [Finding(code, severity, message, item, (), details)]


def findings_not_verifiable(
    reason: NotVerifiable, *, unverified_severity: Severity, item: int | None = None
) -> list[Finding]:
    return [
        Finding(
            "invoice_unverified",
            unverified_severity,
            f"not checked with the tax bureau: {reason.reason}",
            item,
            reason.fields,
        )
    ]

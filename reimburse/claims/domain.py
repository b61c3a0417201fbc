"""Values of the expense domain: money, the organisation, claims and their items, the invoice
facts an item rests on, budgets, and what the rules conclude (findings, risk assessment).

Everything is a frozen dataclass or an enum and imports no framework, so the pure rules in
``expenses.rules`` can take these in and hand new ones back, and the service layer can map them
to and from its records. Money is ``Decimal`` with a currency, never a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self

from reimburse.ocr.domain import DocumentType
from reimburse.routing.domain import InstanceStatus, RiskDecision, User

DEFAULT_CURRENCY = "CNY"


class MoneyError(ValueError):
    """Money built from a float, a non-finite number, or mixed currencies."""


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in one currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        # A float has already lost the cents; refuse it rather than guess.
        if not isinstance(self.amount, Decimal):
            raise MoneyError(f"money needs a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise MoneyError("money must be a finite amount")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = DEFAULT_CURRENCY) -> Self:
        """``Money.of("12.50")``; strings and ints only, so no float slips in."""
        if isinstance(amount, float):
            raise MoneyError("money from a float would carry its binary rounding error")
        return cls(Decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Self:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount:.2f} {self.currency}"


class Category(StrEnum):
    TRAVEL = "travel"  # tickets: train, flight, coach
    LODGING = "lodging"
    MEALS = "meals"
    TRANSPORT = "transport"  # local: taxi, metro, fuel, tolls, parking
    OFFICE = "office"
    CLIENT_ENTERTAINMENT = "client_entertainment"
    OTHER = "other"


class NoInvoiceKind(StrEnum):
    """Items that rest on no invoice, where policy allows them."""

    PER_DIEM = "per_diem"  # 出差补助
    MILEAGE = "mileage"  # private car use


class ClaimStatus(StrEnum):
    """Where a claim is. While it has a route, the status follows the route's (``of_route``);
    ``paid`` comes after, from payroll."""

    DRAFT = "draft"
    SUBMITTED = "submitted"  # in approval
    RETURNED = "returned"  # back with the submitter for changes
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PAID = "paid"
    # a draft its submitter deleted: the row stays (emptied) so that its id, number and trail are
    # never reused; nobody lists or reads it any more
    DELETED = "deleted"

    @classmethod
    def of_route(cls, status: InstanceStatus) -> ClaimStatus:
        return _OF_ROUTE[status]


_OF_ROUTE = {
    InstanceStatus.DRAFT: ClaimStatus.DRAFT,
    InstanceStatus.RUNNING: ClaimStatus.SUBMITTED,
    InstanceStatus.RETURNED: ClaimStatus.RETURNED,
    InstanceStatus.APPROVED: ClaimStatus.APPROVED,
    InstanceStatus.REJECTED: ClaimStatus.REJECTED,
    InstanceStatus.WITHDRAWN: ClaimStatus.WITHDRAWN,
}


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    BLOCK = "block"  # the claim cannot go on whatever the score

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2, Severity.BLOCK: 3}


# ---------------------------------------------------------------------------------------------
# The company (its people are routing.domain.User: one org model)


@dataclass(frozen=True, slots=True)
class LegalEntity:
    """One of the company's legal entities: invoices must name it as the buyer."""

    name: str
    tax_id: str


# ---------------------------------------------------------------------------------------------
# Invoices and claims


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One line of an invoice as far as the rules need it: the goods/service name (with its
    ``*税收分类简称*`` prefix when printed) and its VAT rate (None when unreadable)."""

    name: str
    tax_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """What the reader established about one invoice (the eleven fields of the OCR output and
    the few extras the rules use). Missing fields are None; amounts are Decimal."""

    document_type: DocumentType
    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: date | None = None
    amount_excl_tax: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None
    check_code: str | None = None
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    seller_name: str | None = None
    seller_tax_id: str | None = None
    lines: tuple[InvoiceLine, ...] = ()
    needs_review: bool = False
    agent_issued: bool = False
    image_hash: int | None = None  # 64-bit dHash of the photo; None for e-invoice files
    not_for_reimbursement: bool = False  # a copy printed 此联不作报销、扣税凭证使用


class ForeignDocumentKind(StrEnum):
    """Receipts and invoices from abroad: not fapiao, so no fapiao check applies to them."""

    HOTEL_FOLIO = "hotel_folio"
    TAX_INVOICE = "tax_invoice"  # a foreign VAT / GST invoice
    RECEIPT = "receipt"


@dataclass(frozen=True, slots=True)
class ForeignDocument:
    """A foreign receipt or invoice as the submitter typed it (the image is kept with the item).
    ``number`` is optional: without it there is no duplicate key."""

    kind: ForeignDocumentKind
    issuer: str
    issue_date: date
    number: str | None = None
    country: str | None = None


class ClaimItemError(ValueError):
    """An item that cannot exist: neither invoice nor allowed reason, negative amount, ..."""


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """One line of a claim. It rests on a fapiao (``invoice``), on a foreign receipt or invoice
    (``foreign``), or it is a no-invoice kind (per-diem, mileage) with a reason; exactly one.
    ``attendees`` matters for meals and entertainment, ``nights`` and ``city_tier`` (1-3) for
    lodging, ``days`` for per-diem."""

    category: Category
    amount: Money
    spent_on: date
    invoice: InvoiceFacts | None = None
    no_invoice_kind: NoInvoiceKind | None = None
    reason: str | None = None
    attendees: int | None = None
    nights: int | None = None
    city_tier: int | None = None
    days: int | None = None
    description: str = ""
    foreign: ForeignDocument | None = None

    def __post_init__(self) -> None:
        grounds = (self.invoice is not None) + (self.no_invoice_kind is not None) + (self.foreign is not None)
        if grounds != 1:
            raise ClaimItemError(
                "an item rests on exactly one of an invoice, a foreign document or a no-invoice kind"
            )
        if self.no_invoice_kind is not None and not (self.reason and self.reason.strip()):
            raise ClaimItemError("an item without invoice needs a reason")
        if self.amount.amount <= 0:
            raise ClaimItemError("an item amount is positive")
        for name in ("attendees", "nights", "days"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ClaimItemError(f"{name} is at least 1")
        if self.city_tier is not None and self.city_tier not in (1, 2, 3):
            raise ClaimItemError("city tier is 1, 2 or 3")


@dataclass(frozen=True, slots=True)
class Claim:
    """An expense claim (报销单)."""

    id: str
    submitter: User  # the org model routing uses
    department_id: str
    purpose: str
    items: tuple[ClaimItem, ...]
    trip_start: date | None = None
    trip_end: date | None = None
    status: ClaimStatus = ClaimStatus.DRAFT
    cost_centre: str | None = None

    def total(self) -> Money:
        currency = self.items[0].amount.currency if self.items else "CNY"
        result = Money.zero(currency)
        for item in self.items:
            result = result + item.amount
        return result


# ---------------------------------------------------------------------------------------------
# Budgets


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class BudgetPeriod:
    kind: PeriodKind
    start: date  # first day of the month / quarter / year

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> BudgetPeriod:
        if kind is PeriodKind.MONTH:
            return cls(kind, day.replace(day=1))
        if kind is PeriodKind.QUARTER:
            return cls(kind, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        return cls(kind, date(day.year, 1, 1))

    def __str__(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)


@dataclass(frozen=True, slots=True)
class Budget:
    """A budget for one department × category × period. ``committed`` is reserved by submitted
    claims, ``spent`` consumed by approved ones."""

    department_id: str
    category: Category
    period: BudgetPeriod
    amount: Money
    committed: Money
    spent: Money

    @property
    def available(self) -> Money:
        return self.amount - self.committed - self.spent


# ---------------------------------------------------------------------------------------------
# What the rules conclude


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule noticed. ``code`` is stable (routing and the UI key on it); ``item``
    is the claim item's index (None for the claim as a whole); ``fields`` names the invoice
    fields concerned; ``details`` carries figures as strings (e.g. the amount over budget)."""

    code: str
    severity: Severity
    message: str
    item: int | None = None
    fields: tuple[str, ...] = ()
    details: tuple[tuple[str, str], ...] = ()

    def detail(self, key: str) -> str | None:
        return dict(self.details).get(key)

    @property
    def params(self) -> dict[str, str]:
        """The figures as a JSON object: what the UI's catalogue words the finding with (the
        English ``message`` stays for API clients and logs)."""
        return {k: str(v) for k, v in self.details}

    def as_json(self) -> dict[str, Any]:
        """The finding as a claim stores and the API sends it."""
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "item": self.item, "fields": list(self.fields), "params": self.params}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScoredFinding:
    finding: Finding
    points: int


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """Risk score 0..100, the findings that produced it with their points, and the decision."""

    score: int
    decision: RiskDecision
    findings: tuple[ScoredFinding, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(
            f"{s.finding.code} (+{s.points}): {s.finding.message}" for s in self.findings if s.points
        )

"""The expense policy as a value: caps, invoice windows, pattern thresholds, budget action and
risk weights. Admins edit it as YAML or JSON (``expenses/policy/default.yaml`` is the shipped
default); ``parse_policy`` validates the whole document and reports every problem with its path,
so a bad edit is refused with a message an admin can act on, never half-applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

import yaml

from reimburse.claims.domain import Category, NoInvoiceKind, Severity

E = TypeVar("E", bound=StrEnum)


class PolicyError(ValueError):
    """The policy document is invalid; ``problems`` lists each as ``path: what``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid expense policy:\n  " + "\n  ".join(problems))
        self.problems = tuple(problems)


class OverBudgetAction(StrEnum):
    BLOCK = "block"  # the claim cannot be submitted; nothing is reserved
    ADD_APPROVER = "add_approver"  # reserve anyway, routing adds an approver (finding is a warning)
    WARN = "warn"  # reserve anyway, finance sees an info finding


@dataclass(frozen=True, slots=True)
class Caps:
    meals_per_person_per_day: Decimal
    entertainment_per_person: Decimal
    lodging_per_night: Mapping[int, Decimal]  # by city tier 1..3
    taxi_per_trip: Decimal
    per_diem_per_day: Decimal
    mileage_per_item: Decimal
    severity: Severity  # of an over-cap finding


@dataclass(frozen=True, slots=True)
class InvoicePolicy:
    max_age_days: int  # older invoices are refused
    before_trip_grace_days: int  # tickets and hotels are booked ahead of the trip
    individual_buyer_categories: frozenset[Category]  # where an individual may be the buyer
    no_invoice_allowed: Mapping[NoInvoiceKind, frozenset[Category]]
    unverified_severity: Severity  # invoice not checked with the tax bureau


@dataclass(frozen=True, slots=True)
class PatternPolicy:
    split_threshold: Decimal  # several invoices from one seller on one day just below this
    split_margin: Decimal  # "just below": within this fraction of the threshold
    split_min_count: int
    round_amount_min: Decimal  # round amounts at or above this are flagged
    round_amount_unit: Decimal  # multiples of this count as round
    rest_day_categories: frozenset[Category]  # spend on weekends/holidays flagged for these


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    severity_points: Mapping[Severity, int]
    code_points: Mapping[str, int]  # overrides per finding code
    review_at: int  # score at or above: finance review
    block_at: int  # score at or above: block (a block-severity finding always blocks)


@dataclass(frozen=True, slots=True)
class Policy:
    currency: str
    caps: Caps
    invoice: InvoicePolicy
    patterns: PatternPolicy
    over_budget: OverBudgetAction
    risk: RiskPolicy

    def points(self, code: str, severity: Severity) -> int:
        return self.risk.code_points.get(code, self.risk.severity_points[severity])


def load_policy_text(text: str) -> Policy:
    """Parse a YAML (or JSON, which YAML reads too) policy document."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError([f"not valid YAML/JSON: {exc}"]) from exc
    return parse_policy(data)


def policy_to_json(policy: Policy) -> str:
    """The policy as JSON (for the admin UI to show and edit); ``load_policy_text`` reads it back."""
    return json.dumps(_dump(policy), ensure_ascii=False, indent=2)


def parse_policy(data: object) -> Policy:
    """Validate a decoded policy document; raise ``PolicyError`` listing every problem."""
    r = _Reader()
    root = r.mapping(data, "")
    caps = r.mapping(root.get("caps"), "caps")
    inv = r.mapping(root.get("invoice"), "invoice")
    pat = r.mapping(root.get("patterns"), "patterns")
    risk = r.mapping(root.get("risk"), "risk")
    r.known(root, "", {"version", "currency", "caps", "invoice", "patterns", "over_budget", "risk"})
    r.known(
        caps,
        "caps",
        {
            "meals_per_person_per_day",
            "entertainment_per_person",
            "lodging_per_night",
            "taxi_per_trip",
            "per_diem_per_day",
            "mileage_per_item",
            "severity",
        },
    )
    r.known(
        inv,
        "invoice",
        {
            "max_age_days",
            "before_trip_grace_days",
            "individual_buyer_categories",
            "no_invoice_allowed",
            "unverified_severity",
        },
    )
    r.known(
        pat,
        "patterns",
        {
            "split_threshold",
            "split_margin",
            "split_min_count",
            "round_amount_min",
            "round_amount_unit",
            "rest_day_categories",
        },
    )
    r.known(risk, "risk", {"severity_points", "code_points", "review_at", "block_at"})
    if root.get("version", 1) != 1:
        r.problem("version", "only version 1 is understood")

    lodging_raw = r.mapping(caps.get("lodging_per_night"), "caps.lodging_per_night")
    lodging: dict[int, Decimal] = {}
    for tier in (1, 2, 3):
        raw = lodging_raw.get(tier, lodging_raw.get(str(tier)))
        lodging[tier] = r.money(raw, f"caps.lodging_per_night.{tier}")
    extra_tiers = {str(k) for k in lodging_raw} - {"1", "2", "3"}
    if extra_tiers:
        r.problem("caps.lodging_per_night", f"city tiers are 1, 2, 3; unknown {sorted(extra_tiers)}")

    no_invoice_raw = r.mapping(inv.get("no_invoice_allowed", {}), "invoice.no_invoice_allowed")
    no_invoice: dict[NoInvoiceKind, frozenset[Category]] = {}
    for key, cats in no_invoice_raw.items():
        kind = r.enum(NoInvoiceKind, key, f"invoice.no_invoice_allowed.{key}")
        if kind is not None:
            no_invoice[kind] = r.categories(cats, f"invoice.no_invoice_allowed.{key}")

    sev_raw = r.mapping(risk.get("severity_points"), "risk.severity_points")
    severity_points: dict[Severity, int] = {}
    for sev in Severity:
        severity_points[sev] = r.integer(sev_raw.get(sev.value), f"risk.severity_points.{sev.value}", 0, 100)
    code_raw = r.mapping(risk.get("code_points", {}), "risk.code_points")
    code_points = {str(k): r.integer(v, f"risk.code_points.{k}", 0, 100) for k, v in code_raw.items()}

    policy_caps = Caps(
        meals_per_person_per_day=r.money(
            caps.get("meals_per_person_per_day"), "caps.meals_per_person_per_day"
        ),
        entertainment_per_person=r.money(
            caps.get("entertainment_per_person"), "caps.entertainment_per_person"
        ),
        lodging_per_night=lodging,
        taxi_per_trip=r.money(caps.get("taxi_per_trip"), "caps.taxi_per_trip"),
        per_diem_per_day=r.money(caps.get("per_diem_per_day"), "caps.per_diem_per_day"),
        mileage_per_item=r.money(caps.get("mileage_per_item"), "caps.mileage_per_item"),
        severity=r.enum(Severity, caps.get("severity", "warning"), "caps.severity") or Severity.WARNING,
    )
    invoice = InvoicePolicy(
        max_age_days=r.integer(inv.get("max_age_days"), "invoice.max_age_days", 1, 3650),
        before_trip_grace_days=r.integer(
            inv.get("before_trip_grace_days", 0), "invoice.before_trip_grace_days", 0, 365
        ),
        individual_buyer_categories=r.categories(
            inv.get("individual_buyer_categories", []), "invoice.individual_buyer_categories"
        ),
        no_invoice_allowed=no_invoice,
        unverified_severity=r.enum(
            Severity, inv.get("unverified_severity", "info"), "invoice.unverified_severity"
        )
        or Severity.INFO,
    )
    patterns = PatternPolicy(
        split_threshold=r.money(pat.get("split_threshold"), "patterns.split_threshold"),
        split_margin=r.fraction(pat.get("split_margin"), "patterns.split_margin"),
        split_min_count=r.integer(pat.get("split_min_count", 2), "patterns.split_min_count", 2, 100),
        round_amount_min=r.money(pat.get("round_amount_min"), "patterns.round_amount_min"),
        round_amount_unit=r.money(
            pat.get("round_amount_unit", 100), "patterns.round_amount_unit", positive=True
        ),
        rest_day_categories=r.categories(pat.get("rest_day_categories", []), "patterns.rest_day_categories"),
    )
    risk_policy = RiskPolicy(
        severity_points=severity_points,
        code_points=code_points,
        review_at=r.integer(risk.get("review_at"), "risk.review_at", 1, 100),
        block_at=r.integer(risk.get("block_at", 100), "risk.block_at", 1, 100),
    )
    if risk_policy.block_at < risk_policy.review_at:
        r.problem("risk.block_at", "must not be below risk.review_at")
    currency = root.get("currency", "CNY")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
        r.problem("currency", "an ISO 4217 code such as CNY")
    over = r.enum(OverBudgetAction, root.get("over_budget", "add_approver"), "over_budget")
    if r.problems:
        raise PolicyError(r.problems)
    assert over is not None
    return Policy(
        currency=str(currency),
        caps=policy_caps,
        invoice=invoice,
        patterns=patterns,
        over_budget=over,
        risk=risk_policy,
    )


class _Reader:
    """Collects problems instead of stopping at the first, with placeholders so parsing goes on."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, what: str) -> None:
        self.problems.append(f"{path or '(document)'}: {what}")

    def mapping(self, value: object, path: str) -> Mapping[Any, Any]:
        if isinstance(value, Mapping):
            return value
        self.problem(path, "missing" if value is None else f"must be a mapping, not {type(value).__name__}")
        return {}

    def known(self, value: Mapping[Any, Any], path: str, keys: set[str]) -> None:
        unknown = sorted(str(k) for k in value if str(k) not in keys)
        if unknown:
            self.problem(path, f"unknown keys {unknown} (known: {sorted(keys)})")

    def money(self, value: object, path: str, *, positive: bool = False) -> Decimal:
        amount = self._decimal(value, path)
        if amount is None:
            return Decimal(0)
        if amount < 0 or (positive and amount == 0):
            self.problem(path, "must be positive" if positive else "must not be negative")
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            self.problem(path, "at most two decimals (cents)")
        return amount

    def fraction(self, value: object, path: str) -> Decimal:
        amount = self._decimal(value, path)
        if amount is None:
            return Decimal(0)
        if not (0 < amount < 1):
            self.problem(path, "a fraction between 0 and 1, e.g. 0.1")
        return amount

    def _decimal(self, value: object, path: str) -> Decimal | None:
        if value is None:
            self.problem(path, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.problem(path, f"must be a number, not {type(value).__name__}")
            return None
        try:
            # YAML hands "12.5" over as a float; str() of a short float literal gives the literal
            # back, so no binary rounding error enters the Decimal.
            amount = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, f"not a number: {value!r}")
            return None
        if not amount.is_finite():
            self.problem(path, "must be finite")
            return None
        return amount

    def integer(self, value: object, path: str, low: int, high: int) -> int:
        if value is None:
            self.problem(path, "missing")
            return low
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"must be a whole number, not {value!r}")
            return low
        if not (low <= value <= high):
            self.problem(path, f"must be between {low} and {high}, not {value}")
        return value

    def enum(self, cls: type[E], value: object, path: str) -> E | None:
        try:
            return cls(str(value))
        except ValueError:
            self.problem(path, f"{value!r} is not one of {[m.value for m in cls]}")
            return None

    def categories(self, value: object, path: str) -> frozenset[Category]:
        if not isinstance(value, list | tuple):
            self.problem(path, "must be a list of categories")
            return frozenset()
        found = (self.enum(Category, v, path) for v in value)
        return frozenset(c for c in found if c is not None)


def _dump(policy: Policy) -> dict[str, Any]:
    def money(d: Decimal) -> str:
        return str(d)

    def cats(c: frozenset[Category]) -> list[str]:
        return sorted(x.value for x in c)

    dumpers: dict[str, Callable[[], Any]] = {
        "version": lambda: 1,
        "currency": lambda: policy.currency,
        "caps": lambda: {
            "meals_per_person_per_day": money(policy.caps.meals_per_person_per_day),
            "entertainment_per_person": money(policy.caps.entertainment_per_person),
            "lodging_per_night": {str(k): money(v) for k, v in policy.caps.lodging_per_night.items()},
            "taxi_per_trip": money(policy.caps.taxi_per_trip),
            "per_diem_per_day": money(policy.caps.per_diem_per_day),
            "mileage_per_item": money(policy.caps.mileage_per_item),
            "severity": policy.caps.severity.value,
        },
        "invoice": lambda: {
            "max_age_days": policy.invoice.max_age_days,
            "before_trip_grace_days": policy.invoice.before_trip_grace_days,
            "individual_buyer_categories": cats(policy.invoice.individual_buyer_categories),
            "no_invoice_allowed": {k.value: cats(v) for k, v in policy.invoice.no_invoice_allowed.items()},
            "unverified_severity": policy.invoice.unverified_severity.value,
        },
        "patterns": lambda: {
            "split_threshold": money(policy.patterns.split_threshold),
            "split_margin": money(policy.patterns.split_margin),
            "split_min_count": policy.patterns.split_min_count,
            "round_amount_min": money(policy.patterns.round_amount_min),
            "round_amount_unit": money(policy.patterns.round_amount_unit),
            "rest_day_categories": cats(policy.patterns.rest_day_categories),
        },
        "over_budget": lambda: policy.over_budget.value,
        "risk": lambda: {
            "severity_points": {k.value: v for k, v in policy.risk.severity_points.items()},
            "code_points": dict(policy.risk.code_points),
            "review_at": policy.risk.review_at,
            "block_at": policy.risk.block_at,
        },
    }
    return {k: f() for k, f in dumpers.items()}

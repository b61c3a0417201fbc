"""The expense policy as a value: caps, invoice windows, pattern thresholds, budget action and
risk weights. Admins edit it as YAML or JSON (``policy/default.yaml`` is the shipped default);
``parse_policy`` validates the whole document against its pydantic shape (``PolicyDocument``) and
reports every problem with its path, so a bad edit is refused with a message an admin can act on,
never half-applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import partial
from typing import Annotated, Any, NoReturn, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from reimburse.claims.domain import Category, NoInvoiceKind, Severity
from reimburse.core.problems import Problem, params_of

E = TypeVar("E", bound=StrEnum)


class PolicyError(ValueError):
    """The policy document is invalid; ``coded`` lists each problem (path, code, params, English
    message), ``problems`` the English messages as ``path: what``."""

    def __init__(self, coded: list[Problem]) -> None:
        self.coded = tuple(coded)
        self.problems = tuple(p.message for p in coded)
        super().__init__("invalid expense policy:\n  " + "\n  ".join(self.problems))


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
class Allowances:
    """Allowances paid without invoice, computed from rate tables (never typed)."""

    per_diem_per_day: Mapping[int, Decimal]  # by city tier 1..3
    mileage_per_km: Decimal


DEFAULT_ALLOWANCES = Allowances(
    per_diem_per_day={1: Decimal(150), 2: Decimal(120), 3: Decimal(100)}, mileage_per_km=Decimal("1.20")
)


@dataclass(frozen=True, slots=True)
class Policy:
    currency: str
    caps: Caps
    invoice: InvoicePolicy
    patterns: PatternPolicy
    over_budget: OverBudgetAction
    risk: RiskPolicy
    allowances: Allowances = DEFAULT_ALLOWANCES
    # a claim may spend this fraction above its pre-approved estimate before approval re-opens
    pre_approval_tolerance: Decimal = Decimal("0.10")

    def points(self, code: str, severity: Severity) -> int:
        return self.risk.code_points.get(code, self.risk.severity_points[severity])


def load_policy_text(text: str) -> Policy:
    """Parse a YAML (or JSON, which YAML reads too) policy document."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError([not_yaml(exc)]) from exc
    return parse_policy(data)


def policy_to_json(policy: Policy) -> str:
    """The policy as JSON (for the admin UI to show and edit); ``load_policy_text`` reads it back."""
    return json.dumps(_dump(policy), ensure_ascii=False, indent=2)


def not_yaml(exc: yaml.YAMLError) -> Problem:
    """Text YAML cannot read, with the line and column where it stopped (when it says)."""
    mark = getattr(exc, "problem_mark", None)
    where = {"line": mark.line + 1, "column": mark.column + 1} if mark is not None else {}
    return Problem("(document)", "not_yaml", f"not valid YAML/JSON: {exc}", params_of(where))


def parse_policy(data: object) -> Policy:
    """Validate a decoded policy document; raise ``PolicyError`` listing every problem."""
    try:
        doc = PolicyDocument.model_validate(_mapping(data))
    except PydanticCustomError as exc:  # the document itself is not a mapping
        raise PolicyError([_problem("(document)", exc.type, exc.message(), exc.context)]) from None
    except ValidationError as exc:
        raise PolicyError(_problems(exc)) from None
    return doc.to_domain()


# ---------------------------------------------------------------------------------------------
# The document's shape (pydantic). Every leaf has a ``BeforeValidator`` that checks the raw YAML
# value itself: pydantic's lax coercion would accept "365" for a number of days or ``true`` for an
# amount, and the messages stay the admin-facing ones (``path: what``) the editor has always shown.


def _fail(problem: str, what: str, **params: object) -> NoReturn:
    """Refuse a value: the ``problem`` code and ``params`` for the web app's wording, ``what``
    in English. (Not ``code``: a helper taking ``code`` first makes findings, test_static.)"""
    raise PydanticCustomError(problem, "{what}", {"what": what, **params})


def _mapping(value: object) -> dict[str, Any]:
    if value is None:
        _fail("missing", "missing")
    if not isinstance(value, Mapping):
        _fail("not_mapping", f"must be a mapping, not {type(value).__name__}", got=type(value).__name__)
    # YAML reads ``1:`` (a city tier) as an int; paths and lookups use the text.
    return {str(k): v for k, v in value.items()}


def _decimal(value: object) -> Decimal:
    if value is None:
        _fail("missing", "missing")
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        _fail("not_number", f"must be a number, not {type(value).__name__}", got=type(value).__name__)
    try:
        # YAML hands "12.5" over as a float; str() of a short float literal gives the literal
        # back, so no binary rounding error enters the Decimal.
        amount = Decimal(str(value))
    except InvalidOperation:
        _fail("not_number", f"not a number: {value!r}", got=repr(value))
    if not amount.is_finite():
        _fail("not_finite", "must be finite")
    return amount


def _amount(value: object, *, positive: bool = False) -> Decimal:
    amount = _decimal(value)
    sign = amount < 0 or (positive and amount == 0)
    cents = amount.as_tuple().exponent < -2  # type: ignore[operator]
    if sign and positive:
        if cents:
            _fail("not_positive_cents", "must be positive; at most two decimals (cents)")
        _fail("not_positive", "must be positive")
    if sign:
        if cents:
            _fail("negative_cents", "must not be negative; at most two decimals (cents)")
        _fail("negative", "must not be negative")
    if cents:
        _fail("cents", "at most two decimals (cents)")
    return amount


def _fraction(value: object) -> Decimal:
    amount = _decimal(value)
    if not (0 < amount < 1):
        _fail("fraction", "a fraction between 0 and 1, e.g. 0.1")
    return amount


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if value is None:
            _fail("missing", "missing")
        if isinstance(value, bool) or not isinstance(value, int):
            _fail("not_whole", f"must be a whole number, not {value!r}", got=repr(value))
        if not (low <= value <= high):
            _fail(
                "out_of_range",
                f"must be between {low} and {high}, not {value}",
                low=low,
                high=high,
                got=value,
            )
        return value

    return check


def _member(cls: type[E]) -> Callable[[object], E]:
    def check(value: object) -> E:
        try:
            return cls(str(value))
        except ValueError:
            choices = [m.value for m in cls]
            _fail(
                "not_one_of", f"{value!r} is not one of {choices}", got=str(value), allowed=", ".join(choices)
            )

    return check


def _listed(value: object) -> list[object] | tuple[object, ...]:
    if not isinstance(value, list | tuple):
        _fail("not_list", "must be a list of categories")
    return value


def _version(value: object) -> int:
    if value != 1:
        _fail("version", "only version 1 is understood")
    return 1


def _currency(value: object) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        _fail("currency", "an ISO 4217 code such as CNY")
    return value


Amount = Annotated[Decimal, BeforeValidator(_amount)]
PositiveAmount = Annotated[Decimal, BeforeValidator(partial(_amount, positive=True))]
Fraction = Annotated[Decimal, BeforeValidator(_fraction)]
AgeDays = Annotated[int, BeforeValidator(_whole(1, 3650))]
GraceDays = Annotated[int, BeforeValidator(_whole(0, 365))]
Count = Annotated[int, BeforeValidator(_whole(2, 100))]
Points = Annotated[int, BeforeValidator(_whole(0, 100))]
Score = Annotated[int, BeforeValidator(_whole(1, 100))]
SeverityValue = Annotated[Severity, BeforeValidator(_member(Severity))]
CategoryValue = Annotated[Category, BeforeValidator(_member(Category))]
NoInvoiceValue = Annotated[NoInvoiceKind, BeforeValidator(_member(NoInvoiceKind))]
# Each unknown category is its own problem, reported at the list's path.
Categories = Annotated[frozenset[CategoryValue], BeforeValidator(_listed)]
Table = BeforeValidator(_mapping)  # a nested mapping: "missing" or "must be a mapping" otherwise


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LodgingDocument(_Document):
    tier_1: Amount = Field(alias="1")
    tier_2: Amount = Field(alias="2")
    tier_3: Amount = Field(alias="3")


class CapsDocument(_Document):
    meals_per_person_per_day: Amount
    entertainment_per_person: Amount
    lodging_per_night: Annotated[LodgingDocument, Table]
    taxi_per_trip: Amount
    # no longer used: per-diem and mileage are computed from ``allowances``, never typed, so
    # there is nothing to cap; still accepted, so documents saved with them keep loading
    per_diem_per_day: Amount | None = None
    mileage_per_item: Amount | None = None
    severity: SeverityValue = Severity.WARNING

    def to_domain(self) -> Caps:
        lodging = self.lodging_per_night
        return Caps(
            meals_per_person_per_day=self.meals_per_person_per_day,
            entertainment_per_person=self.entertainment_per_person,
            lodging_per_night={1: lodging.tier_1, 2: lodging.tier_2, 3: lodging.tier_3},
            taxi_per_trip=self.taxi_per_trip,
            severity=self.severity,
        )


class InvoiceDocument(_Document):
    max_age_days: AgeDays
    before_trip_grace_days: GraceDays = 0
    individual_buyer_categories: Categories = frozenset()
    no_invoice_allowed: Annotated[dict[NoInvoiceValue, Categories], Table] = {}
    unverified_severity: SeverityValue = Severity.INFO

    def to_domain(self) -> InvoicePolicy:
        return InvoicePolicy(
            max_age_days=self.max_age_days,
            before_trip_grace_days=self.before_trip_grace_days,
            individual_buyer_categories=self.individual_buyer_categories,
            no_invoice_allowed=dict(self.no_invoice_allowed),
            unverified_severity=self.unverified_severity,
        )


class PatternsDocument(_Document):
    split_threshold: Amount
    split_margin: Fraction
    split_min_count: Count = 2
    round_amount_min: Amount
    round_amount_unit: PositiveAmount = Decimal(100)
    rest_day_categories: Categories = frozenset()

    def to_domain(self) -> PatternPolicy:
        return PatternPolicy(
            split_threshold=self.split_threshold,
            split_margin=self.split_margin,
            split_min_count=self.split_min_count,
            round_amount_min=self.round_amount_min,
            round_amount_unit=self.round_amount_unit,
            rest_day_categories=self.rest_day_categories,
        )


class SeverityPointsDocument(BaseModel):
    # Other keys have always been ignored here; a misspelt severity still shows as a missing one.
    model_config = ConfigDict(extra="ignore", frozen=True)

    info: Points
    warning: Points
    error: Points
    block: Points


class RiskDocument(_Document):
    severity_points: Annotated[SeverityPointsDocument, Table]
    code_points: Annotated[dict[str, Points], Table] = {}
    review_at: Score
    block_at: Score = 100

    @field_validator("block_at")
    @classmethod
    def _not_below_review(cls, block_at: int, info: ValidationInfo) -> int:
        review_at = info.data.get("review_at")  # absent when it was invalid itself
        if review_at is not None and block_at < review_at:
            _fail("below_review", "must not be below risk.review_at", other="risk.review_at")
        return block_at

    def to_domain(self) -> RiskPolicy:
        points = self.severity_points
        return RiskPolicy(
            severity_points={sev: getattr(points, sev.value) for sev in Severity},
            code_points=dict(self.code_points),
            review_at=self.review_at,
            block_at=self.block_at,
        )


class PerDiemDocument(_Document):
    tier_1: Amount = Field(alias="1")
    tier_2: Amount = Field(alias="2")
    tier_3: Amount = Field(alias="3")


class AllowancesDocument(_Document):
    per_diem_per_day: Annotated[PerDiemDocument, Table]
    mileage_per_km: PositiveAmount

    def to_domain(self) -> Allowances:
        days = self.per_diem_per_day
        return Allowances(
            per_diem_per_day={1: days.tier_1, 2: days.tier_2, 3: days.tier_3},
            mileage_per_km=self.mileage_per_km,
        )


def _tolerance(value: object) -> Decimal:
    amount = _decimal(value)
    if not (0 <= amount <= 10):
        _fail("tolerance", "a fraction of the estimate between 0 and 10, e.g. 0.1 for 10 %")
    return amount


class PolicyDocument(_Document):
    version: Annotated[int, BeforeValidator(_version)] = 1
    currency: Annotated[str, BeforeValidator(_currency)] = "CNY"
    caps: Annotated[CapsDocument, Table]
    invoice: Annotated[InvoiceDocument, Table]
    patterns: Annotated[PatternsDocument, Table]
    over_budget: Annotated[OverBudgetAction, BeforeValidator(_member(OverBudgetAction))] = (
        OverBudgetAction.ADD_APPROVER
    )
    risk: Annotated[RiskDocument, Table]
    # optional: documents saved before these existed keep working with the shipped values
    allowances: Annotated[AllowancesDocument, Table] = AllowancesDocument.model_validate(
        {"per_diem_per_day": {"1": 150, "2": 120, "3": 100}, "mileage_per_km": "1.20"}
    )
    pre_approval_tolerance: Annotated[Decimal, BeforeValidator(_tolerance)] = Decimal("0.10")

    def to_domain(self) -> Policy:
        return Policy(
            currency=self.currency,
            caps=self.caps.to_domain(),
            invoice=self.invoice.to_domain(),
            patterns=self.patterns.to_domain(),
            over_budget=self.over_budget,
            risk=self.risk.to_domain(),
            allowances=self.allowances.to_domain(),
            pre_approval_tolerance=self.pre_approval_tolerance,
        )


def _problem(path: str, code: str, what: str, ctx: Mapping[str, Any] | None) -> Problem:
    params = {k: v for k, v in (ctx or {}).items() if k != "what"}
    return Problem(path, code, f"{path}: {what}", params_of(params))


def _problems(exc: ValidationError) -> list[Problem]:
    """pydantic's errors as problems at their path; unknown keys of one mapping become one."""
    problems: list[Problem] = []
    unknown: dict[tuple[str, ...], list[str]] = {}
    for error in exc.errors():
        # Dict keys are text (``_mapping``); ints are list positions and "[key]" marks a bad key:
        # the path names the list or the entry, as it always has.
        loc = tuple(p for p in error["loc"] if isinstance(p, str) and p != "[key]")
        if error["type"] == "extra_forbidden":
            unknown.setdefault(loc[:-1], []).append(loc[-1])
            continue
        if error["type"] == "missing":
            problems.append(_problem(_path(loc), "missing", "missing", None))
        elif "what" in (ctx := error.get("ctx") or {}):  # one of ours (``_fail``)
            problems.append(_problem(_path(loc), error["type"], str(ctx["what"]), ctx))
        else:  # pydantic's own (none expected: every leaf checks its raw value first)
            problems.append(_problem(_path(loc), "invalid", error["msg"], None))
    for parent, keys in unknown.items():
        problems.append(_unknown_keys(parent, sorted(keys)))
    return problems


def _path(loc: tuple[str, ...]) -> str:
    return ".".join(loc) or "(document)"


def _unknown_keys(parent: tuple[str, ...], keys: list[str]) -> Problem:
    model: type[BaseModel] = PolicyDocument
    for part in parent:
        annotation = model.model_fields[part].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    path = _path(parent)
    if model in (LodgingDocument, PerDiemDocument):
        return _problem(path, "unknown_tiers", f"city tiers are 1, 2, 3; unknown {keys}", {"keys": keys})
    known = sorted(f.alias or name for name, f in model.model_fields.items())
    return _problem(
        path, "unknown_keys", f"unknown keys {keys} (known: {known})", {"keys": keys, "known": known}
    )


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
        "allowances": lambda: {
            "per_diem_per_day": {str(k): money(v) for k, v in policy.allowances.per_diem_per_day.items()},
            "mileage_per_km": money(policy.allowances.mileage_per_km),
        },
        "pre_approval_tolerance": lambda: money(policy.pre_approval_tolerance),
    }
    return {k: f() for k, f in dumpers.items()}

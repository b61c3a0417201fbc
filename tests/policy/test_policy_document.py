"""The policy document's validation, table-driven: each bad document and the exact problems it gets.

The problems are what an admin reads when PUT /api/v1/admin/policy answers ``invalid_policy``:
``path: what``, every problem at once, nothing cascading from a parent that is already wrong.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
import yaml

from reimburse.claims.domain import Category, NoInvoiceKind, Severity
from reimburse.policy.defaults import default_policy, default_policy_text
from reimburse.policy.domain import PolicyError, parse_policy

BASE: dict[str, Any] = yaml.safe_load(default_policy_text())
DELETE = object()

CATEGORIES = [c.value for c in Category]
SEVERITIES = [s.value for s in Severity]
CAPS_KEYS = sorted(
    [
        "meals_per_person_per_day",
        "entertainment_per_person",
        "lodging_per_night",
        "taxi_per_trip",
        "per_diem_per_day",
        "mileage_per_item",
        "severity",
    ]
)
ROOT_KEYS = sorted(
    [
        "version",
        "currency",
        "caps",
        "invoice",
        "patterns",
        "over_budget",
        "risk",
        "allowances",
        "pre_approval_tolerance",
    ]
)


def edited(changes: dict[str, object]) -> dict[str, Any]:
    """The default document with ``a.b.c`` paths set (or deleted with ``DELETE``)."""
    doc = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = doc
        *parents, leaf = path.split(".")
        for key in parents:
            node = node[int(key) if key.isdigit() and int(key) in node else key]
        key: object = int(leaf) if leaf.isdigit() and int(leaf) in node else leaf
        if value is DELETE:
            del node[key]
        else:
            node[key] = value
    return doc


BAD: list[tuple[str, dict[str, object], list[str]]] = [
    # wrong types
    ("amount as text", {"caps.taxi_per_trip": "lots"}, ["caps.taxi_per_trip: not a number: 'lots'"]),
    ("amount as bool", {"caps.taxi_per_trip": True}, ["caps.taxi_per_trip: must be a number, not bool"]),
    ("amount as list", {"caps.taxi_per_trip": [1]}, ["caps.taxi_per_trip: must be a number, not list"]),
    ("amount infinite", {"caps.taxi_per_trip": float("inf")}, ["caps.taxi_per_trip: must be finite"]),
    (
        "days as text",
        {"invoice.max_age_days": "365"},
        ["invoice.max_age_days: must be a whole number, not '365'"],
    ),
    (
        "days as float",
        {"invoice.max_age_days": 1.5},
        ["invoice.max_age_days: must be a whole number, not 1.5"],
    ),
    (
        "days as bool",
        {"invoice.max_age_days": True},
        ["invoice.max_age_days: must be a whole number, not True"],
    ),
    ("section not a mapping", {"caps": 5}, ["caps: must be a mapping, not int"]),
    (
        "tiers not a mapping",
        {"caps.lodging_per_night": [1]},
        ["caps.lodging_per_night: must be a mapping, not list"],
    ),
    (
        "categories as text",
        {"patterns.rest_day_categories": "meals"},
        ["patterns.rest_day_categories: must be a list of categories"],
    ),
    (
        "code points not a mapping",
        {"risk.code_points": [1]},
        ["risk.code_points: must be a mapping, not list"],
    ),
    ("currency lower case", {"currency": "rmb"}, ["currency: an ISO 4217 code such as CNY"]),
    ("currency a number", {"currency": 156}, ["currency: an ISO 4217 code such as CNY"]),
    # missing
    ("cap missing", {"caps.meals_per_person_per_day": DELETE}, ["caps.meals_per_person_per_day: missing"]),
    ("cap null", {"caps.taxi_per_trip": None}, ["caps.taxi_per_trip: missing"]),
    ("tier missing", {"caps.lodging_per_night.2": DELETE}, ["caps.lodging_per_night.2: missing"]),
    ("section missing", {"risk": DELETE}, ["risk: missing"]),
    (
        "severity points missing one",
        {"risk.severity_points.error": DELETE},
        ["risk.severity_points.error: missing"],
    ),
    (
        "optional set to null",
        {"invoice.before_trip_grace_days": None},
        ["invoice.before_trip_grace_days: missing"],
    ),
    # unknown keys
    (
        "unknown cap",
        {"caps.taxi": 100, "caps.bus": 5},
        [f"caps: unknown keys ['bus', 'taxi'] (known: {CAPS_KEYS})"],
    ),
    ("unknown top-level key", {"budget": 1}, [f"(document): unknown keys ['budget'] (known: {ROOT_KEYS})"]),
    (
        "unknown city tier",
        {"caps.lodging_per_night.4": 100},
        ["caps.lodging_per_night: city tiers are 1, 2, 3; unknown ['4']"],
    ),
    # negative, zero, out of range
    ("negative cap", {"caps.taxi_per_trip": -5}, ["caps.taxi_per_trip: must not be negative"]),
    ("negative tier", {"caps.lodging_per_night.1": -1}, ["caps.lodging_per_night.1: must not be negative"]),
    ("sub-cent cap", {"caps.taxi_per_trip": 12.345}, ["caps.taxi_per_trip: at most two decimals (cents)"]),
    (
        "negative sub-cent cap",
        {"caps.taxi_per_trip": -12.345},
        ["caps.taxi_per_trip: must not be negative; at most two decimals (cents)"],
    ),
    ("zero round unit", {"patterns.round_amount_unit": 0}, ["patterns.round_amount_unit: must be positive"]),
    (
        "margin above one",
        {"patterns.split_margin": 2},
        ["patterns.split_margin: a fraction between 0 and 1, e.g. 0.1"],
    ),
    (
        "margin zero",
        {"patterns.split_margin": 0},
        ["patterns.split_margin: a fraction between 0 and 1, e.g. 0.1"],
    ),
    ("age zero", {"invoice.max_age_days": 0}, ["invoice.max_age_days: must be between 1 and 3650, not 0"]),
    (
        "split count one",
        {"patterns.split_min_count": 1},
        ["patterns.split_min_count: must be between 2 and 100, not 1"],
    ),
    (
        "points above 100",
        {"risk.code_points": {"round_amount": 101}},
        ["risk.code_points.round_amount: must be between 0 and 100, not 101"],
    ),
    (
        "block below review",
        {"risk.review_at": 50, "risk.block_at": 40},
        ["risk.block_at: must not be below risk.review_at"],
    ),
    ("version 2", {"version": 2}, ["version: only version 1 is understood"]),
    # unknown enum values
    (
        "unknown categories",
        {"invoice.individual_buyer_categories": ["trains", "travel", "boats"]},
        [
            f"invoice.individual_buyer_categories: 'trains' is not one of {CATEGORIES}",
            f"invoice.individual_buyer_categories: 'boats' is not one of {CATEGORIES}",
        ],
    ),
    (
        "unknown no-invoice kind",
        {"invoice.no_invoice_allowed": {"gifts": ["other"]}},
        ["invoice.no_invoice_allowed.gifts: 'gifts' is not one of ['per_diem', 'mileage']"],
    ),
    (
        "unknown category of a kind",
        {"invoice.no_invoice_allowed": {"per_diem": ["trips"]}},
        [f"invoice.no_invoice_allowed.per_diem: 'trips' is not one of {CATEGORIES}"],
    ),
    ("unknown severity", {"caps.severity": "loud"}, [f"caps.severity: 'loud' is not one of {SEVERITIES}"]),
    (
        "per-diem tier missing, mileage rate zero",
        {"allowances": {"per_diem_per_day": {"1": 150, "2": 120, "4": 90}, "mileage_per_km": 0}},
        [
            "allowances.per_diem_per_day: city tiers are 1, 2, 3; unknown ['4']",
            "allowances.per_diem_per_day.3: missing",
            "allowances.mileage_per_km: must be positive",
        ],
    ),
    (
        "tolerance out of range",
        {"pre_approval_tolerance": -0.1},
        ["pre_approval_tolerance: a fraction of the estimate between 0 and 10, e.g. 0.1 for 10 %"],
    ),
    (
        "unknown over-budget action",
        {"over_budget": "shrug"},
        ["over_budget: 'shrug' is not one of ['block', 'add_approver', 'warn']"],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [(c, e) for _, c, e in BAD], ids=[n for n, _, _ in BAD])
def test_a_bad_document_gets_exactly_its_problems(changes: dict[str, object], expected: list[str]) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy(edited(changes))
    assert sorted(err.value.problems) == sorted(expected)


def test_problems_in_several_sections_are_all_reported() -> None:
    changes = {"caps.taxi_per_trip": -1, "invoice.max_age_days": "x", "risk.oops": 1, "currency": "cny"}
    with pytest.raises(PolicyError) as err:
        parse_policy(edited(changes))
    assert sorted(err.value.problems) == [
        "caps.taxi_per_trip: must not be negative",
        "currency: an ISO 4217 code such as CNY",
        "invoice.max_age_days: must be a whole number, not 'x'",
        "risk: unknown keys ['oops'] (known: ['block_at', 'code_points', 'review_at', 'severity_points'])",
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [(None, "(document): missing"), ([1], "(document): must be a mapping, not list")],
)
def test_a_document_that_is_not_a_mapping(data: object, problem: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy(data)
    assert err.value.problems == (problem,)


def test_left_out_optional_keys_take_their_defaults() -> None:
    optional = ["version", "currency", "over_budget", "caps.severity", "invoice.before_trip_grace_days"]
    optional += [
        "invoice.individual_buyer_categories",
        "invoice.no_invoice_allowed",
        "invoice.unverified_severity",
    ]
    optional += ["patterns.split_min_count", "patterns.round_amount_unit", "patterns.rest_day_categories"]
    optional += ["risk.code_points", "risk.block_at"]
    p = parse_policy(edited(dict.fromkeys(optional, DELETE)))
    assert (p.currency, p.caps.severity, p.invoice.unverified_severity) == (
        "CNY",
        Severity.WARNING,
        Severity.INFO,
    )
    assert (p.invoice.before_trip_grace_days, p.patterns.split_min_count, p.risk.block_at) == (0, 2, 100)
    assert p.patterns.round_amount_unit == Decimal(100) and p.risk.code_points == {}
    assert p.invoice.no_invoice_allowed == {} and p.invoice.individual_buyer_categories == frozenset()


def test_values_come_through_as_domain_types() -> None:
    p = parse_policy(
        edited({"caps.lodging_per_night.1": 612.5, "invoice.no_invoice_allowed": {"mileage": []}})
    )
    assert p.caps.lodging_per_night[1] == Decimal("612.5") and type(p.caps.lodging_per_night[1]) is Decimal
    assert p.invoice.no_invoice_allowed == {NoInvoiceKind.MILEAGE: frozenset()}
    assert p.risk.severity_points == default_policy().risk.severity_points
    # severity points other than the four severities have always been ignored
    assert parse_policy(edited({"risk.severity_points.extra": 3})) == default_policy()


CODED: list[tuple[dict[str, object], tuple[str, str, dict[str, str]]]] = [
    ({"caps.taxi_per_trip": "lots"}, ("caps.taxi_per_trip", "not_number", {"got": "'lots'"})),
    ({"caps.taxi_per_trip": -5}, ("caps.taxi_per_trip", "negative", {})),
    ({"caps.taxi_per_trip": 12.345}, ("caps.taxi_per_trip", "cents", {})),
    ({"caps.taxi_per_trip": -12.345}, ("caps.taxi_per_trip", "negative_cents", {})),
    ({"patterns.round_amount_unit": 0}, ("patterns.round_amount_unit", "not_positive", {})),
    ({"caps.meals_per_person_per_day": DELETE}, ("caps.meals_per_person_per_day", "missing", {})),
    ({"caps": 5}, ("caps", "not_mapping", {"got": "int"})),
    (
        {"invoice.max_age_days": 0},
        ("invoice.max_age_days", "out_of_range", {"low": "1", "high": "3650", "got": "0"}),
    ),
    ({"invoice.max_age_days": "365"}, ("invoice.max_age_days", "not_whole", {"got": "'365'"})),
    (
        {"over_budget": "shrug"},
        ("over_budget", "not_one_of", {"got": "shrug", "allowed": "block, add_approver, warn"}),
    ),
    ({"caps.taxi": 100}, ("caps", "unknown_keys", {"keys": "taxi", "known": ", ".join(CAPS_KEYS)})),
    ({"caps.lodging_per_night.4": 100}, ("caps.lodging_per_night", "unknown_tiers", {"keys": "4"})),
    (
        {"risk.review_at": 50, "risk.block_at": 40},
        ("risk.block_at", "below_review", {"other": "risk.review_at"}),
    ),
    ({"currency": "rmb"}, ("currency", "currency", {})),
    ({"version": 2}, ("version", "version", {})),
    ({"patterns.split_margin": 2}, ("patterns.split_margin", "fraction", {})),
    ({"pre_approval_tolerance": -0.1}, ("pre_approval_tolerance", "tolerance", {})),
    ({"patterns.rest_day_categories": "meals"}, ("patterns.rest_day_categories", "not_list", {})),
    ({"caps.taxi_per_trip": float("inf")}, ("caps.taxi_per_trip", "not_finite", {})),
]


@pytest.mark.parametrize(("changes", "expected"), CODED, ids=[e[1] + ":" + e[0] for _, e in CODED])
def test_each_problem_carries_a_code_and_params(
    changes: dict[str, object], expected: tuple[str, str, dict[str, str]]
) -> None:
    """What the web app words: the code and its figures, beside the English message."""
    with pytest.raises(PolicyError) as err:
        parse_policy(edited(changes))
    assert [(p.path, p.code, dict(p.params)) for p in err.value.coded] == [expected]
    assert [p.message for p in err.value.coded] == list(err.value.problems)


def test_text_that_is_not_yaml_says_where() -> None:
    from reimburse.policy.domain import load_policy_text

    with pytest.raises(PolicyError) as err:
        load_policy_text("caps: {")
    (problem,) = err.value.coded
    assert (problem.path, problem.code) == ("(document)", "not_yaml") and set(problem.params) == {
        "line",
        "column",
    }


def test_a_document_saved_with_the_old_allowance_caps_still_loads() -> None:
    # per-diem and mileage are computed from ``allowances`` now (issue 18): their caps have
    # nothing left to cap, and a document saved with them loads as if they were not there
    old = edited({"caps.per_diem_per_day": 100, "caps.mileage_per_item": 500})
    assert parse_policy(old) == default_policy()
    with pytest.raises(PolicyError):
        parse_policy(edited({"caps.per_diem_per_day": -1}))  # still checked while accepted

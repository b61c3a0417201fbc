"""Conditions and approver resolution, clause by clause."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from reimburse.routing.domain import ClaimFacts, Condition, Resolver, ResolverKind, RiskDecision
from reimburse.routing.engine import matches, plan, resolve
from reimburse.routing.flows import load_flow
from tests.routing.helpers import company, facts

ORG = company()
BASE = replace(facts("1000"), submitter_rank=3, submitter_roles=("sales",), categories=("travel", "meals"))


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (Condition(), True),
        (Condition(amount_gt=Decimal("1000")), False),
        (Condition(amount_gte=Decimal("1000")), True),
        (Condition(amount_lt=Decimal("1000")), False),
        (Condition(amount_lte=Decimal("1000.00")), True),
        (Condition(departments=("sales",)), True),  # the submitter's department is below sales
        (Condition(departments=("sales_east",)), True),
        (Condition(departments=("finance",)), False),
        (Condition(categories=("meals", "lodging")), True),
        (Condition(categories=("lodging",)), False),
        (Condition(risk=(RiskDecision.REVIEW,)), True),
        (Condition(risk=(RiskDecision.PASS, RiskDecision.BLOCK)), False),
        (Condition(over_budget=False), True),
        (Condition(over_budget=True), False),
        (Condition(min_rank=3, max_rank=3), True),
        (Condition(min_rank=4), False),
        (Condition(roles=("sales", "x")), True),
        (Condition(roles=("finance_reviewer",)), False),
        (Condition(amount_gt=Decimal(1), any_of=(Condition(over_budget=True), Condition(min_rank=2))), True),
        (Condition(any_of=(Condition(over_budget=True), Condition(min_rank=9))), False),
    ],
)
def test_condition_clauses(cond: Condition, expected: bool) -> None:
    assert matches(cond, BASE, ORG) is expected


def test_resolvers() -> None:
    f: ClaimFacts = facts("1")
    assert resolve(Resolver(ResolverKind.DEPT_HEAD), f, ORG) == ("east_head",)
    assert resolve(Resolver(ResolverKind.DEPT_HEAD, levels=3), f, ORG) == ("east_head", "sales_head", "ceo")
    assert resolve(Resolver(ResolverKind.DEPT_HEAD, levels=9), f, ORG) == ("east_head", "sales_head", "ceo")
    assert resolve(Resolver(ResolverKind.ROLE, role="finance_reviewer"), f, ORG) == ("fr1", "fr2")
    assert resolve(Resolver(ResolverKind.ROLE, role="nobody"), f, ORG) == ()
    assert resolve(Resolver(ResolverKind.USERS, users=("gm", "bob")), f, ORG) == ("gm", "bob")
    assert resolve(Resolver(ResolverKind.COST_CENTRE_OWNER), f, ORG) == ("sales_head",)
    assert resolve(Resolver(ResolverKind.COST_CENTRE_OWNER), replace(f, cost_centre=None), ORG) == ()
    assert resolve(Resolver(ResolverKind.SUBMITTER_MANAGER), f, ORG) == ("east_head",)
    # a head's manager is the head above; an explicit manager wins
    assert ORG.manager_of("east_head") == "sales_head" and ORG.manager_of("gm") == "ceo"


MERGE = """
id: m
version: 1
rules: {merge_consecutive: %s, skip_submitter: %s}
nodes:
  - {id: a, kind: single, approvers: [{type: dept_head}]}
  - {id: b, kind: single, approvers: [{type: submitter_manager}]}
  - {id: c, kind: cc, approvers: [{type: users, users: [alice, gm]}]}
  - {id: d, kind: countersign, approvers: [{type: users, users: [alice, gm]}]}
"""


def test_merge_consecutive_and_skip_submitter_are_switchable() -> None:
    on = load_flow(MERGE % ("true", "true"))
    steps = plan(on, facts("5"), ORG).steps
    assert [(s.id, s.assignees, s.merged) for s in steps] == [
        ("a", ("east_head",), ("b",)),  # b resolved to the same person: approved once
        ("c", ("alice", "gm"), ()),  # CC may include the submitter
        ("d", ("gm",), ()),  # approvals never do
    ]
    off = load_flow(MERGE % ("false", "false"))
    steps = plan(off, facts("5"), ORG).steps
    assert [(s.id, s.assignees) for s in steps] == [
        ("a", ("east_head",)),
        ("b", ("east_head",)),
        ("c", ("alice", "gm")),
        ("d", ("east_head", "gm")),  # the submitter's manager stands in for her
    ]
    assert [s.after for s in steps] == [(), ("a",), ("b",), ("c",)]

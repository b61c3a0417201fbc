"""A synthetic company for routing tests (made-up ids and names, no real people)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from reimburse.routing.domain import ClaimFacts, Delegation, Department, Flow, Org, RiskDecision, User
from reimburse.routing.flows import load_flow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def company(delegations: tuple[Delegation, ...] = ()) -> Org:
    """root (ceo) > sales (sales_head) > sales_east (east_head); root > finance (fin_dir)."""
    departments = {
        "root": Department("root", "总部", None, "ceo"),
        "sales": Department("sales", "销售部", "root", "sales_head"),
        "sales_east": Department("sales_east", "华东销售", "sales", "east_head"),
        "finance": Department("finance", "财务部", "root", "fin_dir"),
        "ops": Department("ops", "运营部", "root", None),  # no head: escalation goes up the tree
    }
    users = {
        "ceo": User("ceo", "总裁", "root", ("ceo",), rank=9),
        "gm": User("gm", "总经理", "root", ("general_manager",), rank=8, manager="ceo"),
        "sales_head": User("sales_head", "销售总监", "sales", (), rank=6),
        "east_head": User("east_head", "华东经理", "sales_east", (), rank=5),
        "alice": User("alice", "员工甲", "sales_east", (), rank=2, email="alice@example.test"),
        "bob": User("bob", "员工乙", "sales_east", (), rank=2),
        "ops_carol": User("ops_carol", "员工丙", "ops", (), rank=2),
        "fin_dir": User("fin_dir", "财务总监", "finance", ("finance_director",), rank=7),
        "fr1": User("fr1", "财务一", "finance", ("finance_reviewer",), rank=3),
        "fr2": User("fr2", "财务二", "finance", ("finance_reviewer",), rank=3),
        "cashier": User("cashier", "出纳", "finance", ("cashier",), rank=3),
        "deputy": User("deputy", "副经理", "sales_east", (), rank=4),
    }
    return Org(departments, users, {"cc-100": "sales_head"}, delegations)


def facts(
    amount: str | int,
    *,
    submitter: str = "alice",
    department: str = "sales_east",
    risk: RiskDecision = RiskDecision.REVIEW,
    over_budget: bool = False,
    claim_id: str = "C1",
    categories: tuple[str, ...] = ("travel",),
) -> ClaimFacts:
    # Risk "review" by default so that small amounts are not auto-approved unless a test says so.
    return ClaimFacts(
        claim_id=claim_id,
        submitter=submitter,
        department=department,
        amount=Decimal(str(amount)),
        categories=categories,
        risk=risk,
        over_budget=over_budget,
        cost_centre="cc-100",
    )


# The engine's mechanics (returns, transfers, SLA, audit, serde) are tested on this flow: the
# shape the shipped default had before issue 13 (a department head on every claim, finance and
# the general manager above 1,000, auto-approval below 200). The shipped flow itself, the
# company's rule, is tested in test_default_flow.py.
MECHANICS_FLOW_TEXT = """\
id: mechanics
version: 1
name: 默认报销审批流程

params:
  finance_limit: "1000"
  executive_limit: "50000"
  auto_approve_limit: "200"

rules:
  # Nobody approves their own claim: when the submitter is a node's approver (a department head's
  # own claim), their manager takes the node (false); true would drop them from it instead.
  skip_submitter: false
  merge_consecutive: true   # the same person twice in a row approves once
  auto_approve:
    below: $auto_approve_limit
    risk: [pass]
  reject_when:
    risk: [block]

nodes:
  - id: dept_head
    name: 部门负责人审批
    kind: single
    approvers:
      - type: dept_head
        levels: 1
    sla:
      remind_after_hours: 24
      escalate_after_hours: 48
      action: forward_manager

  - id: finance_review
    name: 财务初审
    kind: orsign
    when:
      any:
        - amount_gt: $finance_limit
        - risk: [review]
    approvers:
      - type: role
        role: finance_reviewer
    if_empty: fail
    sla:
      remind_after_hours: 24
      escalate_after_hours: 72
      action: escalate_manager

  - id: finance_director
    name: 财务总监审批（超预算）
    kind: single
    when:
      over_budget: true
    approvers:
      - type: role
        role: finance_director
    if_empty: fail

  - id: general_manager
    name: 总经理审批
    kind: single
    when:
      amount_gt: $finance_limit
    approvers:
      - type: role
        role: general_manager
    if_empty: fail
    sla:
      remind_after_hours: 48

  - id: ceo
    name: CEO 审批
    kind: single
    when:
      amount_gt: $executive_limit
    approvers:
      - type: role
        role: ceo
    if_empty: fail
    sla:
      remind_after_hours: 48

  - id: cc_cashier
    name: 抄送出纳
    kind: cc
    approvers:
      - type: role
        role: cashier
"""


def mechanics_flow(params: dict[str, object] | None = None) -> Flow:
    return load_flow(MECHANICS_FLOW_TEXT, params=params)

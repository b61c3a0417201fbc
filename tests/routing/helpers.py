"""A synthetic company for routing tests (made-up ids and names, no real people)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from reimburse.routing.domain import ClaimFacts, Delegation, Department, Org, RiskDecision, User

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

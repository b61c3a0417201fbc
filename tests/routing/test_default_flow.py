"""The shipped default flow: who approves what, table by table."""

from __future__ import annotations

import pytest

from reimburse.routing.domain import (
    Approve,
    FinalStatus,
    InstanceStatus,
    Notify,
    NotifyKind,
    RiskDecision,
    StepStatus,
    Submit,
)
from reimburse.routing.engine import advance, new_instance, plan
from reimburse.routing.exceptions import NoApprover
from reimburse.routing.flows import load_builtin
from tests.routing.helpers import T0, company, facts

FLOW = load_builtin()
ORG = company()


def approvers(amount: str | int, **kw: object) -> list[tuple[str, tuple[str, ...]]]:
    p = plan(FLOW, facts(amount, **kw), ORG)  # type: ignore[arg-type]
    return [(s.id, s.assignees) for s in p.steps if s.kind != "cc"]


@pytest.mark.parametrize(
    ("amount", "kw", "expected"),
    [
        # the company's rule: up to 1,000 the department head, nobody else
        ("1000", {"risk": RiskDecision.PASS}, ["dept_head"]),
        ("999.99", {"risk": RiskDecision.PASS}, ["dept_head"]),
        # above 1,000: finance pre-review, then the general manager; no department head before them
        ("1000.01", {"risk": RiskDecision.PASS}, ["finance_review", "general_manager"]),
        ("50000", {"risk": RiskDecision.PASS}, ["finance_review", "general_manager"]),
        # additions in the shipped file: the CEO above the executive limit
        ("50000.01", {"risk": RiskDecision.PASS}, ["finance_review", "general_manager", "ceo"]),
        # over budget adds the finance director before the general manager
        (
            "3000",
            {"risk": RiskDecision.PASS, "over_budget": True},
            ["finance_review", "finance_director", "general_manager"],
        ),
        ("500", {"risk": RiskDecision.PASS, "over_budget": True}, ["dept_head", "finance_director"]),
        # a "review" risk decision sends even small claims through finance
        ("300", {"risk": RiskDecision.REVIEW}, ["dept_head", "finance_review"]),
        # no auto-approval: a small claim still has its department head
        ("199.99", {"risk": RiskDecision.PASS}, ["dept_head"]),
        ("0.01", {"risk": RiskDecision.PASS}, ["dept_head"]),
        ("200", {"risk": RiskDecision.PASS}, ["dept_head"]),
        ("150", {"risk": RiskDecision.REVIEW}, ["dept_head", "finance_review"]),
    ],
)
def test_thresholds(amount: str, kw: dict[str, object], expected: list[str]) -> None:
    assert [s for s, _ in approvers(amount, **kw)] == expected


def test_resolved_people() -> None:
    assert approvers("60000", risk=RiskDecision.PASS, over_budget=True) == [
        ("finance_review", ("fr1", "fr2")),
        ("finance_director", ("fin_dir",)),
        ("general_manager", ("gm",)),
        ("ceo", ("ceo",)),
    ]


def test_executive_limit_is_configurable() -> None:
    flow = load_builtin(params={"executive_limit": "80000"})
    steps = [s.id for s in plan(flow, facts("60000"), ORG).steps]
    assert "ceo" not in steps
    assert "ceo" in [s.id for s in plan(flow, facts("80000.5"), ORG).steps]


def test_block_is_rejected_at_submission() -> None:
    inst = new_instance(FLOW, facts("5000", risk=RiskDecision.BLOCK), ORG)
    assert inst.auto == "auto_rejected" and inst.steps == ()
    out = advance(inst, Submit("alice"), FLOW, T0, org=ORG)
    assert out.instance.status is InstanceStatus.REJECTED
    assert FinalStatus("C1", InstanceStatus.REJECTED) in out.effects


def test_no_claim_is_approved_by_nobody_and_the_cashier_is_copied_on_approval() -> None:
    inst = new_instance(FLOW, facts("50", risk=RiskDecision.PASS), ORG)
    assert inst.auto == "" and FLOW.rules.auto_approve_below is None
    out = advance(inst, Submit("alice"), FLOW, T0, org=ORG)
    assert out.instance.status is InstanceStatus.RUNNING
    assert out.effects[0].action == "submit"  # type: ignore[union-attr]
    out = advance(out.instance, Approve("east_head"), FLOW, T0, org=ORG)
    assert out.instance.status is InstanceStatus.APPROVED
    assert Notify("C1", NotifyKind.CC, ("cashier",), step_id="cc_cashier") in out.effects


def test_head_submitting_goes_to_their_manager() -> None:
    # The department head's own claim: their manager (the head above) takes the node.
    steps = approvers("500", submitter="east_head", risk=RiskDecision.PASS)
    assert steps == [("dept_head", ("sales_head",))]
    steps = approvers("900", submitter="sales_head", department="sales", risk=RiskDecision.PASS)
    assert steps == [("dept_head", ("ceo",))]
    # above 1,000 there is no department-head step to take over
    steps = approvers("5000", submitter="sales_head", department="sales", risk=RiskDecision.PASS)
    assert steps == [("finance_review", ("fr1", "fr2")), ("general_manager", ("gm",))]


def test_ceo_claim_skips_self_and_merges() -> None:
    # The CEO has no manager: their own node is dropped, and nobody else is the CEO.
    steps = approvers("60000", submitter="ceo", department="root", risk=RiskDecision.PASS)
    assert steps == [("finance_review", ("fr1", "fr2")), ("general_manager", ("gm",))]
    with pytest.raises(NoApprover, match="no approver"):
        plan(FLOW, facts("500", submitter="ceo", department="root", risk=RiskDecision.PASS), ORG)


def test_department_without_head_has_no_dept_node_but_still_needs_finance() -> None:
    steps = approvers("500", submitter="ops_carol", department="ops", risk=RiskDecision.PASS)
    # ops has no head; the tree's next head up (the CEO) is the department head of record
    assert steps[0] == ("dept_head", ("ceo",))


def test_missing_role_fails_loudly() -> None:
    org = company()
    users = {k: v for k, v in org.users.items() if k != "gm"}
    from reimburse.routing.domain import Org

    bare = Org(org.departments, users, org.cost_centre_owners)
    with pytest.raises(NoApprover) as exc:
        plan(FLOW, facts("5000"), bare)
    assert exc.value.code == "no_approver" and "general_manager" in exc.value.message


def test_full_run_large_claim() -> None:
    inst = new_instance(FLOW, facts("60000", over_budget=True), ORG)
    inst, _ = advance(inst, Submit("alice"), FLOW, T0, org=ORG)
    for actor in ["fr2", "fin_dir", "gm"]:
        inst, _ = advance(inst, Approve(actor), FLOW, T0, org=ORG)
        assert inst.status is InstanceStatus.RUNNING
    inst, effects = advance(inst, Approve("ceo"), FLOW, T0, org=ORG)
    assert inst.status is InstanceStatus.APPROVED
    assert FinalStatus("C1", InstanceStatus.APPROVED) in effects
    fr = next(s for s in inst.steps if s.id == "finance_review")
    # or-sign: fr2 decided, fr1's task was cancelled
    assert {t.assignee: t.status.value for t in fr.tasks} == {"fr1": "cancelled", "fr2": "approved"}
    assert all(s.status in (StepStatus.APPROVED, StepStatus.DONE) for s in inst.steps)
    assert inst.seq == 5 and inst.timers == ()

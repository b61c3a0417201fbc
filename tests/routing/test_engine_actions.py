"""Actions on a running claim: who may act, when, and what comes out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reimburse.routing.domain import (
    AddPosition,
    AddSigner,
    Approve,
    AssignTask,
    CloseTask,
    Comment,
    Delegate,
    Delegation,
    Event,
    Flow,
    FlowInstance,
    InstanceStatus,
    Notify,
    NotifyKind,
    Org,
    Reject,
    Remind,
    Resubmit,
    Return,
    ScheduleTimer,
    StepStatus,
    Submit,
    TaskStatus,
    TimerTick,
    Transfer,
    Withdraw,
)
from reimburse.routing.engine import advance, new_instance
from reimburse.routing.exceptions import (
    AlreadyActed,
    FlowMismatch,
    InvalidAction,
    NotAssignee,
    RoutingError,
    Terminal,
    WrongState,
)
from reimburse.routing.flows import load_flow
from tests.routing.helpers import T0, company, facts, mechanics_flow

ORG = company()
DEFAULT = mechanics_flow()  # the engine's mechanics, not the shipped rule

CUSTOM = load_flow(
    """
id: custom
version: 3
nodes:
  - id: lead
    kind: single
    approvers: [{type: dept_head}]
    sla: {remind_after_hours: 4, escalate_after_hours: 8, action: forward_manager}
  - id: split
    kind: parallel
    branches:
      - - id: finance
          kind: countersign
          approvers: [{type: users, users: [fr1, fr2]}]
      - - id: chain
          kind: sequential
          approvers: [{type: dept_head, levels: 2}]
        - id: cc_owner
          kind: cc
          approvers: [{type: cost_centre_owner}]
  - id: gm
    kind: single
    approvers: [{type: role, role: general_manager}]
    sla: {escalate_after_hours: 2, action: auto_approve}
"""
)


def start(flow: Flow, amount: str = "5000", org: Org = ORG, **kw: object) -> FlowInstance:
    inst = new_instance(flow, facts(amount, **kw), org)  # type: ignore[arg-type]
    return advance(inst, Submit("alice"), flow, T0, org=org).instance


def run(inst: FlowInstance, flow: Flow, *events: Event, org: Org = ORG, at: object = T0) -> FlowInstance:
    for e in events:
        inst = advance(inst, e, flow, at, org=org).instance  # type: ignore[arg-type]
    return inst


def active(inst: FlowInstance) -> list[str]:
    return [s.id for s in inst.steps if s.status is StepStatus.ACTIVE]


def step(inst: FlowInstance, sid: str):  # type: ignore[no-untyped-def]
    return next(s for s in inst.steps if s.id == sid)


# --- who may act -----------------------------------------------------------------------------


def test_only_the_assignee_may_act_and_only_once() -> None:
    inst = start(DEFAULT, "500")
    with pytest.raises(NotAssignee) as e1:
        advance(inst, Approve("bob"), DEFAULT, T0, org=ORG)
    assert e1.value.code == "not_assignee" and e1.value.status == 403
    inst2 = run(inst, DEFAULT, Approve("east_head"))
    assert active(inst2) == ["finance_review"]
    with pytest.raises(AlreadyActed) as e2:
        advance(inst2, Approve("east_head"), DEFAULT, T0, org=ORG)
    assert e2.value.code == "already_acted" and e2.value.status == 409


def test_stale_page_with_task_id_is_a_conflict() -> None:
    inst = run(start(DEFAULT, "5000"), DEFAULT, Approve("east_head"))
    tasks = {t.assignee: t.id for t in step(inst, "finance_review").tasks}
    inst = run(inst, DEFAULT, Approve("fr1", task_id=tasks["fr1"]))
    # fr2's page still shows the or-sign task; fr1 decided it already
    with pytest.raises(AlreadyActed, match="cancelled"):
        advance(inst, Approve("fr2", task_id=tasks["fr2"]), DEFAULT, T0, org=ORG)


def test_submitter_never_approves_own_claim_even_via_transfer() -> None:
    inst = start(DEFAULT, "500")
    with pytest.raises(InvalidAction):
        advance(inst, Transfer("east_head", to="alice"), DEFAULT, T0, org=ORG)
    with pytest.raises(NotAssignee):
        advance(inst, Approve("alice"), DEFAULT, T0, org=ORG)


def test_terminal_states_refuse_everything() -> None:
    inst = run(start(DEFAULT, "500"), DEFAULT, Reject("east_head", "no receipt"))
    assert inst.status is InstanceStatus.REJECTED
    for ev in (Approve("fr1"), Withdraw("alice"), Resubmit("alice"), Comment("alice", "why?")):
        with pytest.raises(Terminal) as exc:
            advance(inst, ev, DEFAULT, T0, org=ORG)
        assert exc.value.code == "terminal"


def test_flow_version_must_match() -> None:
    inst = start(DEFAULT, "500")
    v2 = mechanics_flow()
    from dataclasses import replace

    with pytest.raises(FlowMismatch):
        advance(inst, Approve("east_head"), replace(v2, version=2), T0, org=ORG)


def test_refused_event_leaves_instance_untouched() -> None:
    inst = start(DEFAULT, "500")
    before = inst
    with pytest.raises(RoutingError):
        advance(inst, Approve("bob"), DEFAULT, T0, org=ORG)
    assert inst == before and inst.seq == 1


# --- delegation ------------------------------------------------------------------------------


def test_out_of_office_delegate_may_act_within_the_date_range_only() -> None:
    away = Delegation("east_head", "deputy", T0, T0 + timedelta(days=3))
    org = company((away,))
    inst = start(DEFAULT, "500", org=org)
    first = advance(new_instance(DEFAULT, facts("500"), org), Submit("alice"), DEFAULT, T0, org=org)
    assign = next(e for e in first.effects if isinstance(e, AssignTask))
    assert assign.may_act == ("east_head", "deputy")
    with pytest.raises(NotAssignee):
        advance(inst, Approve("deputy"), DEFAULT, T0 + timedelta(days=3), org=org)
    inst = run(inst, DEFAULT, Approve("deputy", "on behalf"), org=org, at=T0 + timedelta(days=1))
    t = step(inst, "dept_head").tasks[0]
    assert (t.assignee, t.acted_by, t.status) == ("east_head", "deputy", TaskStatus.APPROVED)


def test_delegate_event_lets_named_person_act_on_that_task() -> None:
    inst = start(DEFAULT, "500")
    inst = run(inst, DEFAULT, Delegate("east_head", to="deputy"))
    with pytest.raises(NotAssignee):
        advance(inst, Approve("bob"), DEFAULT, T0, org=ORG)
    inst = run(inst, DEFAULT, Approve("deputy"))
    assert active(inst) == ["finance_review"]


# --- transfer and add signer -----------------------------------------------------------------


def test_transfer_moves_the_task() -> None:
    inst = run(start(DEFAULT, "500"), DEFAULT, Transfer("east_head", to="sales_head", comment="I am away"))
    with pytest.raises(AlreadyActed):
        advance(inst, Approve("east_head"), DEFAULT, T0, org=ORG)
    tasks = step(inst, "dept_head").tasks
    assert [(t.assignee, t.status.value) for t in tasks] == [
        ("east_head", "transferred"),
        ("sales_head", "pending"),
    ]
    inst = run(inst, DEFAULT, Approve("sales_head"))
    assert active(inst) == ["finance_review"]


def test_add_signer_before_comes_back_to_me() -> None:
    out = advance(
        start(DEFAULT, "500"), AddSigner("east_head", "deputy", AddPosition.BEFORE), DEFAULT, T0, org=ORG
    )
    assert CloseTask("C1", "dept_head", "dept_head.1", TaskStatus.WAITING) in out.effects
    assert AssignTask("C1", "dept_head", "dept_head.2", "deputy", ("deputy",)) in out.effects
    inst = out.instance
    with pytest.raises(WrongState, match="turn"):
        advance(inst, Approve("east_head"), DEFAULT, T0, org=ORG)
    inst = run(inst, DEFAULT, Approve("deputy"))
    assert active(inst) == ["dept_head"]
    inst = run(inst, DEFAULT, Approve("east_head"))
    assert active(inst) == ["finance_review"]


def test_add_signer_after_must_approve_too() -> None:
    inst = run(start(DEFAULT, "500"), DEFAULT, AddSigner("east_head", "deputy", AddPosition.AFTER))
    with pytest.raises(WrongState):
        advance(inst, Approve("deputy"), DEFAULT, T0, org=ORG)
    inst = run(inst, DEFAULT, Approve("east_head"))
    assert active(inst) == ["dept_head"]
    inst = run(inst, DEFAULT, Approve("deputy"))
    assert active(inst) == ["finance_review"]


def test_added_signer_can_reject() -> None:
    inst = run(start(DEFAULT, "500"), DEFAULT, AddSigner("east_head", "deputy", AddPosition.BEFORE))
    inst = run(inst, DEFAULT, Reject("deputy", "duplicate"))
    assert inst.status is InstanceStatus.REJECTED


# --- return, resubmit, withdraw --------------------------------------------------------------


def test_return_and_resubmit_resume_at_the_same_step() -> None:
    inst = run(start(DEFAULT, "5000"), DEFAULT, Approve("east_head"), Return("fr1", "attach the receipt"))
    assert inst.status is InstanceStatus.RETURNED and active(inst) == [] and inst.timers == ()
    with pytest.raises(WrongState):
        advance(inst, Approve("fr2"), DEFAULT, T0, org=ORG)
    with pytest.raises(NotAssignee):
        advance(inst, Resubmit("bob"), DEFAULT, T0, org=ORG)
    out = advance(inst, Resubmit("alice", "receipt attached"), DEFAULT, T0, org=ORG)
    inst = out.instance
    assert inst.status is InstanceStatus.RUNNING and active(inst) == ["finance_review"]
    assert step(inst, "dept_head").status is StepStatus.APPROVED  # not asked again
    assert sum(isinstance(e, AssignTask) for e in out.effects) == 2  # fresh tasks for fr1 and fr2
    inst = run(inst, DEFAULT, Approve("fr1"), Approve("gm"))
    assert inst.status is InstanceStatus.APPROVED


def test_resubmit_only_when_returned() -> None:
    with pytest.raises(WrongState):
        advance(start(DEFAULT, "500"), Resubmit("alice"), DEFAULT, T0, org=ORG)


def test_withdraw_by_submitter_before_final_decision() -> None:
    inst = start(DEFAULT, "5000")
    with pytest.raises(NotAssignee):
        advance(inst, Withdraw("east_head"), DEFAULT, T0, org=ORG)
    out = advance(inst, Withdraw("alice", "wrong trip"), DEFAULT, T0, org=ORG)
    assert out.instance.status is InstanceStatus.WITHDRAWN and out.instance.timers == ()
    assert (
        Notify("C1", NotifyKind.WITHDRAWN, ("east_head",), actor="alice", comment="wrong trip") in out.effects
    )
    assert all(not t.status.open for s in out.instance.steps for t in s.tasks)


def test_comment_and_remind() -> None:
    inst = start(DEFAULT, "500")
    out = advance(inst, Comment("east_head", "which client?"), DEFAULT, T0, org=ORG)
    assert out.instance.status is InstanceStatus.RUNNING and out.instance.seq == inst.seq + 1
    assert Notify("C1", NotifyKind.COMMENTED, ("alice",), None, "east_head", "which client?") in out.effects
    with pytest.raises(NotAssignee):
        advance(inst, Comment("bob", "hi"), DEFAULT, T0, org=ORG)
    out = advance(inst, Remind("alice"), DEFAULT, T0, org=ORG)
    assert Notify("C1", NotifyKind.REMINDER, ("east_head",), actor="alice") in out.effects


# --- parallel, countersign, sequential -------------------------------------------------------


def test_parallel_branches_join_before_the_next_node() -> None:
    inst = start(CUSTOM)
    assert active(inst) == ["lead"]
    inst = run(inst, CUSTOM, Approve("east_head"))
    assert active(inst) == ["finance", "chain"]
    # sequential chain: east_head then sales_head (two heads up); finance countersign: fr1 and fr2
    with pytest.raises(WrongState):
        advance(inst, Approve("sales_head"), CUSTOM, T0, org=ORG)
    inst = run(inst, CUSTOM, Approve("fr1"), Approve("east_head"))
    assert active(inst) == ["finance", "chain"]
    out = advance(inst, Approve("sales_head"), CUSTOM, T0, org=ORG)
    inst = out.instance
    # chain done -> cc to the cost-centre owner; finance still waits for fr2, so no gm yet
    assert Notify("C1", NotifyKind.CC, ("sales_head",), step_id="cc_owner") in out.effects
    assert active(inst) == ["finance"]
    inst = run(inst, CUSTOM, Approve("fr2"))
    assert active(inst) == ["gm"]
    assert step(inst, "gm").after == ("finance", "cc_owner")


def test_countersign_one_rejection_rejects() -> None:
    inst = run(start(CUSTOM), CUSTOM, Approve("east_head"), Approve("fr1"), Reject("fr2", "too much"))
    assert inst.status is InstanceStatus.REJECTED
    assert all(s.status is not StepStatus.ACTIVE for s in inst.steps)


# --- SLA timers ------------------------------------------------------------------------------


def test_sla_remind_then_forward_to_manager() -> None:
    out = advance(new_instance(CUSTOM, facts("5000"), ORG), Submit("alice"), CUSTOM, T0, org=ORG)
    timers = [e for e in out.effects if isinstance(e, ScheduleTimer)]
    assert [(t.timer_id, t.due - T0) for t in timers] == [
        ("lead/1/remind", timedelta(hours=4)),
        ("lead/1/escalate", timedelta(hours=8)),
    ]
    inst = out.instance
    # early tick: nothing happens
    early = advance(inst, TimerTick("lead/1/remind"), CUSTOM, T0 + timedelta(hours=3), org=ORG)
    assert early.instance == inst and early.effects == ()
    r = advance(inst, TimerTick("lead/1/remind"), CUSTOM, T0 + timedelta(hours=4), org=ORG)
    assert Notify("C1", NotifyKind.REMINDER, ("east_head",), "lead", "system") in r.effects
    e = advance(r.instance, TimerTick("lead/1/escalate"), CUSTOM, T0 + timedelta(hours=9), org=ORG)
    tasks = step(e.instance, "lead").tasks
    assert [(t.assignee, t.status.value, t.origin.value) for t in tasks] == [
        ("east_head", "transferred", "planned"),
        ("sales_head", "pending", "forwarded"),
    ]
    # duplicate tick (e.g. a retry after a crash) is harmless
    again = advance(e.instance, TimerTick("lead/1/escalate"), CUSTOM, T0 + timedelta(hours=10), org=ORG)
    assert again.instance == e.instance and again.effects == ()


def test_sla_auto_approve() -> None:
    inst = run(start(CUSTOM), CUSTOM, Approve("east_head"), Approve("fr1"), Approve("fr2"))
    inst = run(inst, CUSTOM, Approve("east_head"), Approve("sales_head"))
    assert active(inst) == ["gm"]
    out = advance(inst, TimerTick("gm/1/escalate"), CUSTOM, T0 + timedelta(hours=2), org=ORG)
    assert out.instance.status is InstanceStatus.APPROVED
    assert step(out.instance, "gm").tasks[0].acted_by == "system"


def test_sla_escalate_lets_manager_act_too() -> None:
    inst = run(start(DEFAULT, "5000"), DEFAULT, Approve("east_head"))
    due = next(t.due for t in inst.timers if t.id == "finance_review/1/escalate")
    out = advance(inst, TimerTick("finance_review/1/escalate"), DEFAULT, due, org=ORG)
    assert Notify("C1", NotifyKind.ESCALATED, ("fin_dir", "fr1"), "finance_review", "system") in out.effects
    inst = run(out.instance, DEFAULT, Approve("fin_dir"))
    assert active(inst) == ["general_manager"]


def test_sla_auto_reject() -> None:
    flow = load_flow(
        "{id: strict, version: 1, nodes: [{id: a, kind: single, approvers: [{type: dept_head}],"
        " sla: {escalate_after_hours: 1, action: auto_reject}}]}"
    )
    inst = start(flow, "10")
    out = advance(inst, TimerTick("a/1/escalate"), flow, T0 + timedelta(hours=1), org=ORG)
    assert out.instance.status is InstanceStatus.REJECTED
    assert out.effects[0].action == "sla_auto_reject"  # type: ignore[union-attr]


def test_timer_of_a_finished_step_is_ignored() -> None:
    inst = run(start(DEFAULT, "500"), DEFAULT, Approve("east_head"))
    out = advance(inst, TimerTick("dept_head/1/escalate"), DEFAULT, T0 + timedelta(days=5), org=ORG)
    assert out.instance == inst and out.effects == ()

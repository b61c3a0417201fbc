"""Property tests: random flows driven by random event sequences keep the engine's promises."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, note, settings
from hypothesis import event as label
from hypothesis import strategies as st

from reimburse.routing import serde
from reimburse.routing.domain import (
    AddPosition,
    AddSigner,
    Approve,
    AuditRecord,
    Comment,
    Delegate,
    Event,
    Flow,
    FlowInstance,
    InstanceStatus,
    Node,
    NodeKind,
    Reject,
    Remind,
    Resolver,
    ResolverKind,
    Resubmit,
    Return,
    Sla,
    SlaAction,
    StepStatus,
    Submit,
    TaskOrigin,
    TaskStatus,
    TimerTick,
    Transfer,
    Withdraw,
)
from reimburse.routing.engine import advance, new_instance
from reimburse.routing.exceptions import NoApprover, RoutingError, Terminal
from tests.routing.helpers import T0, company, facts

ORG = company()
PEOPLE = ["east_head", "sales_head", "fr1", "fr2", "gm", "deputy", "bob", "ceo", "alice"]
APPROVAL_KINDS = [NodeKind.SINGLE, NodeKind.COUNTERSIGN, NodeKind.ORSIGN, NodeKind.SEQUENTIAL]

slas = st.one_of(
    st.none(),
    st.builds(
        Sla,
        remind_after_hours=st.sampled_from([None, 1.0]),
        escalate_after_hours=st.just(2.0),
        action=st.sampled_from(list(SlaAction)),
    ),
)


@st.composite
def nodes(draw: st.DrawFn, prefix: str, allow_parallel: bool = True) -> list[Node]:
    out: list[Node] = []
    for i in range(draw(st.integers(1, 4))):
        nid = f"{prefix}{i}"
        if allow_parallel and draw(st.integers(0, 5)) == 0:
            branches = tuple(tuple(draw(nodes(f"{nid}b{b}x", False))) for b in range(2))
            out.append(Node(nid, nid, NodeKind.PARALLEL, branches=branches))
            continue
        kind = draw(st.sampled_from([*APPROVAL_KINDS, NodeKind.CC]))
        users = tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True)))
        sla = None if kind is NodeKind.CC else draw(slas)
        out.append(Node(nid, nid, kind, (Resolver(ResolverKind.USERS, users=users),), sla=sla))
    return out


flows = st.builds(
    lambda ns: Flow("prop", 1, "prop", tuple(ns)),
    nodes("n"),
)


@st.composite
def events(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    kinds = ["approve"] * 12 + ["reject", "return", "resubmit", "transfer", "add_before", "add_after"]
    kinds += ["withdraw", "tick", "approve_any", "comment", "delegate", "remind"] * 2
    return draw(
        st.lists(
            st.tuples(st.sampled_from(kinds), st.sampled_from(PEOPLE), st.sampled_from(PEOPLE)),
            max_size=40,
        )
    )


def _event(inst: FlowInstance, kind: str, actor: str, other: str) -> tuple[Event, object]:
    """Most events go to someone who holds a task, so that runs get somewhere."""
    pending = [t for s in inst.steps if s.status is StepStatus.ACTIVE for t in s.tasks if t.status.open]
    holder = next((t.assignee for t in pending if t.status is TaskStatus.PENDING), actor)
    if kind == "approve":
        return Approve(holder), T0
    if kind == "approve_any":
        return Approve(actor), T0
    if kind == "reject":
        return Reject(holder), T0
    if kind == "return":
        return Return(holder), T0
    if kind == "resubmit":
        return Resubmit("alice"), T0
    if kind == "transfer":
        return Transfer(holder, to=other), T0
    if kind in ("add_before", "add_after"):
        pos = AddPosition.BEFORE if kind == "add_before" else AddPosition.AFTER
        return AddSigner(holder, other, pos), T0
    if kind == "comment":
        return Comment(actor, "?"), T0
    if kind == "delegate":
        return Delegate(holder, to=other), T0
    if kind == "remind":
        return Remind("alice"), T0
    if kind == "withdraw":
        return Withdraw("alice" if actor in ("alice", "bob") else actor), T0
    timer = inst.timers[0] if inst.timers else None
    return TimerTick(timer.id if timer else "none"), (timer.due if timer else T0) + timedelta(minutes=1)


def start_or_none(flow: Flow) -> FlowInstance | None:
    """The draft instance, or None when planning refuses a claim nobody would approve."""
    try:
        inst = new_instance(flow, facts("5000"), ORG)
    except NoApprover:
        # only when every approval node was empty or only the submitter
        people = {u for n in _leaves(flow.nodes) if n.kind is not NodeKind.CC for u in n.approvers[0].users}
        assert people <= {"alice"}
        label("refused: no approver")
        return None
    assert any(s.required for s in inst.steps)
    return inst


def _leaves(ns: tuple[Node, ...]) -> list[Node]:
    out: list[Node] = []
    for n in ns:
        out += [x for b in n.branches for x in _leaves(b)] if n.kind is NodeKind.PARALLEL else [n]
    return out


def check_invariants(inst: FlowInstance, planned: set[str]) -> None:
    status = inst.status
    if status is not InstanceStatus.RUNNING:
        assert not any(s.status is StepStatus.ACTIVE for s in inst.steps)
        assert inst.timers == () or status is InstanceStatus.DRAFT
    else:
        # liveness: a running claim always has someone who can act now
        assert any(
            t.status is TaskStatus.PENDING
            for s in inst.steps
            if s.status is StepStatus.ACTIVE
            for t in s.tasks
        )
    if status is InstanceStatus.APPROVED:
        assert {s.id for s in inst.steps} >= planned
        for s in inst.steps:
            if s.kind is NodeKind.CC:
                assert s.status is StepStatus.DONE
                continue
            # no claim ends approved unless every required node approved ...
            assert s.status is StepStatus.APPROVED, s
            approved = [t for t in s.tasks if t.status is TaskStatus.APPROVED]
            assert approved and all(t.acted_by and t.acted_by != "alice" for t in approved)
            # the system approves only where the node's SLA says so
            by_system = any(t.acted_by == "system" for t in approved)
            assert not by_system or (s.sla is not None and s.sla.action is SlaAction.AUTO_APPROVE)
            if s.kind in (NodeKind.COUNTERSIGN, NodeKind.SEQUENTIAL):
                # ... and a countersign (or chain) needs every signer
                for person in s.assignees:
                    assert any(t.assignee == person for t in approved), (person, s)
            assert not any(t.status.open for t in s.tasks)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow=flows, script=events())
def test_engine_properties(flow: Flow, script: list[tuple[str, str, str]]) -> None:
    inst = start_or_none(flow)
    if inst is None:
        return
    planned = {s.id for s in inst.steps}
    out = advance(inst, Submit("alice"), flow, T0, org=ORG)
    inst = out.instance
    records = [e for e in out.effects if isinstance(e, AuditRecord)]
    check_invariants(inst, planned)
    for kind, actor, other in script:
        event, at = _event(inst, kind, actor, other)
        was_terminal = inst.status.terminal
        try:
            nxt, effects = advance(inst, event, flow, at, org=ORG)  # type: ignore[arg-type]
        except Terminal:
            assert was_terminal
            continue
        except RoutingError:
            assert not was_terminal
            continue
        if was_terminal:  # terminal states stay terminal: only ignored timer ticks get through
            assert nxt == inst and effects == ()
            continue
        if not effects:  # an ignored tick
            assert nxt == inst
            continue
        audits = [e for e in effects if isinstance(e, AuditRecord)]
        assert len(audits) == 1 and nxt.seq == inst.seq + 1 == audits[0].seq
        records += audits
        if isinstance(event, Reject):
            assert nxt.status is InstanceStatus.REJECTED
        if isinstance(event, Approve):
            _check_orsign_first_decides(inst, nxt, event)
        inst = nxt
        check_invariants(inst, planned)
        assert serde.instance_from_dict(serde.instance_to_dict(inst)) == inst
    label(f"ends {inst.status.value}")
    note(f"{len(records)} audit records")


def _check_orsign_first_decides(before: FlowInstance, after: FlowInstance, event: Approve) -> None:
    for old, new in zip(before.steps, after.steps, strict=True):
        acted = [t for t in new.tasks if t.status is TaskStatus.APPROVED and t.acted_by == event.actor]
        was = {t.id for t in old.tasks if t.status is TaskStatus.APPROVED}
        if old.kind is NodeKind.ORSIGN and any(t.id not in was for t in acted):
            plain = all(t.origin is TaskOrigin.PLANNED for t in old.tasks)
            if plain:  # no one added around the seats: the first approval decides the step
                label("or-sign decided by first approval")
                assert new.status is StepStatus.APPROVED


@settings(max_examples=200, deadline=None)
@given(flow=flows)
def test_approving_everything_always_finishes_approved(flow: Flow) -> None:
    draft = start_or_none(flow)
    if draft is None:
        return
    inst = advance(draft, Submit("alice"), flow, T0, org=ORG).instance
    for _ in range(100):
        if inst.status is not InstanceStatus.RUNNING:
            break
        holder = next(
            t.assignee
            for s in inst.steps
            if s.status is StepStatus.ACTIVE
            for t in s.tasks
            if t.status is TaskStatus.PENDING
        )
        inst = advance(inst, Approve(holder), flow, T0, org=ORG).instance
    assert inst.status is InstanceStatus.APPROVED
    check_invariants(inst, {s.id for s in inst.steps})

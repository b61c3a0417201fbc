"""``advance``: one event applied to a running instance, giving the next instance and its effects.

Pure: the clock arrives as ``now``, the org directory (delegations, managers) as ``org``. Nothing
is mutated; a refused event raises a ``RoutingError`` whose ``code`` says why and leaves the
instance as it was. Every accepted event bumps ``seq`` and yields exactly one ``AuditRecord``.

Semantics worth knowing:
- a step is done when its tasks say so: single / or-sign when one seat (a planned task plus the
  signers added around it and its transfers) has fully approved, countersign and sequential
  when every seat has; one rejection rejects the claim;
- return-to-submitter cancels the open tasks of the active steps; resubmission re-activates those
  steps with fresh tasks for their (possibly transferred) assignees, earlier steps stay approved;
- SLA timers are named ``<step>/<round>/<kind>``; a tick for a timer that is gone (step done,
  claim returned or decided) or not yet due is ignored, so late or duplicate ticks are harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from reimburse.routing.domain import (
    EMPTY_ORG,
    AddPosition,
    AddSigner,
    Approve,
    AssignTask,
    AuditRecord,
    CancelTimer,
    CloseTask,
    Comment,
    Delegate,
    Effect,
    Event,
    FinalStatus,
    Flow,
    FlowInstance,
    InstanceStatus,
    NodeKind,
    Notify,
    NotifyKind,
    Org,
    Reassign,
    Reject,
    Remind,
    Resubmit,
    Return,
    ScheduleTimer,
    SlaAction,
    Step,
    StepStatus,
    Submit,
    Task,
    TaskOrigin,
    TaskStatus,
    Timer,
    TimerKind,
    TimerTick,
    Transfer,
    Withdraw,
)
from reimburse.routing.engine.values import evolve
from reimburse.routing.exceptions import (
    AlreadyActed,
    FlowMismatch,
    InvalidAction,
    NotAssignee,
    Terminal,
    WrongState,
)

SYSTEM = "system"
_STEP_DONE = (StepStatus.APPROVED, StepStatus.DONE)
_GONE = (TaskStatus.TRANSFERRED, TaskStatus.CANCELLED)


class Outcome(NamedTuple):
    instance: FlowInstance
    effects: tuple[Effect, ...]


class _Work:
    """The mutable scratch copy one ``advance`` call works on."""

    __slots__ = ("action", "effects", "inst", "now", "org", "pos", "status", "steps", "timers")

    def __init__(self, inst: FlowInstance, now: datetime, org: Org) -> None:
        self.inst = inst
        self.now = now
        self.org = org
        self.status = inst.status
        self.steps = list(inst.steps)
        self.pos = {s.id: i for i, s in enumerate(self.steps)}
        self.timers = list(inst.timers)
        self.effects: list[Effect] = []
        self.action = ""

    @property
    def claim(self) -> str:
        return self.inst.claim_id

    def put_task(self, si: int, task: Task) -> None:
        step = self.steps[si]
        self.steps[si] = evolve(step, tasks=tuple(task if t.id == task.id else t for t in step.tasks))


def state_label(status: InstanceStatus, steps: tuple[Step, ...] | list[Step]) -> str:
    """Status plus the active steps, e.g. ``running:finance_review``: what the audit trail shows."""
    active = [s.id for s in steps if s.status is StepStatus.ACTIVE]
    return f"{status.value}:{','.join(active)}" if active else status.value


# ---------------------------------------------------------------------------------------------
# Entry point


def advance(
    instance: FlowInstance, event: Event, flow: Flow, now: datetime, *, org: Org | None = None
) -> Outcome:
    """Apply ``event`` at ``now``. Raises a ``RoutingError`` (with a ``code``) when it is refused."""
    if (flow.id, flow.version) != (instance.flow_id, instance.flow_version):
        raise FlowMismatch(
            f"claim {instance.claim_id} runs flow {instance.flow_id} v{instance.flow_version}, "
            f"not {flow.id} v{flow.version}"
        )
    if isinstance(event, TimerTick) and (
        instance.status.terminal or not any(t.id == event.timer_id and t.due <= now for t in instance.timers)
    ):
        return Outcome(instance, ())  # stale, duplicate or early tick: nothing to do
    if instance.status.terminal:
        raise Terminal(f"claim {instance.claim_id} is already {instance.status.value}")
    w = _Work(instance, now, org if org is not None else EMPTY_ORG)
    w.action = event.kind
    _HANDLERS[type(event)](w, event)
    seq = instance.seq + 1
    audit = AuditRecord(
        claim_id=instance.claim_id,
        seq=seq,
        actor=event.actor,
        at=now,
        action=w.action,
        comment=event.comment,
        state_before=state_label(instance.status, instance.steps),
        state_after=state_label(w.status, w.steps),
    )
    new = evolve(instance, status=w.status, steps=tuple(w.steps), timers=tuple(w.timers), seq=seq)
    return Outcome(new, (audit, *w.effects))


# ---------------------------------------------------------------------------------------------
# Who may act


def _may_act(w: _Work, task: Task, actor: str) -> bool:
    if actor == task.assignee or actor in task.alternates or actor == task.delegate:
        return True
    return w.org.delegations != () and w.org.delegate_of(task.assignee, w.now) == actor


def _require_running(w: _Work) -> None:
    if w.status is not InstanceStatus.RUNNING:
        raise WrongState(f"claim {w.claim} is {w.status.value}, not running")


def _find_task(w: _Work, actor: str, task_id: str | None) -> tuple[int, Task]:
    """The open task ``actor`` may act on now, or the error that explains why there is none."""
    _require_running(w)
    if actor == w.inst.submitter:
        raise NotAssignee("nobody approves their own claim")
    held: list[Task] = []
    for si, step in enumerate(w.steps):
        for task in step.tasks:
            if task_id is not None and task.id != task_id:
                continue
            if not _may_act(w, task, actor):
                continue
            if task.status is TaskStatus.PENDING and step.status is StepStatus.ACTIVE:
                return si, task
            held.append(task)
    if not held:
        where = f"task {task_id}" if task_id else "this claim"
        raise NotAssignee(f"{actor} holds no open task on {where}")
    if any(t.status is TaskStatus.WAITING for t in held):
        raise WrongState(f"it is not {actor}'s turn yet")
    last = held[-1]
    raise AlreadyActed(f"task {last.id} is already {last.status.value}")


def _require_submitter(w: _Work, actor: str) -> None:
    if actor != w.inst.submitter:
        raise NotAssignee(f"only the submitter may do this, not {actor}")


def _check_new_holder(w: _Work, si: int, user: str, actor: str) -> None:
    if user == w.inst.submitter:
        raise InvalidAction("the submitter cannot approve their own claim")
    if user == actor:
        raise InvalidAction("cannot hand a task to oneself")
    if any(t.assignee == user and t.status.open for t in w.steps[si].tasks):
        raise InvalidAction(f"{user} already holds an open task in step {w.steps[si].id}")


# ---------------------------------------------------------------------------------------------
# Building blocks


def _announce(w: _Work, step: Step, task: Task) -> None:
    may = [task.assignee, *task.alternates]
    if task.delegate:
        may.append(task.delegate)
    if w.org.delegations:
        away = w.org.delegate_of(task.assignee, w.now)
        if away:
            may.append(away)
    may_act = tuple(dict.fromkeys(may))
    w.effects.append(AssignTask(w.claim, step.id, task.id, task.assignee, may_act))
    w.effects.append(Notify(w.claim, NotifyKind.ASSIGNED, may_act, step_id=step.id))


def _next_task_id(step: Step, extra: int = 0) -> str:
    return f"{step.id}.{len(step.tasks) + extra + 1}"


def _activate(w: _Work, si: int) -> None:
    step = w.steps[si]
    rnd = step.round + 1
    if step.kind is NodeKind.CC:
        w.steps[si] = evolve(step, status=StepStatus.DONE, activated_at=w.now, round=rnd)
        w.effects.append(Notify(w.claim, NotifyKind.CC, step.assignees, step_id=step.id))
        return
    new: list[Task] = []
    chain = step.kind is NodeKind.SEQUENTIAL
    for k, user in enumerate(step.assignees):
        tid = _next_task_id(step, k)
        prev = new[-1].id if chain and new else None
        group = f"{step.id}#{rnd}" if chain else tid
        status = TaskStatus.WAITING if prev else TaskStatus.PENDING
        new.append(Task(id=tid, assignee=user, group=group, status=status, after=prev))
    step = evolve(step, status=StepStatus.ACTIVE, tasks=(*step.tasks, *new), activated_at=w.now, round=rnd)
    w.steps[si] = step
    for task in new:
        if task.status is TaskStatus.PENDING:
            _announce(w, step, task)
    sla = step.sla
    if sla is not None:
        if sla.remind_after_hours is not None:
            _schedule(w, step, TimerKind.REMIND, sla.remind_after_hours)
        if sla.escalate_after_hours is not None and sla.action is not SlaAction.NONE:
            _schedule(w, step, TimerKind.ESCALATE, sla.escalate_after_hours)


def _schedule(w: _Work, step: Step, kind: TimerKind, hours: float) -> None:
    timer = Timer(f"{step.id}/{step.round}/{kind.value}", step.id, kind, w.now + timedelta(hours=hours))
    w.timers.append(timer)
    w.effects.append(ScheduleTimer(w.claim, timer.id, timer.due))


def _cancel_timers(w: _Work, step_id: str | None = None) -> None:
    keep: list[Timer] = []
    for t in w.timers:
        if step_id is None or t.step_id == step_id:
            w.effects.append(CancelTimer(w.claim, t.id))
        else:
            keep.append(t)
    w.timers = keep


def _close_open(w: _Work, si: int, status: TaskStatus = TaskStatus.CANCELLED) -> None:
    step = w.steps[si]
    if not any(t.status.open for t in step.tasks):
        return
    tasks: list[Task] = []
    for t in step.tasks:
        if t.status.open:
            t = evolve(t, status=status)
            w.effects.append(CloseTask(w.claim, step.id, t.id, status))
        tasks.append(t)
    w.steps[si] = evolve(step, tasks=tuple(tasks))


def _activate_ready(w: _Work) -> None:
    """Activate every waiting step whose predecessors are done; finish the claim when all are."""
    progressed = True
    while progressed:
        progressed = False
        for si, step in enumerate(w.steps):
            if step.status is StepStatus.WAITING and all(
                w.steps[w.pos[a]].status in _STEP_DONE for a in step.after
            ):
                _activate(w, si)
                progressed = True
    if all(s.status in _STEP_DONE for s in w.steps):
        w.status = InstanceStatus.APPROVED
        _cancel_timers(w)
        w.effects.append(Notify(w.claim, NotifyKind.APPROVED, (w.inst.submitter,)))
        w.effects.append(FinalStatus(w.claim, InstanceStatus.APPROVED))


def _seat_complete(step: Step, group: str) -> bool:
    return all(
        t.status is TaskStatus.APPROVED for t in step.tasks if t.group == group and t.status not in _GONE
    )


def _step_complete(step: Step, approved: Task) -> bool:
    if step.kind in (NodeKind.SINGLE, NodeKind.ORSIGN):
        return _seat_complete(step, approved.group)
    # Countersign / sequential: rejections end the claim and returns close the round, so no open
    # task left means every task of this round approved.
    return not any(t.status.open for t in step.tasks)


def _approve_task(w: _Work, si: int, task: Task, actor: str, comment: str) -> None:
    done = evolve(task, status=TaskStatus.APPROVED, acted_by=actor, acted_at=w.now, comment=comment)
    w.put_task(si, done)
    w.effects.append(CloseTask(w.claim, w.steps[si].id, task.id, TaskStatus.APPROVED))
    step = w.steps[si]
    # Wake whoever waited for this task (the next in a chain, or the signer added after it).
    for t in step.tasks:
        if t.status is TaskStatus.WAITING and t.after == task.id:
            woken = evolve(t, status=TaskStatus.PENDING)
            w.put_task(si, woken)
            _announce(w, w.steps[si], woken)
    step = w.steps[si]
    if _step_complete(step, done):
        _close_open(w, si)  # or-sign: the other seats are no longer needed
        w.steps[si] = evolve(w.steps[si], status=StepStatus.APPROVED)
        _cancel_timers(w, step.id)
        _activate_ready(w)


def _reject_claim(w: _Work, si: int, actor: str, comment: str) -> None:
    w.steps[si] = evolve(w.steps[si], status=StepStatus.REJECTED)
    _end(w, InstanceStatus.REJECTED)
    w.effects.append(
        Notify(w.claim, NotifyKind.REJECTED, (w.inst.submitter,), w.steps[si].id, actor, comment)
    )


def _end(w: _Work, status: InstanceStatus) -> None:
    for si, step in enumerate(w.steps):
        if step.status in (StepStatus.ACTIVE, StepStatus.WAITING):
            _close_open(w, si)
            w.steps[si] = evolve(w.steps[si], status=StepStatus.CANCELLED)
    _cancel_timers(w)
    w.status = status
    w.effects.append(FinalStatus(w.claim, status))


def _hand_over(w: _Work, si: int, task: Task, to: str, origin: TaskOrigin, actor: str, comment: str) -> Task:
    """Move an open task to ``to`` (transfer, SLA forwarding): same seat, same place in the chain."""
    step = w.steps[si]
    new = Task(id=_next_task_id(step), assignee=to, group=task.group, status=task.status, after=task.after)
    new = evolve(new, origin=origin)
    old = evolve(task, status=TaskStatus.TRANSFERRED, acted_by=actor, acted_at=w.now, comment=comment)
    tasks = [old if t.id == task.id else _reparent(t, task.id, new.id) for t in step.tasks]
    assignees = tuple(to if a == task.assignee else a for a in step.assignees)
    w.steps[si] = evolve(step, tasks=(*tasks, new), assignees=tuple(dict.fromkeys(assignees)))
    w.effects.append(CloseTask(w.claim, step.id, task.id, TaskStatus.TRANSFERRED))
    if new.status is TaskStatus.PENDING:
        _announce(w, w.steps[si], new)
    return new


def _reparent(t: Task, old: str, new: str) -> Task:
    return evolve(t, after=new) if t.status is TaskStatus.WAITING and t.after == old else t


def _pending_holders(w: _Work) -> tuple[str, ...]:
    people: list[str] = []
    for step in w.steps:
        if step.status is StepStatus.ACTIVE:
            for t in step.tasks:
                if t.status is TaskStatus.PENDING:
                    people.extend((t.assignee, *t.alternates, *((t.delegate,) if t.delegate else ())))
    return tuple(dict.fromkeys(people))


# ---------------------------------------------------------------------------------------------
# Handlers, one per event type


def _on_submit(w: _Work, e: Submit) -> None:
    _require_submitter(w, e.actor)
    if w.status is not InstanceStatus.DRAFT:
        raise WrongState(f"claim {w.claim} was already submitted ({w.status.value})")
    if w.inst.auto == "auto_rejected":
        w.action = "auto_reject"
        _end(w, InstanceStatus.REJECTED)
        w.effects.append(
            Notify(w.claim, NotifyKind.REJECTED, (e.actor,), actor=SYSTEM, comment="blocked by policy")
        )
        return
    w.status = InstanceStatus.RUNNING
    if w.inst.auto == "auto_approved":
        w.action = "submit_auto_approved"
    _activate_ready(w)


def _on_approve(w: _Work, e: Approve) -> None:
    si, task = _find_task(w, e.actor, e.task_id)
    _approve_task(w, si, task, e.actor, e.comment)


def _on_reject(w: _Work, e: Reject) -> None:
    si, task = _find_task(w, e.actor, e.task_id)
    w.put_task(
        si, evolve(task, status=TaskStatus.REJECTED, acted_by=e.actor, acted_at=w.now, comment=e.comment)
    )
    w.effects.append(CloseTask(w.claim, w.steps[si].id, task.id, TaskStatus.REJECTED))
    _reject_claim(w, si, e.actor, e.comment)


def _on_return(w: _Work, e: Return) -> None:
    si, task = _find_task(w, e.actor, e.task_id)
    w.put_task(
        si, evolve(task, status=TaskStatus.RETURNED, acted_by=e.actor, acted_at=w.now, comment=e.comment)
    )
    w.effects.append(CloseTask(w.claim, w.steps[si].id, task.id, TaskStatus.RETURNED))
    for i, step in enumerate(w.steps):
        if step.status is StepStatus.ACTIVE:
            _close_open(w, i)
            w.steps[i] = evolve(w.steps[i], status=StepStatus.WAITING)
    _cancel_timers(w)
    w.status = InstanceStatus.RETURNED
    w.effects.append(
        Notify(w.claim, NotifyKind.RETURNED, (w.inst.submitter,), w.steps[si].id, e.actor, e.comment)
    )


def _on_resubmit(w: _Work, e: Resubmit) -> None:
    _require_submitter(w, e.actor)
    if w.status is not InstanceStatus.RETURNED:
        raise WrongState(f"claim {w.claim} is {w.status.value}, not returned")
    w.status = InstanceStatus.RUNNING
    _activate_ready(w)


def _on_transfer(w: _Work, e: Transfer) -> None:
    si, task = _find_task(w, e.actor, e.task_id)
    _check_new_holder(w, si, e.to, e.actor)
    _hand_over(w, si, task, e.to, TaskOrigin.TRANSFER, e.actor, e.comment)
    w.effects.append(Notify(w.claim, NotifyKind.TRANSFERRED, (e.to,), w.steps[si].id, e.actor, e.comment))


def _on_add_signer(w: _Work, e: AddSigner) -> None:
    si, task = _find_task(w, e.actor, e.task_id)
    _check_new_holder(w, si, e.user, e.actor)
    step = w.steps[si]
    tid = _next_task_id(step)
    w.action = f"add_signer_{e.position.value}"
    if e.position is AddPosition.BEFORE:
        added = Task(tid, e.user, task.group, TaskStatus.PENDING, origin=TaskOrigin.ADDED_BEFORE)
        mine = evolve(task, status=TaskStatus.WAITING, after=tid)
        tasks = [mine if t.id == task.id else t for t in step.tasks]
        # Off my inbox until the added signer has approved; it is assigned to me again then.
        w.effects.append(CloseTask(w.claim, step.id, task.id, TaskStatus.WAITING))
    else:
        added = Task(
            tid, e.user, task.group, TaskStatus.WAITING, after=task.id, origin=TaskOrigin.ADDED_AFTER
        )
        tasks = [_reparent(t, task.id, tid) for t in step.tasks]
    w.steps[si] = evolve(step, tasks=(*tasks, added))
    if added.status is TaskStatus.PENDING:
        _announce(w, w.steps[si], added)


def _on_reassign(w: _Work, e: Reassign) -> None:
    if w.status not in (InstanceStatus.RUNNING, InstanceStatus.RETURNED):
        raise WrongState(f"claim {w.claim} is {w.status.value}: nothing to reassign")
    if e.user is None and e.task_id is None:
        raise InvalidAction("say whose tasks (user) or which task (task_id)")
    if e.to == w.inst.submitter:
        raise InvalidAction("the submitter cannot approve their own claim")
    moved = False
    for si in range(len(w.steps)):
        if w.steps[si].status not in (StepStatus.WAITING, StepStatus.ACTIVE):
            continue
        for task in w.steps[si].tasks:
            if not task.status.open or (e.task_id is not None and task.id != e.task_id):
                continue
            if e.user is not None and task.assignee != e.user:
                continue
            if task.assignee == e.to:
                raise InvalidAction(f"task {task.id} is already {e.to}'s")
            if any(t.assignee == e.to and t.status.open for t in w.steps[si].tasks):
                raise InvalidAction(f"{e.to} already holds an open task in step {w.steps[si].id}")
            _hand_over(w, si, task, e.to, TaskOrigin.TRANSFER, e.actor, e.comment)
            moved = True
        step = w.steps[si]
        if e.task_id is None and e.user in step.assignees and step.status is StepStatus.WAITING:
            # a seat planned for later (or for after a return): it will be activated for ``to``
            seats = tuple(dict.fromkeys(e.to if a == e.user else a for a in step.assignees))
            w.steps[si] = evolve(step, assignees=seats)
            moved = True
    if not moved:
        who = f"task {e.task_id}" if e.task_id else f"{e.user}"
        raise NotAssignee(f"{who}: no open task or planned seat on claim {w.claim}")
    if w.status is InstanceStatus.RUNNING:
        w.effects.append(Notify(w.claim, NotifyKind.TRANSFERRED, (e.to,), None, e.actor, e.comment))


def _on_withdraw(w: _Work, e: Withdraw) -> None:
    _require_submitter(w, e.actor)
    _end(w, InstanceStatus.WITHDRAWN)
    people = tuple(p for p in _pending_holders_of(w.inst) if p != e.actor)
    if people:
        w.effects.append(Notify(w.claim, NotifyKind.WITHDRAWN, people, actor=e.actor, comment=e.comment))


def _pending_holders_of(inst: FlowInstance) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            t.assignee
            for s in inst.steps
            if s.status is StepStatus.ACTIVE
            for t in s.tasks
            if t.status is TaskStatus.PENDING
        )
    )


def _on_comment(w: _Work, e: Comment) -> None:
    involved = {w.inst.submitter}
    for step in w.steps:
        involved.update(step.assignees)
        for t in step.tasks:
            involved.update((t.assignee, *t.alternates))
            if t.delegate:
                involved.add(t.delegate)
            if t.acted_by:
                involved.add(t.acted_by)
    if e.actor not in involved:
        raise NotAssignee(f"{e.actor} is not involved in claim {w.claim}")
    people = tuple(p for p in (w.inst.submitter, *_pending_holders(w)) if p != e.actor)
    if people:
        w.effects.append(
            Notify(w.claim, NotifyKind.COMMENTED, tuple(dict.fromkeys(people)), None, e.actor, e.comment)
        )


def _on_remind(w: _Work, e: Remind) -> None:
    _require_submitter(w, e.actor)
    _require_running(w)
    people = _pending_holders(w)
    if people:
        w.effects.append(Notify(w.claim, NotifyKind.REMINDER, people, actor=e.actor, comment=e.comment))


def _on_delegate(w: _Work, e: Delegate) -> None:
    si, task = _find_task(w, e.actor, e.task_id)
    if e.actor != task.assignee:
        raise NotAssignee("only the assignee may delegate a task")
    _check_new_holder(w, si, e.to, e.actor)
    task = evolve(task, delegate=e.to)
    w.put_task(si, task)
    _announce(w, w.steps[si], task)


def _on_timer(w: _Work, e: TimerTick) -> None:
    timer = next(t for t in w.timers if t.id == e.timer_id)
    w.timers = [t for t in w.timers if t.id != timer.id]
    si = w.pos[timer.step_id]
    step = w.steps[si]
    if timer.kind is TimerKind.REMIND:
        w.action = "sla_remind"
        people = tuple(
            dict.fromkeys(
                p for t in step.tasks if t.status is TaskStatus.PENDING for p in (t.assignee, *t.alternates)
            )
        )
        if people:
            w.effects.append(Notify(w.claim, NotifyKind.REMINDER, people, step.id, SYSTEM))
        return
    action = step.sla.action if step.sla else SlaAction.NONE
    w.action = f"sla_{action.value}"
    pending = [t for t in step.tasks if t.status is TaskStatus.PENDING]
    if action is SlaAction.AUTO_REJECT:
        for t in pending:
            w.put_task(si, evolve(t, status=TaskStatus.REJECTED, acted_by=SYSTEM, acted_at=w.now))
            w.effects.append(CloseTask(w.claim, step.id, t.id, TaskStatus.REJECTED))
        _reject_claim(w, si, SYSTEM, "timed out")
    elif action is SlaAction.AUTO_APPROVE:
        # Every open task of the step counts as approved by the system, as the node says.
        for t in step.tasks:
            if t.status.open:
                w.put_task(si, evolve(t, status=TaskStatus.APPROVED, acted_by=SYSTEM, acted_at=w.now))
                w.effects.append(CloseTask(w.claim, step.id, t.id, TaskStatus.APPROVED))
        w.steps[si] = evolve(w.steps[si], status=StepStatus.APPROVED)
        _cancel_timers(w, step.id)
        _activate_ready(w)
    else:
        for t in pending:
            manager = w.org.manager_of(t.assignee)
            if manager is None or manager == w.inst.submitter:
                continue  # nobody above to hand it to; the reminder already went out
            if action is SlaAction.FORWARD_MANAGER:
                if any(x.assignee == manager and x.status.open for x in w.steps[si].tasks):
                    continue
                _hand_over(w, si, t, manager, TaskOrigin.FORWARDED, SYSTEM, "SLA timeout")
            elif manager not in t.alternates:
                t2 = evolve(t, alternates=(*t.alternates, manager))
                w.put_task(si, t2)
                _announce(w, w.steps[si], t2)
            w.effects.append(Notify(w.claim, NotifyKind.ESCALATED, (manager, t.assignee), step.id, SYSTEM))


_E = TypeVar("_E")


def _handler(fn: Callable[[_Work, _E], None]) -> Callable[[_Work, Event], None]:
    return fn  # type: ignore[return-value]


_HANDLERS: dict[type, Callable[[_Work, Event], None]] = {
    Submit: _handler(_on_submit),
    Approve: _handler(_on_approve),
    Reject: _handler(_on_reject),
    Return: _handler(_on_return),
    Resubmit: _handler(_on_resubmit),
    Transfer: _handler(_on_transfer),
    AddSigner: _handler(_on_add_signer),
    Withdraw: _handler(_on_withdraw),
    Comment: _handler(_on_comment),
    Remind: _handler(_on_remind),
    Delegate: _handler(_on_delegate),
    Reassign: _handler(_on_reassign),
    TimerTick: _handler(_on_timer),
}

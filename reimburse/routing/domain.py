"""Values of approval routing: flow specs, the org directory, claim facts, running instances,
events and effects.

Everything is a frozen dataclass or an enum, so a flow spec is immutable and apart from the
running instance (the SpiffWorkflow split), and the engine can be a pure function from
``(instance, event, flow, now)`` to ``(instance, effects)``. ``reimburse.routing.serde`` turns any
of these into JSON-ready dicts and back, for the service layer to store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

# ---------------------------------------------------------------------------------------------
# Flow specification (what admins write, see routing/flows/*.yaml)


class NodeKind(StrEnum):
    SINGLE = "single"  # one approver (if the resolver yields several, the first who acts decides)
    COUNTERSIGN = "countersign"  # 会签: every resolved approver must approve
    ORSIGN = "orsign"  # 或签: the first approver to act decides for all
    SEQUENTIAL = "sequential"  # a chain: resolved approvers approve one after another
    CC = "cc"  # 抄送: notify only, never blocks
    PARALLEL = "parallel"  # branches that run at the same time and join


class ResolverKind(StrEnum):
    DEPT_HEAD = "dept_head"  # the submitter's department head, ``levels`` heads up the tree
    ROLE = "role"  # every holder of a role (finance_reviewer, general_manager, ...)
    USERS = "users"  # named users
    COST_CENTRE_OWNER = "cost_centre_owner"  # owner of the claim's cost centre
    SUBMITTER_MANAGER = "submitter_manager"  # the submitter's direct manager


class RiskDecision(StrEnum):
    """What the expense rules decided about a claim, and what flows route on: one vocabulary
    from the risk score to the flow file to the API."""

    PASS = "pass"
    REVIEW = "finance_review"  # finance looks before anyone approves it
    BLOCK = "block"

    @classmethod
    def _missing_(cls, value: object) -> RiskDecision | None:
        # flow files and stored routes written before the names were one say "review"
        return cls.REVIEW if value == "review" else None


class SlaAction(StrEnum):
    NONE = "none"  # remind only
    FORWARD_MANAGER = "forward_manager"  # the task moves to the assignee's manager
    ESCALATE_MANAGER = "escalate_manager"  # the manager may act too, the assignee keeps the task
    AUTO_APPROVE = "auto_approve"
    AUTO_REJECT = "auto_reject"


class IfEmpty(StrEnum):
    SKIP = "skip"  # no approver resolved (or only the submitter): the node is left out
    FAIL = "fail"  # planning fails with ``no_approver``


@dataclass(frozen=True, slots=True)
class Condition:
    """A conjunction of clauses over the claim facts; ``any_of`` adds a disjunction.

    Unset clauses hold. Amounts compare as ``Decimal``. ``departments`` matches the submitter's
    department or any department above it.
    """

    amount_gt: Decimal | None = None
    amount_gte: Decimal | None = None
    amount_lt: Decimal | None = None
    amount_lte: Decimal | None = None
    departments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    risk: tuple[RiskDecision, ...] = ()
    over_budget: bool | None = None
    min_rank: int | None = None
    max_rank: int | None = None
    roles: tuple[str, ...] = ()
    any_of: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolver:
    kind: ResolverKind
    levels: int = 1
    role: str | None = None
    users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sla:
    """Hours counted from the moment the node becomes active."""

    remind_after_hours: float | None = None
    escalate_after_hours: float | None = None
    action: SlaAction = SlaAction.NONE


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    kind: NodeKind
    approvers: tuple[Resolver, ...] = ()
    when: Condition | None = None
    sla: Sla | None = None
    if_empty: IfEmpty = IfEmpty.SKIP
    branches: tuple[tuple[Node, ...], ...] = ()  # PARALLEL only


@dataclass(frozen=True, slots=True)
class AutoRules:
    # True: a node whose approver is the submitter loses them (and is skipped if nobody is left);
    # False: the submitter's manager takes their place. Either way nobody approves their own claim.
    skip_submitter: bool = True
    merge_consecutive: bool = True
    auto_approve_below: Decimal | None = None
    auto_approve_risk: tuple[RiskDecision, ...] = (RiskDecision.PASS,)
    reject_when: Condition | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    """A validated flow definition; a running claim keeps the (id, version) it started with."""

    id: str
    version: int
    name: str
    nodes: tuple[Node, ...]
    rules: AutoRules = AutoRules()
    params: tuple[tuple[str, str], ...] = ()  # the resolved parameters, for display only


# ---------------------------------------------------------------------------------------------
# Org directory and claim facts (passed in by the service layer)


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str
    parent: str | None = None
    head: str | None = None


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    department: str | None = None
    roles: tuple[str, ...] = ()
    rank: int = 0
    manager: str | None = None  # overrides "head of my department" as the manager
    email: str | None = None
    mobile: str | None = None


@dataclass(frozen=True, slots=True)
class Delegation:
    """``principal`` is away; ``delegate`` may act for them in [start, end)."""

    principal: str
    delegate: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Org:
    """The org directory as a value. Lookups are pure; role holders are indexed once."""

    departments: Mapping[str, Department] = field(default_factory=dict)
    users: Mapping[str, User] = field(default_factory=dict)
    cost_centre_owners: Mapping[str, str] = field(default_factory=dict)
    delegations: tuple[Delegation, ...] = ()
    inactive: frozenset[str] = frozenset()  # deactivated people: never planned as approvers
    _roles: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[str]] = {}
        for user in sorted(self.users.values(), key=lambda u: u.id):
            for role in user.roles:
                index.setdefault(role, []).append(user.id)
        object.__setattr__(self, "_roles", {r: tuple(ids) for r, ids in index.items()})

    def role_holders(self, role: str) -> tuple[str, ...]:
        return self._roles.get(role, ())

    def ancestors(self, department: str) -> tuple[str, ...]:
        """The department itself, then its parent, up to the root (cycles are cut)."""
        chain: list[str] = []
        current: str | None = department
        while current is not None and current in self.departments and current not in chain:
            chain.append(current)
            current = self.departments[current].parent
        return tuple(chain)

    def heads_up(self, department: str, levels: int) -> tuple[str, ...]:
        """Heads of the department and the ones above it, ``levels`` distinct heads at most."""
        heads: list[str] = []
        for dept in self.ancestors(department):
            head = self.departments[dept].head
            if head is not None and head not in heads:
                heads.append(head)
                if len(heads) == levels:
                    break
        return tuple(heads)

    def manager_of(self, user_id: str) -> str | None:
        """The explicit manager, else the nearest department head above the user who is not them."""
        user = self.users.get(user_id)
        if user is None:
            return None
        if user.manager is not None:
            return user.manager
        if user.department is None:
            return None
        for dept in self.ancestors(user.department):
            head = self.departments[dept].head
            if head is not None and head != user_id:
                return head
        return None

    def delegate_of(self, user_id: str, at: datetime) -> str | None:
        for d in self.delegations:
            if d.principal == user_id and d.start <= at < d.end:
                return d.delegate
        return None


EMPTY_ORG = Org()


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What routing needs to know about a claim, as the service layer sees it at submission."""

    claim_id: str
    submitter: str
    department: str
    amount: Decimal
    categories: tuple[str, ...] = ()
    risk: RiskDecision = RiskDecision.PASS
    over_budget: bool = False
    submitter_rank: int = 0
    submitter_roles: tuple[str, ...] = ()
    cost_centre: str | None = None
    currency: str = "CNY"


# ---------------------------------------------------------------------------------------------
# Running instance


class InstanceStatus(StrEnum):
    DRAFT = "draft"  # planned, not submitted yet
    RUNNING = "running"
    RETURNED = "returned"  # back with the submitter for changes
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset({InstanceStatus.APPROVED, InstanceStatus.REJECTED, InstanceStatus.WITHDRAWN})


class StepStatus(StrEnum):
    WAITING = "waiting"  # predecessors not done yet (or the claim was returned)
    ACTIVE = "active"
    APPROVED = "approved"
    REJECTED = "rejected"
    DONE = "done"  # a CC step that has notified
    CANCELLED = "cancelled"


class TaskStatus(StrEnum):
    WAITING = "waiting"  # waits for the task named in ``after`` (chains, added signers)
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"

    @property
    def open(self) -> bool:
        return self in (TaskStatus.WAITING, TaskStatus.PENDING)


class TaskOrigin(StrEnum):
    PLANNED = "planned"
    TRANSFER = "transfer"
    ADDED_BEFORE = "added_before"
    ADDED_AFTER = "added_after"
    FORWARDED = "forwarded"  # by an SLA timeout


@dataclass(frozen=True, slots=True)
class Task:
    """One person's piece of a step.

    Tasks of a step form groups (``group``): a group is one seat of the step plus the signers
    added around it and its transfers. A countersign needs every group complete, an or-sign one.
    """

    id: str
    assignee: str
    group: str
    status: TaskStatus
    after: str | None = None
    alternates: tuple[str, ...] = ()  # others who may act (SLA escalation to the manager)
    delegate: str | None = None  # set by a Delegate event
    origin: TaskOrigin = TaskOrigin.PLANNED
    acted_by: str | None = None
    acted_at: datetime | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """A planned node with its resolved approvers."""

    id: str
    node_id: str
    name: str
    kind: NodeKind
    assignees: tuple[str, ...]
    after: tuple[str, ...] = ()  # step ids that must be approved (or done) first
    status: StepStatus = StepStatus.WAITING
    tasks: tuple[Task, ...] = ()
    sla: Sla | None = None
    activated_at: datetime | None = None
    round: int = 0  # times activated; names timers so that stale ones are recognised
    merged: tuple[str, ...] = ()  # node ids folded into this step by "merge consecutive"

    @property
    def required(self) -> bool:
        return self.kind is not NodeKind.CC


class TimerKind(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class Timer:
    id: str
    step_id: str
    kind: TimerKind
    due: datetime


@dataclass(frozen=True, slots=True)
class FlowInstance:
    claim_id: str
    flow_id: str
    flow_version: int
    submitter: str
    status: InstanceStatus
    steps: tuple[Step, ...]
    timers: tuple[Timer, ...] = ()
    seq: int = 0  # accepted events so far; the audit chain uses it
    auto: str = ""  # why planning decided on its own ("auto_approved", "auto_rejected"), if it did


# ---------------------------------------------------------------------------------------------
# Events (inputs to ``advance``)


class AddPosition(StrEnum):
    BEFORE = "before"  # 前加签: the added signer approves first, then it comes back to me
    AFTER = "after"  # 后加签: after my approval the added signer must approve too


@dataclass(frozen=True, slots=True)
class Submit:
    kind: ClassVar[str] = "submit"
    actor: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Approve:
    kind: ClassVar[str] = "approve"
    actor: str
    comment: str = ""
    task_id: str | None = None  # what the page showed; a stale page is refused


@dataclass(frozen=True, slots=True)
class Reject:
    kind: ClassVar[str] = "reject"
    actor: str
    comment: str = ""
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Return:
    kind: ClassVar[str] = "return"
    actor: str
    comment: str = ""
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Resubmit:
    kind: ClassVar[str] = "resubmit"
    actor: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Transfer:
    kind: ClassVar[str] = "transfer"
    actor: str
    to: str
    comment: str = ""
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class AddSigner:
    kind: ClassVar[str] = "add_signer"
    actor: str
    user: str
    position: AddPosition
    comment: str = ""
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Withdraw:
    kind: ClassVar[str] = "withdraw"
    actor: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Comment:
    kind: ClassVar[str] = "comment"
    actor: str
    comment: str


@dataclass(frozen=True, slots=True)
class Remind:
    kind: ClassVar[str] = "remind"  # 催办 by the submitter
    actor: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class TimerTick:
    kind: ClassVar[str] = "timer"
    timer_id: str
    actor: str = "system"
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Delegate:
    """The assignee lets someone act on one task in their name (the task stays theirs)."""

    kind: ClassVar[str] = "delegate"
    actor: str
    to: str
    comment: str = ""
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reassign:
    """An admin (or the hand-over of a leaver) moves open tasks and planned seats to ``to``:
    task ``task_id`` (whoever holds it), or every one ``user`` holds on the claim."""

    kind: ClassVar[str] = "reassign"
    actor: str
    to: str
    user: str | None = None
    task_id: str | None = None
    comment: str = ""


Event = (
    Submit
    | Approve
    | Reject
    | Return
    | Resubmit
    | Transfer
    | AddSigner
    | Withdraw
    | Comment
    | Remind
    | TimerTick
    | Delegate
    | Reassign
)
EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        Submit,
        Approve,
        Reject,
        Return,
        Resubmit,
        Transfer,
        AddSigner,
        Withdraw,
        Comment,
        Remind,
        TimerTick,
        Delegate,
        Reassign,
    )
}


# ---------------------------------------------------------------------------------------------
# Effects (outputs of ``advance``, carried out by the service layer after commit)


class NotifyKind(StrEnum):
    ASSIGNED = "assigned"
    REMINDER = "reminder"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    ESCALATED = "escalated"
    CC = "cc"
    WITHDRAWN = "withdrawn"
    COMMENTED = "commented"
    TRANSFERRED = "transferred"


@dataclass(frozen=True, slots=True)
class Notify:
    kind: ClassVar[str] = "notify"
    claim_id: str
    event: NotifyKind
    recipients: tuple[str, ...]
    step_id: str | None = None
    actor: str | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class AssignTask:
    """Put the task in the inbox of everyone in ``may_act``: an upsert keyed by ``task_id`` (a
    delegation or an escalation re-sends it with more people)."""

    kind: ClassVar[str] = "assign_task"
    claim_id: str
    step_id: str
    task_id: str
    assignee: str
    may_act: tuple[str, ...]  # assignee, alternates and delegates known at assignment


@dataclass(frozen=True, slots=True)
class CloseTask:
    """Take the task out of the inbox; ``status`` says why (``waiting``: an added signer goes first,
    an ``AssignTask`` brings it back)."""

    kind: ClassVar[str] = "close_task"
    claim_id: str
    step_id: str
    task_id: str
    status: TaskStatus


@dataclass(frozen=True, slots=True)
class ScheduleTimer:
    kind: ClassVar[str] = "schedule_timer"
    claim_id: str
    timer_id: str
    due: datetime


@dataclass(frozen=True, slots=True)
class CancelTimer:
    kind: ClassVar[str] = "cancel_timer"
    claim_id: str
    timer_id: str


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One transition, to be chained by ``reimburse.audit``."""

    kind: ClassVar[str] = "audit"
    claim_id: str
    seq: int
    actor: str
    at: datetime
    action: str
    comment: str
    state_before: str
    state_after: str


@dataclass(frozen=True, slots=True)
class FinalStatus:
    kind: ClassVar[str] = "final_status"
    claim_id: str
    status: InstanceStatus


Effect = Notify | AssignTask | CloseTask | ScheduleTimer | CancelTimer | AuditRecord | FinalStatus
EFFECT_TYPES: dict[str, type[Effect]] = {
    cls.kind: cls
    for cls in (Notify, AssignTask, CloseTask, ScheduleTimer, CancelTimer, AuditRecord, FinalStatus)
}

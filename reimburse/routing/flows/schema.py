"""The YAML/JSON shape of a flow definition (pydantic), and its conversion to domain values.

Unknown keys are refused so that a typo (``amout_gt``) is an error, not a silently ignored rule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from reimburse.routing.domain import (
    AutoRules,
    Condition,
    Flow,
    IfEmpty,
    Node,
    NodeKind,
    Resolver,
    ResolverKind,
    RiskDecision,
    Sla,
    SlaAction,
)

# Node ids end up in task and timer ids ("<step>.<n>", "<step>/<round>/<kind>"), hence the charset.
NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]


def _refuse(problem: str, message: str, **params: str) -> PydanticCustomError:
    """A shape problem with its code (the web app words ``problem.<code>`` with ``params``)."""
    return PydanticCustomError(problem, message, params or None)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ConditionModel(_Model):
    amount_gt: Decimal | None = None
    amount_gte: Decimal | None = None
    amount_lt: Decimal | None = None
    amount_lte: Decimal | None = None
    departments: list[str] = []
    categories: list[str] = []
    risk: list[RiskDecision] = []
    over_budget: bool | None = None
    min_rank: int | None = None
    max_rank: int | None = None
    roles: list[str] = []
    any_of: list[ConditionModel] = Field(default=[], alias="any")

    def to_domain(self) -> Condition:
        return Condition(
            amount_gt=self.amount_gt,
            amount_gte=self.amount_gte,
            amount_lt=self.amount_lt,
            amount_lte=self.amount_lte,
            departments=tuple(self.departments),
            categories=tuple(self.categories),
            risk=tuple(self.risk),
            over_budget=self.over_budget,
            min_rank=self.min_rank,
            max_rank=self.max_rank,
            roles=tuple(self.roles),
            any_of=tuple(c.to_domain() for c in self.any_of),
        )


class ApproverModel(_Model):
    type: ResolverKind
    levels: int = Field(default=1, ge=1, le=20)
    role: str | None = None
    users: list[str] = []

    @model_validator(mode="after")
    def _needs(self) -> ApproverModel:
        if self.type is ResolverKind.ROLE and not self.role:
            raise _refuse("role_needs_role", "an approver of type 'role' needs 'role'")
        if self.type is ResolverKind.USERS and not self.users:
            raise _refuse("users_needs_users", "an approver of type 'users' needs a non-empty 'users' list")
        return self

    def to_domain(self) -> Resolver:
        return Resolver(kind=self.type, levels=self.levels, role=self.role, users=tuple(self.users))


class SlaModel(_Model):
    remind_after_hours: float | None = Field(default=None, gt=0)
    escalate_after_hours: float | None = Field(default=None, gt=0)
    action: SlaAction = SlaAction.NONE

    @model_validator(mode="after")
    def _consistent(self) -> SlaModel:
        if self.action is not SlaAction.NONE and self.escalate_after_hours is None:
            raise _refuse(
                "sla_needs_escalate",
                "sla action '{action}' needs 'escalate_after_hours'",
                action=self.action.value,
            )
        if (
            self.remind_after_hours is not None
            and self.escalate_after_hours is not None
            and self.remind_after_hours >= self.escalate_after_hours
        ):
            raise _refuse(
                "sla_remind_after_escalate", "'remind_after_hours' must come before 'escalate_after_hours'"
            )
        return self

    def to_domain(self) -> Sla:
        return Sla(self.remind_after_hours, self.escalate_after_hours, self.action)


class NodeModel(_Model):
    id: NodeId
    name: str = ""
    kind: NodeKind
    approvers: list[ApproverModel] = []
    when: ConditionModel | None = None
    sla: SlaModel | None = None
    if_empty: IfEmpty = IfEmpty.SKIP
    branches: list[list[NodeModel]] = []

    @model_validator(mode="after")
    def _shape(self) -> NodeModel:
        if self.kind is NodeKind.PARALLEL:
            if len(self.branches) < 2:
                raise _refuse("parallel_needs_branches", "a parallel node needs at least two 'branches'")
            if self.approvers:
                raise _refuse(
                    "parallel_has_approvers",
                    "a parallel node has no 'approvers' of its own (put them in branches)",
                )
            if self.sla is not None:
                raise _refuse(
                    "parallel_has_sla", "a parallel node has no 'sla' (put it on the nodes in its branches)"
                )
        else:
            if self.branches:
                raise _refuse(
                    "branches_not_parallel",
                    "'branches' belong to parallel nodes, not {kind}",
                    kind=self.kind.value,
                )
            if not self.approvers:
                raise _refuse("node_needs_approvers", "a {kind} node needs 'approvers'", kind=self.kind.value)
        if self.kind is NodeKind.CC and self.sla is not None:
            raise _refuse("cc_has_sla", "a cc node only notifies; it has no 'sla'")
        return self

    def to_domain(self) -> Node:
        return Node(
            id=self.id,
            name=self.name or self.id,
            kind=self.kind,
            approvers=tuple(a.to_domain() for a in self.approvers),
            when=self.when.to_domain() if self.when else None,
            sla=self.sla.to_domain() if self.sla else None,
            if_empty=self.if_empty,
            branches=tuple(tuple(n.to_domain() for n in b) for b in self.branches),
        )


class AutoApproveModel(_Model):
    below: Decimal
    risk: list[RiskDecision] = [RiskDecision.PASS]


class RulesModel(_Model):
    skip_submitter: bool = True
    merge_consecutive: bool = True
    auto_approve: AutoApproveModel | None = None
    reject_when: ConditionModel | None = None


class FlowModel(_Model):
    id: NodeId
    version: int = Field(ge=1)
    name: str = ""
    params: dict[str, Decimal | int | str | bool] = {}
    rules: RulesModel = RulesModel()
    nodes: list[NodeModel] = Field(min_length=1)

    def to_domain(self) -> Flow:
        auto = self.rules.auto_approve
        return Flow(
            id=self.id,
            version=self.version,
            name=self.name or self.id,
            nodes=tuple(n.to_domain() for n in self.nodes),
            rules=AutoRules(
                skip_submitter=self.rules.skip_submitter,
                merge_consecutive=self.rules.merge_consecutive,
                auto_approve_below=auto.below if auto else None,
                auto_approve_risk=tuple(auto.risk) if auto else (RiskDecision.PASS,),
                reject_when=self.rules.reject_when.to_domain() if self.rules.reject_when else None,
            ),
            params=tuple((k, str(v)) for k, v in sorted(self.params.items())),
        )

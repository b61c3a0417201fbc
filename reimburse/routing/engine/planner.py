"""Resolve a flow into the steps of one claim.

``plan`` evaluates node conditions, resolves approvers through the org directory, applies the
automatic rules (skip the submitter, merge consecutive nodes with the same person, auto-approve,
auto-reject) and wires the steps into a graph: a step waits for the steps in its ``after``, which
is how sequences and parallel branches that join are expressed.
"""

from __future__ import annotations

from dataclasses import dataclass

from reimburse.core.problems import Problem
from reimburse.routing.domain import (
    ClaimFacts,
    Flow,
    FlowInstance,
    IfEmpty,
    InstanceStatus,
    Node,
    NodeKind,
    Org,
    Resolver,
    ResolverKind,
    Step,
)
from reimburse.routing.engine.conditions import matches
from reimburse.routing.engine.values import evolve
from reimburse.routing.exceptions import InvalidFlow, NoApprover


@dataclass(frozen=True, slots=True)
class _Parallel:
    branches: tuple[tuple[Step | _Parallel, ...], ...]


_Entry = Step | _Parallel


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...]
    auto: str  # "", "auto_approved" or "auto_rejected"


def resolve(resolver: Resolver, facts: ClaimFacts, org: Org) -> tuple[str, ...]:
    """The user ids one resolver yields for this claim (possibly none)."""
    if resolver.kind is ResolverKind.DEPT_HEAD:
        return org.heads_up(facts.department, resolver.levels)
    if resolver.kind is ResolverKind.ROLE:
        return org.role_holders(resolver.role or "")
    if resolver.kind is ResolverKind.USERS:
        return tuple(u for u in resolver.users if u not in org.inactive)
    if resolver.kind is ResolverKind.COST_CENTRE_OWNER:
        owner = org.cost_centre_owners.get(facts.cost_centre or "")
        return (owner,) if owner else ()
    manager = org.manager_of(facts.submitter)
    return (manager,) if manager else ()


def _approvers(node: Node, facts: ClaimFacts, org: Org, skip_submitter: bool) -> tuple[tuple[str, ...], bool]:
    """Resolved people, in order, without repeats, and whether anyone resolved at all.

    Nobody approves their own claim: the submitter is dropped from approval nodes
    (``skip_submitter``) or replaced by their manager; CC keeps them.
    """
    seen: list[str] = []
    resolved = False
    for resolver in node.approvers:
        for user in resolve(resolver, facts, org):
            resolved = True
            if user == facts.submitter and node.kind is not NodeKind.CC:
                if skip_submitter:
                    continue
                substitute = org.manager_of(user)
                if substitute is None:
                    continue
                user = substitute
            if user not in seen:
                seen.append(user)
    return tuple(seen), resolved


def _entries(nodes: tuple[Node, ...], flow: Flow, facts: ClaimFacts, org: Org) -> list[_Entry]:
    rules = flow.rules
    out: list[_Entry] = []
    for node in nodes:
        if node.when is not None and not matches(node.when, facts, org):
            continue
        if node.kind is NodeKind.PARALLEL:
            branches = tuple(tuple(_entries(b, flow, facts, org)) for b in node.branches)
            if any(branches):
                out.append(_Parallel(branches))
            continue
        users, resolved = _approvers(node, facts, org, rules.skip_submitter)
        if not users:
            # "fail" catches a misconfigured org (nobody holds the role); a node that only found
            # the submitter (a CEO's own claim at the CEO node) is skipped like any other.
            if node.if_empty is IfEmpty.FAIL and not resolved:
                raise NoApprover(f"node {node.id!r} of flow {flow.id} v{flow.version} resolved no approver")
            continue
        step = Step(
            id=node.id, node_id=node.id, name=node.name, kind=node.kind, assignees=users, sla=node.sla
        )
        prev = out[-1] if out else None
        if rules.merge_consecutive and isinstance(prev, Step) and _same_people(prev, step):
            out[-1] = evolve(prev, merged=(*prev.merged, step.node_id))
            continue
        out.append(step)
    return out


def _same_people(a: Step, b: Step) -> bool:
    if a.kind is NodeKind.CC or b.kind is NodeKind.CC:
        return False
    if len(a.assignees) == 1 and len(b.assignees) == 1:
        return a.assignees == b.assignees
    return a.kind is b.kind and set(a.assignees) == set(b.assignees)


def _link(
    entries: list[_Entry] | tuple[_Entry, ...], after: tuple[str, ...], out: list[Step]
) -> tuple[str, ...]:
    """Append the steps with their ``after`` wired; returns the ids the next entry waits for."""
    for entry in entries:
        if isinstance(entry, Step):
            out.append(evolve(entry, after=after))
            after = (entry.id,)
        else:
            joined: list[str] = []
            for branch in entry.branches:
                for last in _link(branch, after, out):
                    if last not in joined:
                        joined.append(last)
            after = tuple(joined)
    return after


def _without_approvals(entries: list[_Entry]) -> list[_Entry]:
    kept: list[_Entry] = []
    for e in entries:
        if isinstance(e, Step):
            if e.kind is NodeKind.CC:
                kept.append(e)
        else:
            branches = tuple(tuple(_without_approvals(list(b))) for b in e.branches)
            if any(branches):
                kept.append(_Parallel(branches))
    return kept


def plan(flow: Flow, facts: ClaimFacts, org: Org) -> Plan:
    """Resolve ``flow`` for one claim.

    Raises ``NoApprover`` for an ``if_empty: fail`` node without anyone, and when no approval step
    is left at all unless the auto-approve rule applies.
    """
    rules = flow.rules
    if rules.reject_when is not None and matches(rules.reject_when, facts, org):
        return Plan(steps=(), auto="auto_rejected")
    entries = _entries(flow.nodes, flow, facts, org)
    auto = ""
    if (
        rules.auto_approve_below is not None
        and facts.amount < rules.auto_approve_below
        and facts.risk in rules.auto_approve_risk
    ):
        entries = _without_approvals(entries)
        auto = "auto_approved"
    steps: list[Step] = []
    _link(entries, (), steps)
    _check_unique(steps)
    if not auto and not any(s.required for s in steps):
        # Money nobody looked at: only the flow's explicit auto-approve rule may do that.
        raise NoApprover(
            f"flow {flow.id} v{flow.version} gives claim {facts.claim_id} no approver "
            "(every node was skipped or resolved only to the submitter)"
        )
    return Plan(steps=tuple(steps), auto=auto)


def _check_unique(steps: list[Step]) -> None:
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):  # the loader refuses duplicate node ids; this guards hand-built flows
        twice = sorted(i for i in set(ids) if ids.count(i) > 1)
        raise InvalidFlow(
            "duplicate node ids",
            [
                Problem("nodes", "duplicate_id", f"nodes: id {i!r} is used more than once", {"id": i})
                for i in twice
            ],
        )


def new_instance(flow: Flow, facts: ClaimFacts, org: Org) -> FlowInstance:
    """A draft instance for the claim; ``advance(..., Submit(submitter), ...)`` starts it."""
    p = plan(flow, facts, org)
    return FlowInstance(
        claim_id=facts.claim_id,
        flow_id=flow.id,
        flow_version=flow.version,
        submitter=facts.submitter,
        status=InstanceStatus.DRAFT,
        steps=p.steps,
        auto=p.auto,
    )

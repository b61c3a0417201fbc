"""A claim's life after the draft: submit, act on it, withdraw, and the final decision.

Submission, in one transaction: assess the claim (pure rules -> risk score and findings),
lock its invoices (unique registry), reserve budget, plan the route and apply the submission.
If anything refuses, nothing of it stays. The final decision consumes (approved) or releases
(rejected, withdrawn) the reservations and unlocks or closes the invoices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from reimburse.core.errors import Conflict, Forbidden
from reimburse.core.principal import Principal
from reimburse.expenses import approvals, ledger
from reimburse.expenses.records import ClaimRecord, OutboxRecord
from reimburse.routing.domain import (
    AddPosition,
    AddSigner,
    Approve,
    ClaimFacts,
    Comment,
    Event,
    InstanceStatus,
    Org,
    Reject,
    Remind,
    Resubmit,
    Return,
    RiskDecision,
    Submit,
    Transfer,
    Withdraw,
)

DEFAULT_FLOW = "default"


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the rules concluded about a claim (see ``expenses.assessment``)."""

    score: int
    decision: str  # pass | finance_review | block
    findings: list[dict[str, Any]]
    over_budget: bool = False


Assess = Callable[[Session, ClaimRecord], Assessment]
LoadOrg = Callable[[Session], Org]

_RISK = {"pass": RiskDecision.PASS, "finance_review": RiskDecision.REVIEW, "block": RiskDecision.BLOCK}


def submit(
    session: Session,
    actor: Principal,
    claim: ClaimRecord,
    *,
    assess: Assess,
    load_org: LoadOrg,
    now: datetime,
    flow_params: dict[str, Any] | None = None,
) -> ClaimRecord:
    if claim.submitter_id != actor.user_id:
        raise Forbidden("only the submitter submits a claim")
    if claim.status not in ("draft", "returned"):
        raise Conflict(f"a {claim.status} claim cannot be submitted", code="claim_not_submittable")
    if not claim.items:
        raise Conflict("a claim needs at least one item", code="claim_empty")
    resubmission = claim.status == "returned"
    ledger.register_invoices(session, claim) if not resubmission else _reregister(session, claim)
    from reimburse.expenses.verify_service import queue_checks

    queue_checks(session, claim, now)  # checked with the tax bureau in the background
    over = ledger.reserve(session, claim)
    from reimburse.expenses.admin import current_policy

    action = current_policy(session).over_budget.value  # block | add_approver | warn, by policy
    if over and action == "block":
        budget, short = over[0]
        raise Conflict(
            f"the claim exceeds the {budget.category} budget of its department by {short:.2f}; "
            "the policy does not allow it",
            code="over_budget",
        )  # the transaction rolls back: nothing stays reserved
    result = assess(session, claim)
    over_budget = (bool(over) or result.over_budget) and action == "add_approver"
    findings = list(result.findings)
    for budget, short in over:
        findings.append(
            {
                "code": "over_budget",
                "severity": "warning" if action == "add_approver" else "info",
                "message": f"exceeds the {budget.category} budget of its department by {short:.2f}",
                "item": None,
            }
        )
    claim.risk_score, claim.decision, claim.findings = result.score, result.decision, findings
    claim.submitted_at = now
    org = load_org(session)
    if resubmission:
        flow = approvals.flow_for(session, claim.flow_id or DEFAULT_FLOW, claim.flow_version, flow_params)
        approvals.apply(session, claim, Resubmit(actor=str(actor.user_id)), flow, org, now, on_final)
    else:
        flow = approvals.flow_for(session, DEFAULT_FLOW, None, flow_params)  # the latest version
        facts = ClaimFacts(
            claim_id=str(claim.id),
            submitter=str(claim.submitter_id),
            department=str(claim.department_id) if claim.department_id is not None else "",
            amount=claim.total,
            categories=tuple(sorted({i.category for i in claim.items})),
            risk=_RISK.get(result.decision, RiskDecision.REVIEW),
            over_budget=over_budget,
            submitter_rank=_rank(org, claim.submitter_id),
            submitter_roles=_roles(org, claim.submitter_id),
            cost_centre=claim.cost_centre,
        )
        approvals.start(session, claim, facts, flow, org, Submit(actor=str(actor.user_id)), now, on_final)
    return claim


def act(
    session: Session,
    actor: Principal,
    claim: ClaimRecord,
    action: str,
    *,
    load_org: LoadOrg,
    now: datetime,
    comment: str = "",
    task_id: str | None = None,
    to_user_id: int | None = None,
    position: str = "after",
    flow_params: dict[str, Any] | None = None,
) -> ClaimRecord:
    """Approve, reject, return, transfer, add a signer, comment or remind."""
    if actor.user_id is None:
        raise Forbidden("only people act on claims")
    if claim.route is None or claim.flow_id is None or claim.flow_version is None:
        raise Conflict("the claim has not been submitted", code="claim_not_submitted")
    who = str(actor.user_id)
    event: Event
    if action == "approve":
        if claim.submitter_id == actor.user_id:
            raise Forbidden("nobody approves their own claim", code="own_claim")
        event = Approve(actor=who, comment=comment, task_id=task_id)
    elif action == "reject":
        event = Reject(actor=who, comment=comment, task_id=task_id)
    elif action == "return":
        event = Return(actor=who, comment=comment, task_id=task_id)
    elif action == "transfer":
        event = Transfer(actor=who, to=_required_user(to_user_id), comment=comment, task_id=task_id)
    elif action == "add_signer":
        event = AddSigner(
            actor=who,
            user=_required_user(to_user_id),
            position=AddPosition(position),
            comment=comment,
            task_id=task_id,
        )
    elif action == "comment":
        event = Comment(actor=who, comment=comment)
    elif action == "remind":
        event = Remind(actor=who, comment=comment)
    else:
        raise Conflict(f"unknown action {action!r}", code="invalid_action")
    flow = approvals.flow_for(session, claim.flow_id, claim.flow_version, flow_params)
    approvals.apply(session, claim, event, flow, load_org(session), now, on_final)
    if action == "return":
        # back with the submitter: the money and the invoices are held again on resubmission
        ledger.settle(session, claim, consume=False)
    return claim


def withdraw(
    session: Session,
    actor: Principal,
    claim: ClaimRecord,
    *,
    load_org: LoadOrg,
    now: datetime,
    comment: str = "",
    flow_params: dict[str, Any] | None = None,
) -> ClaimRecord:
    if claim.submitter_id != actor.user_id:
        raise Forbidden("only the submitter withdraws a claim")
    if claim.route is None or claim.flow_id is None or claim.flow_version is None:
        raise Conflict("a draft is deleted, not withdrawn", code="claim_not_submitted")
    flow = approvals.flow_for(session, claim.flow_id, claim.flow_version, flow_params)
    approvals.apply(
        session,
        claim,
        Withdraw(actor=str(actor.user_id), comment=comment),
        flow,
        load_org(session),
        now,
        on_final,
    )
    return claim


def on_final(session: Session, claim: ClaimRecord, status: InstanceStatus, now: datetime) -> None:
    if status is InstanceStatus.APPROVED:
        ledger.settle(session, claim, consume=True)
        ledger.mark_invoices(session, claim, "reimbursed")
        _webhook(session, "claim.approved", claim)
    else:
        ledger.settle(session, claim, consume=False)
        ledger.unlock_invoices(session, claim)
        _webhook(session, f"claim.{status.value}", claim)


def _reregister(session: Session, claim: ClaimRecord) -> None:
    ledger.unlock_invoices(session, claim)
    session.flush()
    ledger.register_invoices(session, claim)


def _webhook(session: Session, topic: str, claim: ClaimRecord) -> None:
    session.add(
        OutboxRecord(
            kind="webhook",
            topic=topic,
            payload={
                "event": topic,
                "claim_id": claim.id,
                "number": claim.number,
                "status": claim.status,
                "total": f"{claim.total:.2f}",
                "currency": claim.currency,
                "submitter_id": claim.submitter_id,
            },
        )
    )


def _required_user(user_id: int | None) -> str:
    if user_id is None:
        raise Conflict("say who (to_user_id)", code="user_required")
    return str(user_id)


def _rank(org: Org, user_id: int) -> int:
    user = org.users.get(str(user_id))
    return user.rank if user else 0


def _roles(org: Org, user_id: int) -> tuple[str, ...]:
    user = org.users.get(str(user_id))
    return user.roles if user else ()

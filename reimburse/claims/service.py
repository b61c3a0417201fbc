"""Claims as use cases: create and edit drafts, submit, act, withdraw, and the final decision.

Drafts and returned claims are the submitter's to change. Submission, in one transaction:
assess the claim (pure rules -> risk score and findings), lock its invoices (unique registry),
reserve budget, plan the route and apply the submission. If anything refuses, nothing of it
stays. The final decision consumes (approved) or releases (rejected, withdrawn) the
reservations and unlocks or closes the invoices.

Services take a session from their caller (the request or task owns it) and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from reimburse.budgets import service as ledger
from reimburse.claims import allowances, attachments, content, holds, registry, requests
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.core.controls import get_control
from reimburse.core.db import utcnow
from reimburse.core.errors import Conflict, Forbidden, InvalidInput
from reimburse.core.outbox import OutboxRecord
from reimburse.core.principal import Principal
from reimburse.identity.approvers import assignable
from reimburse.ocr.domain import FIELD_NAMES
from reimburse.policy.domain import Allowances
from reimburse.policy.rules.corrections import is_structured
from reimburse.policy.rules.facts import key_of
from reimburse.policy.service import current_policy
from reimburse.routing import service as approvals
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
from reimburse.routing.records import ApprovalTaskRecord, RouteTimerRecord
from reimburse.verification.service import queue_checks

CATEGORIES = frozenset({"travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"})
NO_INVOICE_KINDS = frozenset({"per_diem", "mileage"})
EDITABLE = frozenset({ClaimStatus.DRAFT, ClaimStatus.RETURNED})
_CENT = Decimal("0.01")
DEFAULT_FLOW = "default"
KINDS = ("expense", "advance", "pre_approval")
_PREFIX = {"expense": "BX", "advance": "JK", "pre_approval": "SQ"}  # 报销, 借款, 事前申请


@dataclass(frozen=True, slots=True)
class ItemInput:
    category: str
    amount: Decimal | None  # None: computed (an allowance)
    expense_date: date
    description: str = ""
    document_id: int | None = None
    result_index: int | None = None
    fields: dict[str, str | None] | None = None  # the invoice fields as the submitter confirms them
    no_invoice_kind: str | None = None
    no_invoice_reason: str | None = None
    attendees: int | None = None
    nights: int | None = None
    city_tier: int | None = None
    allowance: str | None = None  # per_diem | mileage: the amount is computed (claims.allowances)
    days: int | None = None
    distance_km: Decimal | None = None
    attachment_ids: tuple[int, ...] = ()  # documents of kind "attachment" (itinerary, attendees)


@dataclass(frozen=True, slots=True)
class ClaimInput:
    purpose: str
    items: tuple[ItemInput, ...] = ()
    trip_start: date | None = None
    trip_end: date | None = None
    department_id: int | None = None
    cost_centre: str | None = None
    pre_approval_id: int | None = None


@dataclass(frozen=True, slots=True)
class ExtractedInvoice:
    """What the reader found for an item's document (fields + document type + flags)."""

    fields: dict[str, str | None]
    document_type: str | None = None
    needs_review: bool = False
    review_reasons: tuple[dict[str, Any], ...] = ()
    line_items: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    not_for_reimbursement: bool = False  # a copy printed 此联不作报销、扣税凭证使用
    field_sources: dict[str, str] = field(default_factory=dict)  # qr, ocr, pdf_text, ofd_xml, xml


def create_claim(
    session: Session,
    actor: Principal,
    data: ClaimInput,
    extracted: dict[tuple[int, int], ExtractedInvoice] | None = None,
    now: datetime | None = None,
    kind: str = "expense",
) -> ClaimRecord:
    """A draft: an expense claim, or (``kind``) a pre-approval whose items are the estimate."""
    if actor.user_id is None:
        raise Forbidden("only people submit claims")
    claim = ClaimRecord(
        kind=kind,
        submitter_id=actor.user_id,
        department_id=data.department_id or actor.department_id,
        cost_centre=data.cost_centre,
        purpose=_purpose(data.purpose),
        trip_start=data.trip_start,
        trip_end=data.trip_end,
        status=ClaimStatus.DRAFT,
        findings=[],
    )
    claim.items = _items(session, actor, kind, data, extracted or {})
    claim.total = sum((i.amount for i in claim.items), Decimal("0.00"))
    if kind == "expense":
        claim.pre_approval_id = requests.check_pre_approval(
            session, actor.user_id, data.pre_approval_id, None
        )
    session.add(claim)
    session.flush()
    claim.number = f"{_PREFIX[kind]}{claim.created_at:%Y%m}{claim.id:06d}"
    session.flush()  # now, not at commit: the answer must carry the version the row ends at
    queue_checks(session, claim.items, now or utcnow())  # checked as soon as read, before submission
    return claim


def update_claim(
    session: Session,
    actor: Principal,
    claim: ClaimRecord,
    data: ClaimInput,
    expected_version: int | None,
    extracted: dict[tuple[int, int], ExtractedInvoice] | None = None,
    now: datetime | None = None,
) -> ClaimRecord:
    """Edit a draft or returned claim; what changed (old -> new) goes on the claim's trail."""
    if claim.submitter_id != actor.user_id:
        raise Forbidden("only the submitter edits a claim")
    if claim.status not in EDITABLE:
        raise Conflict(f"a {claim.status} claim cannot be edited", code="claim_not_editable")
    if expected_version is not None and expected_version != claim.version:
        raise Conflict("the claim changed since it was loaded; reload it", code="stale_version")
    at = now or utcnow()
    before = content.snapshot(claim)
    claim.purpose = _purpose(data.purpose)
    claim.trip_start, claim.trip_end = data.trip_start, data.trip_end
    claim.cost_centre = data.cost_centre
    if claim.kind == "advance":
        raise Conflict(
            "an advance request is withdrawn and asked again, not edited", code="claim_not_editable"
        )
    claim.items = _items(session, actor, claim.kind, data, extracted or {})
    claim.total = sum((i.amount for i in claim.items), Decimal("0.00"))
    if claim.kind == "expense":
        claim.pre_approval_id = requests.check_pre_approval(
            session, claim.submitter_id, data.pre_approval_id, claim.id
        )
    session.flush()
    diff = content.changes(before, content.snapshot(claim))
    if diff:
        approvals.record(session, claim, "edit", str(actor.user_id), content.describe(diff), at)
    queue_checks(session, claim.items, at)
    session.flush()
    return claim


def _purpose(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("say what the expense was for (purpose)", code="purpose_required")
    return text[:500]


def _items(
    session: Session,
    actor: Principal,
    kind: str,
    data: ClaimInput,
    extracted: dict[tuple[int, int], ExtractedInvoice],
) -> list[ClaimItemRecord]:
    rates = current_policy(session).allowances
    items = [
        _item(pos, item, extracted, rates, estimate=kind == "pre_approval")
        for pos, item in enumerate(data.items)
    ]
    attached = [d for item in items for d in item.attachments]
    if attached:
        attachments.check(session, actor, attached)
    return items


def _item(
    position: int,
    item: ItemInput,
    extracted: dict[tuple[int, int], ExtractedInvoice],
    rates: Allowances,
    *,
    estimate: bool = False,
) -> ClaimItemRecord:
    if item.category not in CATEGORIES:
        raise InvalidInput(f"unknown category {item.category!r}", code="invalid_category")
    computed = None
    if item.allowance is not None:
        if item.document_id is not None or estimate:
            raise InvalidInput(
                "an allowance rests on no invoice and is no estimate", code="invalid_allowance"
            )
        computed = allowances.compute(
            rates,
            item.allowance,
            city_tier=item.city_tier,
            days=item.days,
            distance_km=item.distance_km,
            typed=item.amount,
        )
        item = replace(
            item,
            amount=computed.amount,
            no_invoice_kind=item.allowance,
            no_invoice_reason=(item.no_invoice_reason or "").strip() or computed.reason,
        )
    if item.amount is None:
        raise InvalidInput("an item needs an amount (only allowances are computed)", code="invalid_amount")
    amount = item.amount.quantize(_CENT)
    if amount <= 0:
        raise InvalidInput("an item's amount must be positive", code="invalid_amount")
    invoice: dict[str, Any] | None = None
    corrections: list[dict[str, Any]] = []
    read_key: str | None = None
    if item.document_id is not None:
        found = extracted.get((item.document_id, item.result_index or 0))
        if found is None:
            raise InvalidInput(
                f"document {item.document_id} has no readable invoice (yet)", code="document_not_ready"
            )
        invoice = {
            "fields": dict(found.fields),
            "document_type": found.document_type,
            "needs_review": found.needs_review,
            "review_reasons": list(found.review_reasons),
            "line_items": list(found.line_items),
            "not_for_reimbursement": found.not_for_reimbursement,
            "field_sources": dict(found.field_sources),
        }
        for name, new in (item.fields or {}).items():
            if name not in FIELD_NAMES:
                raise InvalidInput(f"{name!r} is not an invoice field", code="invalid_field")
            old = found.fields.get(name)
            if new == old:
                continue
            source = found.field_sources.get(name)
            # a value read from the invoice itself stays; the submitter's disagreement is evidence
            applied = not is_structured(source)
            corrections.append({"field": name, "old": old, "new": new, "source": source, "applied": applied})
            if applied:
                invoice["fields"][name] = new
        # the duplicate key is what was read, not what was typed: a "corrected" digit makes no
        # new invoice
        read_key = key_of(dict(found.fields))
    elif estimate:
        pass  # a pre-approval's line is an estimate of spending to come: no invoice yet
    elif item.no_invoice_kind is None:
        raise InvalidInput(
            "an item rests on an invoice (document_id) or says why not (no_invoice_kind)",
            code="invoice_required",
        )
    elif item.no_invoice_kind not in NO_INVOICE_KINDS or not (item.no_invoice_reason or "").strip():
        raise InvalidInput(
            "items without invoice are per_diem or mileage, with a reason", code="invalid_no_invoice"
        )
    return ClaimItemRecord(
        position=position,
        category=item.category,
        amount=amount,
        expense_date=item.expense_date,
        description=item.description[:500],
        document_id=item.document_id,
        result_index=item.result_index,
        invoice=invoice,
        corrections=corrections,
        invoice_key=(read_key or key_of(invoice["fields"])) if invoice else None,
        no_invoice_kind=item.no_invoice_kind,
        no_invoice_reason=item.no_invoice_reason,
        attendees=item.attendees,
        nights=item.nights,
        city_tier=item.city_tier,
        allowance=computed.basis if computed else None,
        attachments=list(dict.fromkeys(item.attachment_ids)),
    )


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the rules concluded about a claim (see ``expenses.assessment``)."""

    score: int
    decision: str  # pass | finance_review | block
    findings: list[dict[str, Any]]
    over_budget: bool = False


Assess = Callable[[Session, ClaimRecord], Assessment]
LoadOrg = Callable[[Session], Org]


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
    if claim.status not in EDITABLE:
        raise Conflict(f"a {claim.status} claim cannot be submitted", code="claim_not_submittable")
    if not claim.items and claim.kind != "advance":
        raise Conflict("a claim needs at least one item", code="claim_empty")
    resubmission = claim.status == ClaimStatus.RETURNED
    registry.register_invoices(session, claim) if not resubmission else _reregister(session, claim)
    queue_checks(session, claim.items, now)  # checked with the tax bureau in the background
    pre = requests.take_over_pre_approval(session, claim, now)  # its reservation becomes this claim's
    over = ledger.reserve(session, claim)
    action = current_policy(session).over_budget.value  # block | add_approver | warn, by policy
    if over and action == "block":
        budget, short = over[0]
        line = "total" if budget.category == "*" else budget.category
        raise Conflict(
            f"the claim exceeds the {line} budget of department {budget.department_id} by {short:.2f}; "
            "the policy does not allow it",
            code="over_budget",
        )  # the transaction rolls back: nothing stays reserved
    # a request (advance, pre-approval) carries no invoices for the expense rules to judge
    result = assess(session, claim) if claim.kind == "expense" else Assessment(0, "pass", [])
    beyond = requests.beyond_estimate(claim, pre, current_policy(session).pre_approval_tolerance)
    if beyond is not None:
        # approval re-opens: finance reviews what the pre-approval's approver did not see
        decision = "finance_review" if result.decision == "pass" else result.decision
        result = Assessment(result.score, decision, [*result.findings, beyond], result.over_budget)
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
    routed = content.material(content.snapshot(claim))
    facts = ClaimFacts(
        claim_id=str(claim.id),
        submitter=str(claim.submitter_id),
        department=str(claim.department_id) if claim.department_id is not None else "",
        amount=claim.total,
        categories=tuple(sorted({i.category for i in claim.items})),
        risk=RiskDecision(result.decision),
        over_budget=over_budget,
        submitter_rank=_rank(org, claim.submitter_id),
        submitter_roles=_roles(org, claim.submitter_id),
        cost_centre=claim.cost_centre,
    )
    # sent before any decision it leads to, with the status it had then
    _webhook(session, "claim.submitted", claim, status=ClaimStatus.SUBMITTED)
    who = str(actor.user_id)
    if resubmission and claim.routed_content == routed:
        # only free text changed: the approvals given so far were given to this same content
        route_event(session, claim, Resubmit(actor=who), org=org, now=now, flow_params=flow_params)
    elif resubmission:
        # money, items, invoices, categories or department changed since the route was planned:
        # plan it again from the start, on the flow version the claim runs on; the approvals
        # given to the old content do not count for the new one
        flow = approvals.flow_for(session, claim.flow_id or _flow_id(claim), claim.flow_version, flow_params)
        changed = content.changes(claim.routed_content or {}, routed)
        approvals.record(
            session,
            claim,
            "replan",
            who,
            "route planned again from the start: " + content.describe(changed),
            now,
        )
        _close_old_route(session, claim)
        claim.status = ClaimStatus.of_route(
            approvals.start(session, claim, facts, flow, org, Submit(actor=who), now, on_final)
        )
        session.flush()
    else:
        flow = approvals.flow_for(session, _flow_id(claim), None, flow_params)  # the latest version
        claim.status = ClaimStatus.of_route(
            approvals.start(session, claim, facts, flow, org, Submit(actor=who), now, on_final)
        )
        session.flush()
    claim.routed_content = routed
    holds.hold(session, claim, holds.stop_reasons(claim.findings), now)
    session.flush()  # the answer carries the version the row ends at
    return claim


def _flow_id(claim: ClaimRecord) -> str:
    """Requests run their own shipped flows (``advance``, ``pre_approval``); claims the default."""
    return DEFAULT_FLOW if claim.kind == "expense" else claim.kind


def _close_old_route(session: Session, claim: ClaimRecord) -> None:
    """The returned route's tasks and timers end with it (a new route may reuse their keys)."""
    session.execute(
        update(ApprovalTaskRecord).where(ApprovalTaskRecord.claim_id == claim.id).values(open=False)
    )
    session.execute(delete(RouteTimerRecord).where(RouteTimerRecord.claim_id == claim.id))


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
    """Approve, reject, return, transfer, add a signer, comment or remind; or, for finance, decide
    on a claim stopped by a bad tax-bureau answer (``release``, ``decline``)."""
    if actor.user_id is None:
        raise Forbidden("only people act on claims")
    if action in holds.FINANCE_ACTIONS:
        holds.decide(session, actor, claim, action, comment, now, on_final)
        return claim
    if claim.route is None or claim.flow_id is None or claim.flow_version is None:
        raise Conflict("the claim has not been submitted", code="claim_not_submitted")
    who = str(actor.user_id)
    event: Event
    if action == "approve":
        if claim.submitter_id == actor.user_id:
            raise Forbidden("nobody approves their own claim", code="own_claim")
        holds.refuse_if_held(claim)  # stopped: only a finance decision lets it continue
        event = Approve(actor=who, comment=comment, task_id=task_id)
    elif action == "reject":
        event = Reject(actor=who, comment=comment, task_id=task_id)
    elif action == "return":
        event = Return(actor=who, comment=comment, task_id=task_id)
    elif action == "transfer":
        event = Transfer(actor=who, to=_approver(session, to_user_id), comment=comment, task_id=task_id)
    elif action == "add_signer":
        event = AddSigner(
            actor=who,
            user=_approver(session, to_user_id),
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
    if action == "return":
        # back with the submitter: the money and the invoices are held again on resubmission
        # (released before the route moves, so the audit head stays the last lock taken)
        ledger.settle(session, claim, consume=False)
    route_event(session, claim, event, org=load_org(session), now=now, flow_params=flow_params)
    if action == "return":
        _webhook(session, "claim.returned", claim)
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
    event = Withdraw(actor=str(actor.user_id), comment=comment)
    route_event(session, claim, event, org=load_org(session), now=now, flow_params=flow_params)
    return claim


def route_event(
    session: Session,
    claim: ClaimRecord,
    event: Event,
    *,
    org: Org,
    now: datetime,
    flow_params: dict[str, Any] | None = None,
) -> None:
    """Apply a routing event to a submitted claim on the flow version it started with; the
    claim's status follows its route."""
    flow = approvals.flow_for(session, claim.flow_id or _flow_id(claim), claim.flow_version, flow_params)
    claim.status = ClaimStatus.of_route(approvals.apply(session, claim, event, flow, org, now, on_final))
    session.flush()  # now, not at commit: the answer must carry the version the row ends at


def on_final(session: Session, claim: ClaimRecord, status: InstanceStatus, now: datetime) -> None:
    claim.status = ClaimStatus.of_route(status)  # before the webhook reads it
    if claim.kind == "pre_approval" and status is InstanceStatus.APPROVED:
        return  # the budget stays reserved until a claim takes the pre-approval over
    if claim.kind == "advance" and status is InstanceStatus.APPROVED:
        return  # finance pays it out (claims.requests.pay_advance)
    if status is InstanceStatus.APPROVED:
        if get_control(session, "budget_consume_at") == "approval":
            ledger.settle(session, claim, consume=True)  # else payment consumes (payouts.mark_paid)
        registry.mark_invoices(session, claim, "reimbursed")
        requests.offset_advances(session, claim, now)  # payroll pays the claim less the advance
        _webhook(session, "claim.approved", claim)
    else:
        ledger.settle(session, claim, consume=False)
        registry.unlock_invoices(session, claim)
        _webhook(session, f"claim.{status.value}", claim)


def _reregister(session: Session, claim: ClaimRecord) -> None:
    registry.unlock_invoices(session, claim)
    session.flush()
    registry.register_invoices(session, claim)


def _webhook(session: Session, topic: str, claim: ClaimRecord, status: str | None = None) -> None:
    if claim.kind != "expense":
        return  # subscribers are told about claims; requests have their own trail
    session.add(
        OutboxRecord(
            kind="webhook",
            topic=topic,
            payload={
                "event": topic,
                "claim_id": claim.id,
                "number": claim.number,
                "status": status or claim.status,
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


def _approver(session: Session, user_id: int | None) -> str:
    """A task goes only to someone who exists, is active and may approve (else nobody can act)."""
    who = _required_user(user_id)
    assignable(session, int(who))
    return who


def _rank(org: Org, user_id: int) -> int:
    user = org.users.get(str(user_id))
    return user.rank if user else 0


def _roles(org: Org, user_id: int) -> tuple[str, ...]:
    user = org.users.get(str(user_id))
    return user.roles if user else ()

"""Claims as use cases: create and edit drafts, submit, act, withdraw, and the final decision.

Drafts and returned claims are the submitter's to change. Submission, in one transaction:
assess the claim (pure rules -> risk score and findings), lock its invoices (unique registry),
reserve budget, plan the route and apply the submission. If anything refuses, nothing of it
stays. The final decision consumes (approved) or releases (rejected, withdrawn) the
reservations and unlocks or closes the invoices.

Services take a session from their caller (the request or task owns it) and never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from reimburse.budgets import service as ledger
from reimburse.claims import allowances, attachments, content, holds, registry, requests, types
from reimburse.claims.domain import ClaimStatus, Finding, Severity
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.claims.splitting import Share, SplitError, allocate
from reimburse.core.controls import get_control
from reimburse.core.db import utcnow
from reimburse.core.errors import Conflict, Forbidden, InvalidInput
from reimburse.core.outbox import OutboxRecord
from reimburse.core.principal import Principal
from reimburse.currency.rules import Conversion, identity
from reimburse.currency.service import TableRates, convert_amount
from reimburse.documents.records import DocumentRecord
from reimburse.identity import dimensions
from reimburse.identity.approvers import assignable
from reimburse.ocr.domain import FIELD_NAMES
from reimburse.policy.domain import Allowances
from reimburse.policy.rules.corrections import is_structured
from reimburse.policy.rules.facts import key_of
from reimburse.policy.rules.lifecycle import InvoiceEvent
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
FOREIGN_KINDS = frozenset({"hotel_folio", "tax_invoice", "receipt"})
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
    # deprecated alias of ``allowance``: an item without invoice is an allowance, computed
    no_invoice_kind: str | None = None
    no_invoice_reason: str | None = None  # an optional note; the computation's words when empty
    attendees: int | None = None
    nights: int | None = None
    city_tier: int | None = None
    currency: str | None = None  # ISO 4217; the company currency (policy.currency) when absent
    # a foreign receipt or invoice (not a fapiao): {"kind", "issuer", "number", "issue_date",
    # "country"}, typed by the submitter; ``document_id`` is its image
    foreign_document: dict[str, Any] | None = None
    # a passenger ticket's facts for input VAT: {"transport", "passenger_name",
    # "passenger_is_employee", "fare", "fuel_surcharge"}
    ticket: dict[str, Any] | None = None
    splits: tuple[Share, ...] = ()  # shares on cost centres / projects (claims.splitting)
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
    claim_type: str = types.DEFAULT_TYPE
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
    data = _named_allowances(data)
    company = current_policy(session).currency
    conversions = _conversions(session, data, company)
    _foreign_images(session, actor, data)
    _check_dimensions(session, data, kept=set())
    claim = ClaimRecord(
        kind=kind,
        submitter_id=actor.user_id,
        currency=company,
        department_id=data.department_id or actor.department_id,
        cost_centre=data.cost_centre,
        claim_type=types.check(session, data.claim_type),
        purpose=_purpose(data.purpose),
        trip_start=data.trip_start,
        trip_end=data.trip_end,
        status=ClaimStatus.DRAFT,
        findings=[],
    )
    claim.items = _items(session, actor, kind, data, extracted or {}, conversions)
    # an invoice another claim holds is refused now: a draft that could never be submitted
    # would only be left behind (issue 15)
    registry.refuse_held(session, claim.items)
    claim.total = sum((i.amount for i in claim.items), Decimal("0.00"))
    if kind == "expense":  # refused before anything is stored; linked once the row exists
        requests.check_pre_approval(session, actor.user_id, data.pre_approval_id, None)
    session.add(claim)
    session.flush()
    claim.number = f"{_PREFIX[kind]}{claim.created_at:%Y%m}{claim.id:06d}"
    if kind == "expense":
        requests.link_pre_approval(session, claim, data.pre_approval_id)
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
    data = _named_allowances(data)
    company = current_policy(session).currency
    conversions = _conversions(session, data, company)
    _foreign_images(session, actor, data)
    _check_dimensions(session, data, kept=_codes_of(claim))
    if data.claim_type != claim.claim_type:
        claim.claim_type = types.check(session, data.claim_type)
    if claim.kind == "advance":
        raise Conflict(
            "an advance request is withdrawn and asked again, not edited", code="claim_not_editable"
        )
    before = content.snapshot(claim)
    items = _items(session, actor, claim.kind, data, extracted or {}, conversions)
    registry.refuse_held(session, items, exclude_claim=claim.id)
    returned = claim.status == ClaimStatus.RETURNED
    if returned:
        # a returned claim keeps its invoices locked while it is changed: the registry follows
        # the new items at once (removed or replaced invoices are free again, new ones held)
        registry.unlock_invoices(session, claim)
    claim.currency = company
    claim.purpose = _purpose(data.purpose)
    claim.trip_start, claim.trip_end = data.trip_start, data.trip_end
    claim.cost_centre = data.cost_centre
    claim.items = items
    claim.total = sum((i.amount for i in claim.items), Decimal("0.00"))
    if claim.kind == "expense":
        requests.link_pre_approval(session, claim, data.pre_approval_id)
    session.flush()
    if returned:
        registry.register_invoices(session, claim)
    diff = content.changes(before, content.snapshot(claim))
    if diff:
        approvals.record(session, claim, "edit", str(actor.user_id), content.describe(diff), at)
    queue_checks(session, claim.items, at)
    session.flush()
    return claim


def _codes_of(claim: ClaimRecord) -> set[tuple[str, str]]:
    """The cost centres and projects a claim names now: an edit may keep a deactivated one."""
    kept = {("cost_centre", claim.cost_centre)} if claim.cost_centre else set()
    for item in claim.items:
        kept.update((s["dimension"], s["code"]) for s in item.splits or [])
    return kept


def _check_dimensions(session: Session, data: ClaimInput, kept: set[tuple[str, str]]) -> None:
    """Cost centres and projects are master data: a code that is not an active one (or one the
    claim already names) is refused, never stored as free text."""
    wanted: set[tuple[str, str]] = {("cost_centre", data.cost_centre)} if data.cost_centre else set()
    for item in data.items:
        wanted.update((s.dimension, s.code) for s in item.splits)
    for dimension in dimensions.DIMENSIONS:
        codes = {c for d, c in wanted - kept if d == dimension}
        missing = codes - dimensions.active_codes(session, dimension, codes)
        if missing:
            name = "cost centre" if dimension == "cost_centre" else "project"
            raise InvalidInput(
                f"unknown or inactive {name} {sorted(missing)[0][:32]!r}: choose one from the list",
                code=f"unknown_{dimension}",
            )


def _purpose(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("say what the expense was for (purpose)", code="purpose_required")
    return text[:500]


def _named_allowances(data: ClaimInput) -> ClaimInput:
    """``no_invoice_kind`` (per_diem, mileage) is the older name of ``allowance``: an item
    without invoice is an allowance, computed from the policy's rates like one, never typed."""
    items = []
    for pos, item in enumerate(data.items):
        kind = item.no_invoice_kind
        if kind is not None and item.allowance not in (None, kind):
            raise InvalidInput(
                f"item {pos + 1}: no_invoice_kind {kind!r} and allowance {item.allowance!r} disagree",
                code="invalid_allowance",
            )
        items.append(replace(item, allowance=item.allowance or kind))
    return replace(data, items=tuple(items))


def _conversions(session: Session, data: ClaimInput, company: str) -> list[Conversion | None]:
    """Each item's amount in the company currency, at the table's rate for its day (a missing
    rate refuses the claim with ``rate_missing``); None for an allowance, which the policy's
    rates compute in the company currency."""
    rates = TableRates(session)
    out: list[Conversion | None] = []
    for pos, item in enumerate(data.items):
        if item.allowance is not None:
            if item.currency not in (None, company):
                raise InvalidInput(
                    f"an allowance is computed in {company}, not {item.currency}",
                    code="allowance_currency",
                    details={"currency": item.currency, "company": company},
                )
            out.append(None)
            continue
        if item.amount is None:
            raise InvalidInput(
                "an item needs an amount (only allowances are computed)", code="invalid_amount"
            )
        amount = item.amount.quantize(_CENT)
        if amount <= 0:
            raise InvalidInput("an item's amount must be positive", code="invalid_amount")
        out.append(convert_amount(rates, amount, item.currency or company, company, item.expense_date, pos))
    return out


def _foreign_images(session: Session, actor: Principal, data: ClaimInput) -> None:
    """A foreign document's image must be the caller's own upload, read to the end."""
    ids = {i.document_id for i in data.items if i.foreign_document is not None and i.document_id is not None}
    if not ids:
        return
    owned = set(
        session.scalars(
            select(DocumentRecord.id).where(
                DocumentRecord.id.in_(ids),
                DocumentRecord.owner_subject == actor.subject,
                DocumentRecord.status == "done",
            )
        )
    )
    for missing in sorted(ids - owned):
        raise InvalidInput(f"document {missing} is not your finished upload", code="document_not_ready")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _foreign(item: ItemInput, amount: Decimal, currency: str) -> tuple[dict[str, Any], str | None]:
    """The foreign document as stored, and its duplicate key (issuer, number, date, amount)
    when it has a number: the same folio cannot be claimed twice, as a fapiao cannot."""
    doc = dict(item.foreign_document or {})
    if item.document_id is None:
        raise InvalidInput(
            "a foreign receipt or invoice needs its image (document_id)", code="image_required"
        )
    if item.no_invoice_kind is not None or item.fields:
        raise InvalidInput(
            "a foreign document is neither a fapiao (fields) nor a no-invoice item", code="invalid_item"
        )
    issuer = " ".join(str(doc.get("issuer") or "").split())
    number = str(doc.get("number") or "").strip() or None
    issued = str(doc.get("issue_date") or "")
    if not issuer or doc.get("kind") not in FOREIGN_KINDS or not _is_date(issued):
        raise InvalidInput(
            "a foreign document names its kind (hotel_folio, tax_invoice, receipt), issuer and issue_date",
            code="invalid_foreign_document",
        )
    stored = {
        "kind": doc.get("kind"),
        "issuer": issuer,
        "number": number,
        "issue_date": issued,
        "country": doc.get("country"),
    }
    if number is None:
        return stored, None
    ident = "|".join((issuer.casefold(), number.upper(), issued, f"{amount:.2f}", currency))
    return stored, "foreign:" + hashlib.sha256(ident.encode()).hexdigest()[:56]


def _items(
    session: Session,
    actor: Principal,
    kind: str,
    data: ClaimInput,
    extracted: dict[tuple[int, int], ExtractedInvoice],
    conversions: list[Conversion | None],
) -> list[ClaimItemRecord]:
    policy = current_policy(session)
    items = [
        _item(
            pos,
            item,
            extracted,
            conversions[pos],
            policy.allowances,
            policy.currency,
            estimate=kind == "pre_approval",
        )
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
    conversion: Conversion | None,
    rates: Allowances,
    company: str,
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
    if conversion is None:  # an allowance: computed above, in the company currency
        assert item.amount is not None
        conversion = identity(item.amount.quantize(_CENT), company, item.expense_date)
    amount = conversion.converted_amount
    if amount <= 0:
        raise InvalidInput("an item's amount must be positive", code="invalid_amount")
    try:
        splits = [a.as_dict() for a in allocate(amount, item.splits)] if item.splits else None
    except SplitError as exc:
        raise InvalidInput(f"item {position + 1}: {exc}", code=exc.code) from exc
    invoice: dict[str, Any] | None = None
    corrections: list[dict[str, Any]] = []
    read_key: str | None = None
    foreign: dict[str, Any] | None = None
    if item.foreign_document is not None:
        foreign, read_key = _foreign(item, conversion.original_amount, conversion.currency)
    elif item.document_id is not None:
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
        if conversion.currency != "CNY":
            # a fapiao is issued in renminbi; an amount abroad rests on a foreign document
            raise InvalidInput(
                f"a fapiao is in CNY, not {conversion.currency} "
                "(a receipt from abroad is a foreign_document)",
                code="fapiao_currency",
            )
    elif estimate:
        pass  # a pre-approval's line is an estimate of spending to come: no invoice yet
    elif computed is None:
        raise InvalidInput(
            "an item rests on an invoice (document_id) or is an allowance (per_diem, mileage)",
            code="invoice_required",
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
        invoice_key=(read_key or key_of(invoice["fields"])) if invoice else read_key,
        no_invoice_kind=item.no_invoice_kind,
        no_invoice_reason=item.no_invoice_reason,
        attendees=item.attendees,
        nights=item.nights,
        city_tier=item.city_tier,
        currency=conversion.currency,
        original_amount=conversion.original_amount,
        fx_rate=conversion.rate,
        fx_rate_date=conversion.rate_date,
        fx_source=conversion.source,
        foreign_document=foreign,
        ticket=dict(item.ticket) if item.ticket else None,
        splits=splits,
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


def blocking(assessment: Assessment) -> list[dict[str, Any]]:
    """The findings that stop a blocked claim: those of severity ``block``, else (the score
    reached the policy's block threshold) every finding that added points, most first."""
    if assessment.decision != RiskDecision.BLOCK:
        return []
    hard = [f for f in assessment.findings if f.get("severity") == "block"]
    if hard:
        return hard
    scored = [f for f in assessment.findings if (f.get("points") or 0) > 0]
    return sorted(scored, key=lambda f: -int(f.get("points") or 0))


def refuse_if_blocked(assessment: Assessment) -> None:
    """A claim the rules block is not submitted: 422 ``claim_blocked`` with the findings that
    block it (codes, items, messages); the submitter changes or removes those items, or
    deletes the draft."""
    reasons = blocking(assessment)
    if not reasons:
        return
    codes = ", ".join(dict.fromkeys(str(f.get("code")) for f in reasons))
    raise InvalidInput(
        f"the claim cannot be submitted: {codes}; change or remove the items concerned",
        code="claim_blocked",
        details={"decision": assessment.decision, "score": assessment.score, "findings": reasons},
    )


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
    # the rules first: a claim they block is refused with its reasons before anything is
    # locked, reserved, routed or put on the trail; it stays as it was (issue 15)
    # a request (advance, pre-approval) carries no invoices for the expense rules to judge
    result = assess(session, claim) if claim.kind == "expense" else Assessment(0, "pass", [])
    refuse_if_blocked(result)
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
            params={"category": budget.category, "over": f"{short:.2f}"},
        )  # the transaction rolls back: nothing stays reserved
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
                "params": {"category": str(budget.category), "over": f"{short:.2f}"},
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
    resume = resubmission and claim.routed_content == routed
    if resubmission:
        # the flow the claim runs on, at its version; if its type changed, the new type's flow
        # at its latest version
        target = (  # a type no longer mapped keeps the flow the claim runs on
            types.mapping(session).get(claim.claim_type, claim.flow_id or DEFAULT_FLOW)
            if claim.kind == "expense"
            else claim.kind
        )
        same = target == claim.flow_id
        planned = approvals.flow_for(session, target, claim.flow_version if same else None, flow_params)
    else:  # the claim's type selects the flow; a new claim runs its latest version
        planned = approvals.flow_for(session, _flow_id(session, claim), None, flow_params)
    if not resume and approvals.rejects_at_submission(planned, facts, org):
        # the flow would reject it at once: refused like a blocked claim, nothing changes
        raise InvalidInput(
            f"the approval flow {planned.id} v{planned.version} does not accept this claim",
            code="claim_blocked",
            details={
                "decision": result.decision,
                "score": result.score,
                "findings": [_flow_rejects(planned.id, planned.version).as_json()],
            },
        )
    # sent before any decision it leads to, with the status it had then
    _webhook(session, "claim.submitted", claim, status=ClaimStatus.SUBMITTED)
    who = str(actor.user_id)
    if resume:
        # only free text changed: the approvals given so far were given to this same content
        route_event(session, claim, Resubmit(actor=who), org=org, now=now, flow_params=flow_params)
    elif resubmission:
        # money, items, invoices, categories or department changed since the route was planned:
        # plan it again from the start, on the flow version the claim runs on; the approvals
        # given to the old content do not count for the new one
        flow = planned
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
        flow = planned
        claim.status = ClaimStatus.of_route(
            approvals.start(session, claim, facts, flow, org, Submit(actor=who), now, on_final)
        )
        session.flush()
    claim.routed_content = routed
    holds.hold(session, claim, holds.stop_reasons(claim.findings), now)
    session.flush()  # the answer carries the version the row ends at
    return claim


def _flow_id(session: Session, claim: ClaimRecord) -> str:
    """Requests run their own shipped flows (``advance``, ``pre_approval``); an expense claim the
    flow its claim type is mapped to (the company's default flow unless an admin mapped it)."""
    return types.flow_of(session, claim.claim_type) if claim.kind == "expense" else claim.kind


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


def delete_draft(session: Session, actor: Principal, claim: ClaimRecord, now: datetime) -> None:
    """Delete a draft of one's own. Anything it held is released (invoice locks, budget
    reservations: a draft normally holds none) and its items go, so its documents are free for
    another claim. The emptied row stays as ``deleted`` (its id and number are never reused: a
    trail keyed by claim id must not continue on another claim) and the deletion is the last
    entry of its trail."""
    if claim.submitter_id != actor.user_id:
        raise Forbidden("only the submitter deletes a draft")
    if claim.status != ClaimStatus.DRAFT:
        raise Conflict(
            f"a {claim.status} claim cannot be deleted (only drafts); withdraw it instead",
            code="claim_not_deletable",
        )
    registry.unlock_invoices(session, claim)
    ledger.settle(session, claim, consume=False)
    _close_old_route(session, claim)
    what = f"draft {claim.number} deleted ({len(claim.items)} items, total {claim.total:.2f})"
    claim.items = []
    claim.total = Decimal("0.00")
    claim.status = ClaimStatus.DELETED
    session.flush()
    approvals.record(session, claim, "delete", str(actor.user_id), what, now, state_before=ClaimStatus.DRAFT)
    session.flush()


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
    flow_id = claim.flow_id or _flow_id(session, claim)
    flow = approvals.flow_for(session, flow_id, claim.flow_version, flow_params)
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
        registry.move_invoices(session, claim, InvoiceEvent.REIMBURSE)
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


def _flow_rejects(flow_id: str, version: int) -> Finding:
    return Finding(
        "flow_rejects",
        Severity.BLOCK,
        f"flow {flow_id} v{version} rejects such claims at submission",
        details=(("flow", flow_id), ("version", str(version))),
    )

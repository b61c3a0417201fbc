"""Finance holds: a claim the tax bureau (or the invoice itself) contradicts stops until finance decides.

A voided, red-reversed or unknown invoice, a bureau record that differs from the claim, or a
submitter contradicting a value read from the invoice itself puts the claim on hold: it cannot be
approved, it is not on payroll's list and cannot be marked paid, and it waits in finance's
exception queue. Only an explicit finance decision, recorded on the claim's trail with its
reason, lets it continue (``release``) or ends it (``decline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.core.errors import Conflict, Forbidden, InvalidInput
from reimburse.core.principal import Principal, Role
from reimburse.routing import service as approvals
from reimburse.routing.domain import InstanceStatus
from reimburse.routing.records import ApprovalTaskRecord, RouteTimerRecord

# Findings that stop a claim for finance.
STOP_CODES = frozenset(
    {
        "invoice_voided",
        "invoice_red_reversed",
        "invoice_partly_red_reversed",
        "invoice_not_found",
        "verification_mismatch",
        "verification_field_mismatch",
        "source_value_disputed",
        "claimed_exceeds_bureau_total",
    }
)
FINANCE_ACTIONS = frozenset({"release", "decline"})
# Claims a hold still matters for: money not yet paid out.
HOLDABLE = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.APPROVED})

FinalHook = Callable[[Session, ClaimRecord, InstanceStatus, datetime], None]


def stop_reasons(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"code": f["code"], "item": f.get("item"), "message": f.get("message", "")}
        for f in findings
        if f.get("code") in STOP_CODES
    ]


def hold(session: Session, claim: ClaimRecord, reasons: list[dict[str, Any]], now: datetime) -> None:
    """Stop the claim for finance (or add reasons to its hold); recorded on the trail."""
    if claim.status not in HOLDABLE or not reasons:
        return
    current = list((claim.hold or {}).get("reasons") or [])
    known = {(r["code"], r.get("item")) for r in current}
    new = [r for r in reasons if (r["code"], r.get("item")) not in known]
    if not new:
        return
    since = (claim.hold or {}).get("since") or now.isoformat()
    claim.hold = {"since": since, "reasons": [*current, *new]}
    text = "; ".join(f"{r['code']} (item {_item_no(r)}): {r['message']}" for r in new)
    approvals.record(session, claim, "hold", "system", f"stopped for a finance decision: {text}", now)


def refuse_if_held(claim: ClaimRecord) -> None:
    if claim.hold:
        codes = ", ".join(sorted({r["code"] for r in claim.hold.get("reasons") or []}))
        raise Conflict(
            f"claim {claim.id} is stopped for a finance decision ({codes})",
            code="claim_held",
            details={"reasons": claim.hold.get("reasons") or []},
        )


def decide(
    session: Session,
    actor: Principal,
    claim: ClaimRecord,
    action: str,
    comment: str,
    now: datetime,
    on_final: FinalHook,
) -> None:
    """Finance's decision on a held claim: ``release`` (it continues where it stopped) or
    ``decline`` (it ends as rejected). The reason is required and goes on the trail."""
    if not actor.has_role(Role.FINANCE) or actor.user_id is None:
        raise Forbidden("only finance decides on a stopped claim", code="finance_only")
    if not claim.hold:
        raise Conflict(f"claim {claim.id} is not stopped", code="claim_not_held")
    if not comment.strip():
        raise InvalidInput("say why (comment): the decision is recorded", code="comment_required")
    reasons = ", ".join(sorted({r["code"] for r in claim.hold.get("reasons") or []}))
    claim.hold = None
    who = str(actor.user_id)
    if action == "release":
        approvals.record(session, claim, "finance_release", who, f"{comment} [{reasons}]", now)
        return
    if action != "decline":
        raise Conflict(f"unknown finance action {action!r}", code="invalid_action")
    before = claim.status
    _end_route(session, claim)
    claim.status, claim.decided_at = ClaimStatus.REJECTED, now
    approvals.record(
        session, claim, "finance_decline", who, f"{comment} [{reasons}]", now, state_before=before
    )
    on_final(session, claim, InstanceStatus.REJECTED, now)


def _end_route(session: Session, claim: ClaimRecord) -> None:
    """Close what the route still has open: a finance decision ends it outside the approvers'
    steps, so the stored route is marked as the engine would mark a rejection."""
    session.execute(
        update(ApprovalTaskRecord).where(ApprovalTaskRecord.claim_id == claim.id).values(open=False)
    )
    session.execute(delete(RouteTimerRecord).where(RouteTimerRecord.claim_id == claim.id))
    if claim.route is None:
        return
    route = dict(claim.route)
    steps = []
    for step in route.get("steps", []):
        step = dict(step)
        if step.get("status") in ("active", "waiting"):
            step["status"] = "cancelled"
            step["tasks"] = [
                {**t, "status": "cancelled"} if t.get("status") in ("pending", "waiting") else t
                for t in step.get("tasks", [])
            ]
        steps.append(step)
    route.update(status=InstanceStatus.REJECTED.value, steps=steps, timers=[])
    claim.route = route


def held_claims(session: Session, limit: int = 200) -> list[ClaimRecord]:
    """Finance's exception queue: every claim stopped for a decision, oldest first."""
    return list(
        session.scalars(
            select(ClaimRecord).where(ClaimRecord.hold.is_not(None)).order_by(ClaimRecord.id).limit(limit)
        )
    )


def _item_no(reason: dict[str, Any]) -> str:
    item = reason.get("item")
    return "-" if item is None else str(int(item) + 1)

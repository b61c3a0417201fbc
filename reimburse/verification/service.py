"""Invoice verification with the tax bureau (发票查验), as a background queue.

Submitting a claim queues a check per invoice (one row per invoice key: the same invoice is
never checked twice for two claims). A periodic job takes the due checks, respects the
provider's rate and the per-invoice daily cap, stores the answer and schedules what the pure
``verification.schedule`` says (retry with backoff, re-check "not yet available" tomorrow).
The answers become findings for the claim (``findings_for``); with no provider configured
every invoice is "unverified", flagged as the policy says.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.claims.domain import Finding, Severity
from reimburse.core.db import unit_of_work
from reimburse.policy.rules.facts import facts_from_fields
from reimburse.verification import rules, schedule, serde
from reimburse.verification.domain import VerificationAnswer, VerificationRequest, VerificationStatus
from reimburse.verification.limits import RateLimiter
from reimburse.verification.port import DailyCapReached, InvoiceVerifier, VerificationError
from reimburse.verification.records import InvoiceCheckRecord

DAILY_CAP = 5  # checks per invoice per day: providers refuse (and bill) more


class InvoiceItem(Protocol):
    """What the queue needs of an expense item: its id, position, stored invoice and key."""

    @property
    def id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def invoice(self) -> dict[str, Any] | None: ...
    @property
    def invoice_key(self) -> str | None: ...


# Told of every check that ends (or answers "not yet"), by invoice key: the claims side puts the
# answer onto the claims that hold the invoice; the queue itself knows invoices, not claims.
AnswerHook = Callable[[Session, str, VerificationAnswer, datetime], None]


def _request_json(req: VerificationRequest) -> dict[str, Any]:
    return {
        "kind": req.kind.value,
        "invoice_number": req.invoice_number,
        "issue_date": req.issue_date.isoformat(),
        "invoice_code": req.invoice_code,
        "amount_excl_tax": str(req.amount_excl_tax) if req.amount_excl_tax is not None else None,
        "total": str(req.total) if req.total is not None else None,
        "check_code_last6": req.check_code_last6,
    }


def _request_from(d: dict[str, Any]) -> VerificationRequest:
    from decimal import Decimal

    from reimburse.verification.domain import VerifyKind

    return VerificationRequest(
        kind=VerifyKind(d["kind"]),
        invoice_number=d["invoice_number"],
        issue_date=date.fromisoformat(d["issue_date"]),
        invoice_code=d.get("invoice_code"),
        amount_excl_tax=Decimal(d["amount_excl_tax"]) if d.get("amount_excl_tax") else None,
        total=Decimal(d["total"]) if d.get("total") else None,
        check_code_last6=d.get("check_code_last6"),
    )


def queue_checks(session: Session, items: Iterable[InvoiceItem], now: datetime) -> int:
    """One pending check per invoice of these items that has none yet; returns how many."""

    queued = 0
    seen: set[str] = set()  # a draft may hold the same invoice twice (refused only at submission)
    for item in items:
        if not item.invoice or not item.invoice_key or item.invoice_key in seen:
            continue
        seen.add(item.invoice_key)
        existing = session.scalars(
            select(InvoiceCheckRecord).where(InvoiceCheckRecord.invoice_key == item.invoice_key)
        ).first()
        if existing is not None:
            existing.item_id = item.id  # the latest item resting on it (drafts replace their items)
            continue
        row = InvoiceCheckRecord(invoice_key=item.invoice_key, item_id=item.id)
        built = rules.build_request(facts_from_fields(item.invoice))
        if isinstance(built, rules.NotVerifiable):
            row.state, row.status, row.reason = "done", VerificationStatus.UNVERIFIED.value, built.reason
        else:
            row.request = _request_json(built)
            when = rules.checkability(built, now.date())
            if when.checkable:
                row.next_check_at = now
            elif when.retry_on is not None:
                row.next_check_at = datetime.combine(when.retry_on, now.timetz())
                row.reason = when.reason
            else:
                row.state, row.status, row.reason = "done", VerificationStatus.UNVERIFIED.value, when.reason
        session.add(row)
        queued += 1
    session.flush()
    return queued


def run_due(
    engine: Engine,
    now: datetime,
    verifier: InvoiceVerifier,
    rate: float = 20.0,
    limit: int = 50,
    on_answer: AnswerHook | None = None,
) -> int:
    """Check the due invoices; returns how many were sent to the provider."""
    sent = 0
    bucket = RateLimiter.start(rate, time.monotonic())
    with unit_of_work(engine) as session:
        due = session.scalars(
            select(InvoiceCheckRecord)
            .where(InvoiceCheckRecord.state == "pending", InvoiceCheckRecord.next_check_at <= now)
            .order_by(InvoiceCheckRecord.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in due:
            if row.request is None:
                continue
            today = now.date()
            if row.checks_day != today:
                row.checks_day, row.checks_today = today, 0
            outcome: VerificationAnswer | VerificationError
            if row.checks_today >= DAILY_CAP:
                outcome = DailyCapReached("checked too often today")
            else:
                while True:  # the provider's rate (e.g. 20 per second)
                    bucket, wait = bucket.take(time.monotonic())
                    if wait <= 0:
                        break
                    time.sleep(wait)
                row.checks_today += 1
                row.attempts += 1
                sent += 1
                try:
                    outcome = verifier.verify(_request_from(row.request))
                except VerificationError as exc:
                    outcome = exc
            _apply(row, outcome, now)
            if on_answer is None:
                continue
            if isinstance(outcome, VerificationAnswer):
                on_answer(session, row.invoice_key, outcome, now)
            elif row.state == "gave_up":  # the check ended without an answer: not pending any more
                ended = VerificationAnswer(VerificationStatus.UNVERIFIED, message=str(outcome))
                on_answer(session, row.invoice_key, ended, now)
    return sent


def _apply(row: InvoiceCheckRecord, outcome: VerificationAnswer | VerificationError, now: datetime) -> None:
    step = schedule.next_step(outcome, attempt=max(row.attempts, 1), now=now)
    if isinstance(outcome, VerificationAnswer):
        row.answer, row.status = serde.answer_to_json(outcome), outcome.status.value
    row.reason = step.reason or None
    if step.step is schedule.Step.DONE:
        row.state, row.next_check_at = "done", None
    elif step.step in (schedule.Step.RETRY, schedule.Step.RECHECK):
        row.state, row.next_check_at = "pending", step.at
    else:
        row.state, row.next_check_at = "gave_up", None
        row.status = row.status or VerificationStatus.UNVERIFIED.value


def recheck(session: Session, item_id: int, now: datetime) -> InvoiceCheckRecord | None:
    row = session.scalars(select(InvoiceCheckRecord).where(InvoiceCheckRecord.item_id == item_id)).first()
    if row is not None and row.request is not None:
        row.state, row.next_check_at, row.attempts = "pending", now, 0
    return row


def findings_for(
    session: Session, items: Iterable[InvoiceItem], unverified: Severity = Severity.INFO
) -> list[Finding]:
    out: list[Finding] = []
    keys = {i.invoice_key: i for i in items if i.invoice_key and i.invoice}
    if not keys:
        return out
    rows = session.scalars(select(InvoiceCheckRecord).where(InvoiceCheckRecord.invoice_key.in_(keys)))
    for row in rows:
        item = keys[row.invoice_key]
        assert item.invoice is not None
        facts = facts_from_fields(item.invoice)
        if row.answer is not None:
            answer = serde.answer_from_json(row.answer)
            out += rules.findings_from_answer(
                facts, answer, unverified_severity=unverified, item=item.position
            )
        elif row.status == VerificationStatus.UNVERIFIED.value:
            reason = rules.NotVerifiable(row.reason or "not checkable", ())
            out += rules.findings_not_verifiable(reason, unverified_severity=unverified, item=item.position)
        else:
            out.append(
                Finding(
                    "verification_pending", Severity.INFO, "being checked with the tax bureau", item.position
                )
            )
    return out


def view(row: InvoiceCheckRecord) -> dict[str, Any]:
    return {
        "invoice_key": row.invoice_key,
        "item_id": row.item_id,
        "state": row.state,
        "status": row.status,
        "reason": row.reason,
        "attempts": row.attempts,
        "next_check_at": row.next_check_at.isoformat() if row.next_check_at else None,
        "answer": row.answer,
    }


def item_checks(session: Session, items: Iterable[InvoiceItem]) -> list[dict[str, Any]]:
    """Each item's check as the claim's verification view shows it (items without one left out)."""
    items = list(items)
    keys = [i.invoice_key for i in items if i.invoice_key]
    rows = session.scalars(select(InvoiceCheckRecord).where(InvoiceCheckRecord.invoice_key.in_(keys)))
    by_key = {r.invoice_key: r for r in rows}
    return [
        {"item_id": i.id, "position": i.position, **view(by_key[i.invoice_key])}
        for i in items
        if i.invoice_key in by_key
    ]

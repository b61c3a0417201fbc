"""Background jobs of the claims domain: deliver the outbox, fire due SLA timers.

Both are idempotent and safe to run from several workers at once: rows are taken with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer anyway), each job owns its
transaction, and a crash leaves rows pending for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.audit.keys import Signer
from reimburse.claims import checks
from reimburse.claims import service as workflow
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.core.db import unit_of_work
from reimburse.core.netguard import Network
from reimburse.core.outbox import OutboxRecord
from reimburse.identity.org import load_org
from reimburse.identity.records import UserRecord
from reimburse.notify.dispatch import Dispatcher
from reimburse.notify.messages import ClaimSummary, Person
from reimburse.routing.domain import Notify, NotifyKind, TimerTick
from reimburse.routing.records import RouteTimerRecord
from reimburse.verification import service as verification
from reimburse.verification.port import InvoiceVerifier
from reimburse.vouchers import service as vouchers
from reimburse.webhooks import service as webhooks

log = logging.getLogger(__name__)
NOTIFY_ATTEMPTS = 5


def sign_checkpoint(engine: Engine, signer: Signer, now: datetime, every: timedelta) -> int:
    """Sign the audit chain's head when it moved and ``every`` has passed since the last one."""
    with unit_of_work(engine) as session:
        return 1 if trail.checkpoint_if_due(session, signer, now, every) is not None else 0


def make_vouchers(engine: Engine, at: str) -> int:
    """The accounting voucher of every claim that qualifies (approved, or paid: ``at``) and has
    none yet; numbered in the order made, never again."""
    with unit_of_work(engine) as session:
        return len(vouchers.generate(session, at))


def drain_outbox(
    engine: Engine,
    now: datetime,
    dispatcher: Dispatcher | None,
    client: httpx.Client,
    allowed_networks: Sequence[Network] = (),
) -> int:
    """Turn pending outbox rows into notifications and webhook deliveries; send what is due
    (webhooks only to public addresses and ``allowed_networks``)."""
    done = 0
    with unit_of_work(engine) as session:
        rows = session.scalars(
            select(OutboxRecord)
            .where(OutboxRecord.status == "pending", OutboxRecord.next_attempt_at <= now)
            .order_by(OutboxRecord.id)
            .limit(100)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            if row.kind == "webhook":
                webhooks.fan_out(session, row.id, row.topic, row.payload, now)
                row.status = "done"
            else:
                _notify(session, row, dispatcher, now)
            done += 1
    with unit_of_work(engine) as session:
        for delivery in webhooks.due(session, now):
            webhooks.attempt(session, delivery, client, now, allowed_networks)
            done += 1
    return done


def _notify(session: Session, row: OutboxRecord, dispatcher: Dispatcher | None, now: datetime) -> None:
    row.attempts += 1
    if dispatcher is None:
        row.status, row.last_error = "done", "no notification channel configured"
        return
    p = row.payload
    claim = session.get(ClaimRecord, int(p["claim_id"]))
    if claim is None:
        row.status, row.last_error = "done", "claim no longer exists"
        return
    ids = {
        int(u)
        for u in [*p.get("recipients", []), p.get("actor") or "0", str(claim.submitter_id)]
        if str(u).isdigit()
    }
    users = {str(u.id): u for u in session.scalars(select(UserRecord).where(UserRecord.id.in_(ids)))}
    people = {uid: Person(id=uid, name=u.display_name, email=u.email) for uid, u in users.items()}
    submitter = users.get(str(claim.submitter_id))
    effect = Notify(
        claim_id=str(claim.id),
        event=NotifyKind(p["event"]),
        recipients=tuple(p.get("recipients", [])),
        actor=p.get("actor"),
        comment=p.get("comment", ""),
    )
    from reimburse.workapps.delivery import approvers, claim_url, step_for

    recipients = [int(r) for r in p.get("recipients", []) if str(r).isdigit()]
    step_name, _ = step_for(session, claim.id, recipients[0] if recipients else None)
    summary = ClaimSummary(
        claim_id=claim.number or str(claim.id),
        purpose=claim.purpose,
        submitter_name=submitter.display_name if submitter else "",
        amount=claim.total,
        currency=claim.currency,
        url=claim_url(dispatcher.public_url, claim.id) if dispatcher.public_url else None,
        approvers=approvers(session, claim.id),
    )
    results = dispatcher.deliver(effect, summary, people, step_name)
    retry = [r for r in results if not r.ok and r.retryable]
    if retry and row.attempts < NOTIFY_ATTEMPTS:
        row.next_attempt_at = now + timedelta(seconds=30 * 2 ** (row.attempts - 1))
        row.last_error = "; ".join(f"{r.channel}: {r.detail}" for r in retry)
    else:
        failed = [r for r in results if not r.ok]
        row.status = "failed" if failed else "done"
        row.last_error = "; ".join(f"{r.channel}: {r.detail}" for r in failed) or None


def fire_timers(engine: Engine, now: datetime) -> int:
    """Send a TimerTick for every due SLA timer (reminders, escalations, auto-decisions)."""
    fired = 0
    with unit_of_work(engine) as session:
        due = session.scalars(
            select(RouteTimerRecord)
            .where(RouteTimerRecord.due_at <= now)
            .order_by(RouteTimerRecord.due_at)
            .limit(100)
            .with_for_update(skip_locked=True)
        ).all()
        org = load_org(session) if due else None
        for timer in due:
            claim = session.get(ClaimRecord, timer.claim_id)
            key = timer.timer_key
            session.delete(timer)
            session.flush()
            if claim is None or claim.route is None or claim.flow_id is None or claim.flow_version is None:
                continue
            if claim.status != ClaimStatus.SUBMITTED:
                continue
            assert org is not None
            workflow.route_event(session, claim, TimerTick(timer_id=key), org=org, now=now)
            fired += 1
    return fired


def check_invoices(engine: Engine, now: datetime, verifier: InvoiceVerifier, rate: float = 20.0) -> int:
    """Run the due tax-bureau checks; bad answers go onto the claims that hold the invoices."""
    return verification.run_due(engine, now, verifier, rate=rate, on_answer=checks.report_answer)

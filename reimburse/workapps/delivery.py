"""Personal messages and approval cards: from the notification outbox to each person's work app.

``fan_out`` reads the approval notifications the claims domain writes to the outbox (the same
rows the group bots are fed from) and makes one message per person and platform: a card with
approve / reject / open for someone who holds an open task on the claim, a text card with the
link otherwise. ``deliver`` sends what is due and pushes the final state of closed cards.
Both are idempotent: an outbox row is taken once (``workapp_seen``), a message row is sent
until it succeeds or runs out of attempts.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, select
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimRecord
from reimburse.core.outbox import OutboxRecord
from reimburse.identity.records import UserRecord
from reimburse.notify.messages import ClaimSummary, Person, render
from reimburse.routing.domain import Notify, NotifyKind
from reimburse.routing.records import ApprovalTaskRecord
from reimburse.workapps.domain import Card, Platform, Text, WorkApp, WorkAppError
from reimburse.workapps.records import WorkAppAccountRecord, WorkAppMessageRecord, WorkAppSeenRecord
from reimburse.workapps.service import close_cards, first_time

ATTEMPTS = 5
LOOKBACK = timedelta(days=2)  # older notifications are not sent when a platform is switched on
_CARD_KINDS = frozenset({NotifyKind.ASSIGNED, NotifyKind.TRANSFERRED, NotifyKind.ESCALATED})


def claim_url(public_url: str, claim_id: int) -> str:
    return f"{public_url.rstrip('/')}/claims/{claim_id}"


def step_for(session: Session, claim_id: int, user_id: int | None) -> tuple[str, str | None]:
    """(step name, open task key) for a person on a claim; else the latest step of the claim."""
    query = select(ApprovalTaskRecord).where(ApprovalTaskRecord.claim_id == claim_id)
    if user_id is not None:
        mine = session.scalars(
            query.where(ApprovalTaskRecord.user_id == user_id, ApprovalTaskRecord.open.is_(True)).order_by(
                ApprovalTaskRecord.id.desc()
            )
        ).first()
        if mine is not None:
            return mine.step_name, mine.task_key
    last = session.scalars(query.order_by(ApprovalTaskRecord.id.desc())).first()
    return (last.step_name if last else ""), None


def approvers(session: Session, claim_id: int) -> str:
    names = session.scalars(
        select(UserRecord.display_name)
        .join(ApprovalTaskRecord, ApprovalTaskRecord.user_id == UserRecord.id)
        .where(ApprovalTaskRecord.claim_id == claim_id, ApprovalTaskRecord.open.is_(True))
        .distinct()
    ).all()
    return "、".join(sorted(names))


def fan_out(session: Session, platforms: list[Platform], public_url: str, now: datetime) -> int:
    """Turn new notification rows into message rows for the enabled platforms."""
    if not platforms:
        return 0
    taken = select(WorkAppSeenRecord.id).where(
        WorkAppSeenRecord.platform == "*", WorkAppSeenRecord.kind == "outbox"
    )
    rows = session.scalars(
        select(OutboxRecord)
        .where(
            OutboxRecord.kind == "notify",
            OutboxRecord.created_at >= now - LOOKBACK,
            ~exists(taken.where(WorkAppSeenRecord.key == cast(OutboxRecord.id, String))),
        )
        .order_by(OutboxRecord.id)
        .limit(200)
    ).all()
    made = 0
    for row in rows:
        if not first_time(session, "*", "outbox", str(row.id)):
            continue
        made += _fan_out_row(session, row, platforms, public_url)
        close_cards(session, int(row.payload["claim_id"]))
    return made


def _fan_out_row(session: Session, row: OutboxRecord, platforms: list[Platform], public_url: str) -> int:
    p = row.payload
    claim = session.get(ClaimRecord, int(p["claim_id"]))
    if claim is None:
        return 0
    recipients = [int(r) for r in p.get("recipients", []) if str(r).isdigit()]
    if not recipients:
        return 0
    accounts = session.scalars(
        select(WorkAppAccountRecord).where(
            WorkAppAccountRecord.user_id.in_(recipients),
            WorkAppAccountRecord.platform.in_([x.value for x in platforms]),
        )
    ).all()
    if not accounts:
        return 0
    ids = {*recipients, claim.submitter_id, *([int(p["actor"])] if str(p.get("actor")).isdigit() else [])}
    people: Mapping[str, Person] = {
        str(u.id): Person(id=str(u.id), name=u.display_name, email=u.email)
        for u in session.scalars(select(UserRecord).where(UserRecord.id.in_(ids)))
    }
    submitter = people.get(str(claim.submitter_id))
    summary = ClaimSummary(
        claim_id=claim.number or str(claim.id),
        purpose=claim.purpose,
        submitter_name=submitter.name if submitter else "",
        amount=claim.total,
        currency=claim.currency,
        url=claim_url(public_url, claim.id),
        approvers=approvers(session, claim.id),
    )
    kind = NotifyKind(p["event"])
    made = 0
    for account in accounts:
        step, task_key = step_for(session, claim.id, account.user_id)
        effect = Notify(
            claim_id=str(claim.id),
            event=kind,
            recipients=(str(account.user_id),),
            actor=p.get("actor"),
            comment=p.get("comment", ""),
        )
        msg = render(effect, summary, people, step)
        lines = list(msg.lines)
        card = kind in _CARD_KINDS and task_key is not None
        session.add(
            WorkAppMessageRecord(
                outbox_id=row.id,
                platform=account.platform,
                user_id=account.user_id,
                platform_user_id=account.platform_user_id,
                kind="card" if card else "text",
                claim_id=claim.id,
                task_key=task_key if card else None,
                card_key=secrets.token_urlsafe(24) if card else None,
                content={
                    "title": msg.title,
                    "lines": lines,
                    "url": summary.url,
                    "review_url": f"{public_url.rstrip('/')}/inbox/{claim.id}",
                },
            )
        )
        made += 1
    session.flush()
    return made


def deliver(session: Session, apps: Mapping[Platform, WorkApp], now: datetime) -> int:
    """Send due messages and card updates; failures are retried with backoff, then given up."""
    done = 0
    due = session.scalars(
        select(WorkAppMessageRecord)
        .where(WorkAppMessageRecord.status == "pending", WorkAppMessageRecord.next_attempt_at <= now)
        .order_by(WorkAppMessageRecord.id)
        .limit(100)
        .with_for_update(skip_locked=True)
    ).all()
    for m in due:
        app = apps.get(Platform(m.platform))
        if app is None:
            continue
        m.attempts += 1
        try:
            if m.kind == "card":
                m.ref = app.send_card(m.platform_user_id, _card(m))
            else:
                c = m.content
                app.send_text(m.platform_user_id, Text(c["title"], tuple(c["lines"]), c["url"]))
            m.status, m.last_error = "sent", None
            done += 1
        except WorkAppError as exc:
            _failed(m, exc, now)
    updates = session.scalars(
        select(WorkAppMessageRecord)
        .where(WorkAppMessageRecord.final_status == "pending", WorkAppMessageRecord.status != "pending")
        .order_by(WorkAppMessageRecord.id)
        .limit(100)
        .with_for_update(skip_locked=True)
    ).all()
    for m in updates:
        app = apps.get(Platform(m.platform))
        if app is None:
            continue
        if m.status != "sent" or m.ref is None:
            m.final_status = "done"  # never reached the person: nothing to update
            continue
        try:
            app.update_card(m.platform_user_id, m.ref, _card(m))
            m.final_status = "done"
            done += 1
        except WorkAppError as exc:
            m.last_error = exc.message
            if not exc.retryable:
                m.final_status = "failed"
    session.flush()
    return done


def _card(m: WorkAppMessageRecord) -> Card:
    c = m.content
    return Card(
        c["title"],
        tuple(c["lines"]),
        c["url"],
        m.card_key or "",
        final=m.final,
        review_url=c.get("review_url", ""),
    )


def _failed(m: WorkAppMessageRecord, exc: WorkAppError, now: datetime) -> None:
    m.last_error = exc.message
    if exc.retryable and m.attempts < ATTEMPTS:
        m.next_attempt_at = now + timedelta(seconds=30 * 2 ** (m.attempts - 1))
    else:
        m.status = "failed"

"""Sign-in through a work app, card clicks and directory events from its callbacks.

Services take the caller's session and never commit. A card click acts through exactly what
``POST /claims/{id}/actions`` calls (``access.claim_for`` then ``claims.act`` with the task the
card showed), so a click may do what the person may do in the web app, and nothing more.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from reimburse.claims import access
from reimburse.claims import service as claims
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.leavers import deactivate_user
from reimburse.core.db import utcnow
from reimburse.core.errors import ReimburseError
from reimburse.identity import auth
from reimburse.identity.org import load_org
from reimburse.identity.records import UserRecord
from reimburse.workapps import crypto
from reimburse.workapps.domain import (
    LABELS,
    CallbackRequest,
    CardClick,
    ChangeKind,
    DirectoryChange,
    Inbound,
    Platform,
    WorkApp,
    WorkAppError,
)
from reimburse.workapps.exceptions import BadCallback, PlatformUnavailable, SignInRefused
from reimburse.workapps.records import WorkAppAccountRecord, WorkAppMessageRecord, WorkAppSeenRecord

log = logging.getLogger(__name__)


def first_time(session: Session, platform: str, kind: str, key: str) -> bool:
    """Record ``key`` as seen; False if it was seen before (a replay, a reused code).

    ``INSERT ... ON CONFLICT DO NOTHING`` rather than a savepoint: it also works on the
    autocommit session of a GET (the OAuth return is one), and two racing requests cannot
    both win."""
    values = {"platform": str(platform), "kind": kind, "key": key[:128], "created_at": utcnow()}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(WorkAppSeenRecord).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(WorkAppSeenRecord.id)).first() is not None


def forget_old_keys(session: Session, now: datetime) -> int:
    """Drop seen keys that can no longer matter (their callbacks are refused as stale anyway)."""
    result = session.execute(
        delete(WorkAppSeenRecord).where(WorkAppSeenRecord.created_at < now - MAX_AGE - timedelta(days=1))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def account_user(session: Session, platform: Platform, platform_user_id: str) -> UserRecord | None:
    return session.scalars(
        select(UserRecord)
        .join(WorkAppAccountRecord, WorkAppAccountRecord.user_id == UserRecord.id)
        .where(
            WorkAppAccountRecord.platform == platform.value,
            WorkAppAccountRecord.platform_user_id == platform_user_id,
        )
    ).first()


# --- sign-in -------------------------------------------------------------------------------------


def sign_in(
    session: Session, app: WorkApp, code: str, redirect_uri: str, now: datetime
) -> tuple[str, UserRecord]:
    """A bearer token for the member behind a one-time OAuth code."""
    if not code:
        raise SignInRefused("the sign-in came back without a code", code="sign_in_no_code")
    if not first_time(session, app.platform, "code", hashlib.sha256(code.encode()).hexdigest()):
        raise SignInRefused("this sign-in code was already used; sign in again", code="sign_in_code_used")
    try:
        platform_user_id = app.user_for_code(code, redirect_uri)
    except WorkAppError as exc:
        if exc.retryable:
            raise PlatformUnavailable(f"{LABELS[app.platform]} cannot be reached; try again") from exc
        raise SignInRefused(
            f"{LABELS[app.platform]} refused the sign-in code", code="sign_in_bad_code"
        ) from exc
    label = LABELS[app.platform]
    if platform_user_id is None:
        raise SignInRefused(f"only members of the company sign in here ({label})", code="not_a_member")
    user = account_user(session, app.platform, platform_user_id)
    if user is None:
        raise SignInRefused(
            f"your {label} account is not in this service's directory; ask an administrator",
            code="not_a_member",
        )
    if not user.active:
        raise SignInRefused("this account is deactivated", code="account_inactive")
    return auth.issue_token(session, user, now), user


# --- callbacks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a callback did: ``changed`` is False for anything refused, stale or replayed."""

    inbound: Inbound
    changed: bool
    text: str
    resync: bool = False
    deactivated: tuple[int, ...] = ()


def open_callback(app: WorkApp, request: CallbackRequest) -> Inbound:
    try:
        return app.open_callback(request)
    except crypto.CallbackRefused as exc:
        raise BadCallback(f"callback refused: {exc}") from exc
    except ValueError as exc:  # a malformed EncodingAESKey in the settings
        raise BadCallback(f"callback refused: {exc}") from exc


# Replays are caught by their key in ``workapp_seen``; keys are kept MAX_AGE + a day, and older
# deliveries are refused outright, so a replay can never outlive its key.
MAX_AGE = timedelta(days=3)


def handle(session: Session, app: WorkApp, inbound: Inbound, now: datetime) -> Outcome:
    if isinstance(inbound, CardClick | DirectoryChange) and inbound.sent_at is not None:
        age = now.timestamp() - inbound.sent_at
        if age > MAX_AGE.total_seconds() or age < -300:
            return Outcome(inbound, False, "stale callback (timestamp out of range): nothing changed")
    if isinstance(inbound, CardClick):
        if not first_time(session, app.platform, "callback", inbound.replay_key):
            return Outcome(inbound, False, "replayed callback: nothing changed")
        return _click(session, app.platform, inbound, now)
    if isinstance(inbound, DirectoryChange):
        if not first_time(session, app.platform, "callback", inbound.replay_key):
            return Outcome(inbound, False, "replayed callback: nothing changed")
        return _directory_change(session, app.platform, inbound)
    return Outcome(inbound, False, "ok")


def _click(session: Session, platform: Platform, click: CardClick, now: datetime) -> Outcome:
    card = session.scalars(
        select(WorkAppMessageRecord).where(
            WorkAppMessageRecord.platform == platform.value, WorkAppMessageRecord.card_key == click.card_key
        )
    ).first()
    if card is None or card.task_key is None:
        return Outcome(click, False, "unknown card: nothing changed")
    if card.platform_user_id != click.user_id:
        return Outcome(click, False, "this card was sent to someone else: nothing changed")
    if card.final is not None:
        return Outcome(click, False, f"this card is closed ({card.final}): nothing changed")
    if click.action not in ("approve", "reject"):
        return Outcome(click, False, f"unknown action {click.action!r}: nothing changed")
    if click.action == "reject" and not click.comment.strip():
        return Outcome(click, False, "a rejection needs a reason: open the claim to reject it")
    user = session.get(UserRecord, card.user_id)
    if user is None or not user.active:
        return Outcome(click, False, "your account is deactivated: nothing changed")
    principal = auth.principal_for(user)
    comment = " ".join(x for x in (f"[{LABELS[platform]}]", click.comment) if x)
    try:
        with session.begin_nested():  # a refusal leaves nothing of the attempt behind
            claim = access.claim_for(session, principal, card.claim_id)
            claims.act(
                session,
                principal,
                claim,
                click.action,
                load_org=load_org,
                now=now,
                comment=comment,
                task_id=card.task_key,
            )
    except ReimburseError as exc:
        if exc.code in ("already_acted", "terminal", "not_assignee", "wrong_state"):
            close_cards(session, card.claim_id)
        return Outcome(click, False, f"not done: {exc.message}")
    close_cards(session, card.claim_id)
    verb = "approved" if click.action == "approve" else "rejected"
    return Outcome(click, True, f"{verb} claim {card.claim_id}")


def close_cards(session: Session, claim_id: int) -> int:
    """Give every open card of a claim whose task is no longer open to its person its final text.

    Runs after any action (from a card or from the web app); the updates go out with the next
    delivery run."""
    from reimburse.claims.records import ClaimRecord
    from reimburse.routing.records import ApprovalTaskRecord, AuditEntryRecord

    cards = session.scalars(
        select(WorkAppMessageRecord).where(
            WorkAppMessageRecord.claim_id == claim_id,
            WorkAppMessageRecord.kind == "card",
            WorkAppMessageRecord.final.is_(None),
        )
    ).all()
    if not cards:
        return 0
    open_tasks: set[tuple[str, int]] = set(
        (key, uid)
        for key, uid in session.execute(
            select(ApprovalTaskRecord.task_key, ApprovalTaskRecord.user_id).where(
                ApprovalTaskRecord.claim_id == claim_id, ApprovalTaskRecord.open.is_(True)
            )
        ).all()
    )
    claim = session.get(ClaimRecord, claim_id)
    closed = 0
    for card in cards:
        if (
            (card.task_key, card.user_id) in open_tasks
            and claim is not None
            and claim.status == ClaimStatus.SUBMITTED
        ):
            continue
        last = session.scalars(
            select(AuditEntryRecord)
            .where(AuditEntryRecord.claim_id == claim_id)
            .order_by(AuditEntryRecord.seq.desc())
        ).first()
        card.final = _final_text(session, last.action if last else "", last.actor if last else "")
        card.final_status = "pending"
        closed += 1
    session.flush()
    return closed


_DONE = {
    "approve": "已同意",
    "reject": "已驳回",
    "return": "已退回",
    "withdraw": "已撤回",
    "transfer": "已转交",
}


def _final_text(session: Session, action: str, actor: str) -> str:
    who = session.get(UserRecord, int(actor)) if actor.isdigit() else None
    done = _DONE.get(action, "已处理")
    return f"{done}（{who.display_name}）" if who is not None else done


def _directory_change(session: Session, platform: Platform, change: DirectoryChange) -> Outcome:
    if change.kind is not ChangeKind.USER_LEFT:
        return Outcome(change, False, "directory changed: a sync follows", resync=True)
    gone: list[int] = []
    for platform_user_id in change.user_ids:
        user = account_user(session, platform, platform_user_id)
        if user is None:
            continue
        deactivate_user(
            session,
            user.id,
            f"{platform.value}:directory",
            utcnow(),
            reason=f"left the {LABELS[platform]} directory",
        )
        gone.append(user.id)
    text = f"deactivated {len(gone)} user(s)" if gone else "no local user for that member"
    return Outcome(change, bool(gone), text, deactivated=tuple(gone))

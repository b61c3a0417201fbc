"""People leaving and coming back: deactivation hands work on, reactivation starts clean.

Used by the admin API and by directory sync: one function each, so both paths do the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.claims import handover
from reimburse.core.errors import NotFound
from reimburse.identity import service as directory_admin
from reimburse.identity.records import AccessTokenRecord, UserRecord


def deactivate_user(
    session: Session, user_id: int, actor: str, now: datetime, reason: str = ""
) -> dict[str, Any]:
    """Deactivate a user: revoke every token they hold, hand their open tasks and planned
    seats on by the admin's rule, and record it on the audit trail. Idempotent."""
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    was_active = user.active
    user.active = False
    # revoked for good: reactivation must never bring an old token (a leaver's laptop) back
    session.execute(
        update(AccessTokenRecord).where(AccessTokenRecord.user_id == user_id).values(revoked=True)
    )
    session.flush()
    result = handover.hand_over(session, user, actor, now)
    trail.record_admin(
        session,
        f"user:{user_id}",
        "user.deactivate",
        actor,
        now,
        {
            "was_active": was_active,
            "reason": reason,
            "handed_over": result["moved"],
            "stranded": result["stranded"],
        },
    )
    return result


def reactivate_user(session: Session, user_id: int, actor: str, now: datetime) -> None:
    """Let a user sign in again (with a new sign-in: old tokens stay revoked)."""
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    was_active = user.active
    user.active = True
    session.flush()
    trail.record_admin(session, f"user:{user_id}", "user.reactivate", actor, now, {"was_active": was_active})


def change_user(
    session: Session, user_id: int, changes: dict[str, Any], actor: str, now: datetime
) -> dict[str, Any]:
    """An admin's edit of a person: the fields, then ``active`` (leaving or coming back)."""
    changes = dict(changes)
    active = changes.pop("active", None)
    user = directory_admin.update_user(session, user_id, changes, actor, now)
    if active is False and user.active:
        deactivate_user(session, user_id, actor, now)
    elif active is True and not user.active:
        reactivate_user(session, user_id, actor, now)
    return directory_admin.admin_user_view(user)

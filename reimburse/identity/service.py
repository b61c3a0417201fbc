"""Changes to people that several domains trigger (the admin, the work-app directory sync)."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.orm import Session

from reimburse.core.errors import NotFound
from reimburse.identity.records import AccessTokenRecord, UserRecord

log = logging.getLogger(__name__)


def deactivate_user(session: Session, user_id: int, *, actor: str, reason: str) -> bool:
    """End a person's access at once: the user is inactive and every bearer token is revoked.

    Returns False when the user was already inactive (tokens are revoked again all the same).
    The caller owns the transaction; API processes that cached the user's tokens refuse them
    once their cache entry expires (``REIMBURSE_AUTH_CACHE_SECONDS``), the calling process
    should clear its cache. Open approval tasks stay where they are (hand-over: issue 13).
    """
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    was_active = user.active
    user.active = False
    session.execute(
        update(AccessTokenRecord)
        .where(AccessTokenRecord.user_id == user_id, AccessTokenRecord.revoked.is_(False))
        .values(revoked=True)
    )
    session.flush()
    log.info("user deactivated", extra={"user_id": user_id, "actor": actor, "reason": reason})
    return was_active

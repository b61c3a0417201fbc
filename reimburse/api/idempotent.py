"""``Idempotency-Key`` for POST routes: a repeat with the same key gets the first answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from reimburse.core import idempotency
from reimburse.core.principal import Principal


def idempotent(
    session: Session,
    principal: Principal,
    scope: str,
    key: str | None,
    payload: Any,
    work: Callable[[], dict[str, Any]],
    status_code: int = 200,
) -> dict[str, Any]:
    """Run ``work`` once per (principal, scope, key); the answer is stored in the same
    transaction as the work, so a crash stores neither."""
    if not key:
        return work()
    fingerprint = idempotency.request_fingerprint(payload)
    stored = idempotency.lookup(session, principal.subject, scope, key, fingerprint)
    if stored is not None:
        body: dict[str, Any] = stored.body
        return body
    body = work()
    idempotency.remember(session, principal.subject, scope, key, fingerprint, status_code, body)
    return body

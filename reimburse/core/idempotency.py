"""Idempotency keys: a repeated request with the same key gets the first answer.

Used by uploads, claim submissions and payroll's "mark paid". The key is unique per
(principal, scope); the stored response is replayed verbatim. A repeat with a different
request body is a conflict, as in Stripe's and the IETF draft's semantics.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow
from reimburse.core.errors import Conflict


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: Any


def request_fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def lookup(session: Session, principal: str, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """The stored answer for this key, or None. A different request under the same key conflicts."""
    rec = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal,
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.key == key,
        )
    ).first()
    if rec is None:
        return None
    if rec.request_hash != fingerprint:
        raise Conflict(
            "Idempotency-Key was already used for a different request", code="idempotency_key_reused"
        )
    return StoredResponse(rec.status_code, json.loads(rec.response_json))


def remember(
    session: Session, principal: str, scope: str, key: str, fingerprint: str, status_code: int, body: Any
) -> None:
    """Store the answer in the caller's transaction, so it commits with the work it describes.

    A concurrent first request with the same key loses the race on the unique constraint and
    sees a conflict instead of doing the work twice.
    """
    rec = IdempotencyRecord(
        principal=principal,
        scope=scope,
        key=key,
        request_hash=fingerprint,
        status_code=status_code,
        response_json=json.dumps(body, default=str),
    )
    try:
        with session.begin_nested():
            session.add(rec)
    except IntegrityError:
        raise Conflict(
            "a request with this Idempotency-Key is in progress", code="idempotency_in_progress"
        ) from None

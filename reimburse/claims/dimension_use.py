"""Whether any claim names a cost centre or project (then it is deactivated, never deleted)."""

from __future__ import annotations

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimItemRecord, ClaimRecord


def is_used(session: Session, dimension: str, code: str) -> bool:
    if dimension == "cost_centre":
        named = select(ClaimRecord.id).where(ClaimRecord.cost_centre == code).limit(1)
        if session.scalars(named).first() is not None:
            return True
    # the splits are JSON: narrow down by text, then read the candidates' shares
    quoted = f'%"{code}"%'
    candidates = session.scalars(
        select(ClaimItemRecord.splits).where(
            ClaimItemRecord.splits.is_not(None), cast(ClaimItemRecord.splits, String).like(quoted)
        )
    )
    return any(
        share.get("dimension") == dimension and share.get("code") == code
        for splits in candidates
        for share in splits or []
    )

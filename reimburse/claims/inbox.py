"""The approver's inbox: open tasks on submitted claims, oldest first, then largest.

Read a page at a time with a keyset position (after the last task shown), so deciding tasks
between pages skips nothing. One statement per page returns plain columns (no ORM objects)
and the size of the whole inbox; the statements are built once per shape and take their
values as bound parameters, since an inbox is read far more often than anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.claims.views import SUMMARY_COLUMNS
from reimburse.routing.records import ApprovalTaskRecord


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the last task's sort key."""

    since: datetime
    total: Decimal
    task_row: int


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row[Any]]  # task_row, task_key, step_name, since and the SUMMARY_COLUMNS
    next: Position | None
    total: int


_SINCE = func.coalesce(ClaimRecord.submitted_at, ApprovalTaskRecord.created_at)


def _waiting(one_claim: bool) -> list[Any]:
    conditions: list[Any] = [
        ApprovalTaskRecord.user_id == bindparam("me"),
        ApprovalTaskRecord.open.is_(True),
        ClaimRecord.status == ClaimStatus.SUBMITTED,
    ]
    if one_claim:
        conditions.append(ClaimRecord.id == bindparam("claim_id"))
    return conditions


@lru_cache(maxsize=8)
def _count(one_claim: bool) -> Select[Any]:
    return select(func.count()).select_from(ApprovalTaskRecord).join(ClaimRecord).where(*_waiting(one_claim))


@lru_cache(maxsize=8)
def _page(one_claim: bool, after: bool) -> Select[Any]:
    query = (
        select(
            ApprovalTaskRecord.id.label("task_row"),
            ApprovalTaskRecord.task_key,
            ApprovalTaskRecord.step_name,
            _SINCE.label("since"),
            _count(one_claim).scalar_subquery().label("inbox_size"),  # uncorrelated: counted once
            *SUMMARY_COLUMNS,
        )
        .join(ClaimRecord, ClaimRecord.id == ApprovalTaskRecord.claim_id)
        .where(*_waiting(one_claim))
        .order_by(_SINCE, ClaimRecord.total.desc(), ApprovalTaskRecord.id)  # oldest, then largest
        .limit(bindparam("rows"))
    )
    if after:
        at = bindparam("at", type_=_SINCE.type)
        amount = bindparam("amount", type_=ClaimRecord.total.type)
        row = bindparam("row", type_=ApprovalTaskRecord.id.type)
        query = query.where(
            or_(
                at < _SINCE,
                and_(at == _SINCE, ClaimRecord.total < amount),
                and_(at == _SINCE, ClaimRecord.total == amount, ApprovalTaskRecord.id > row),
            )
        )
    return query


def inbox_page(
    session: Session, user_id: int, limit: int, after: Position | None = None, claim_id: int | None = None
) -> Page:
    """Up to ``limit`` of ``user_id``'s waiting tasks after ``after``; ``claim_id`` keeps one claim's."""
    params: dict[str, Any] = {"me": user_id, "rows": limit + 1, "claim_id": claim_id}
    if after is not None:
        params |= {"at": after.since, "amount": after.total, "row": after.task_row}
    one_claim = claim_id is not None
    rows = list(session.execute(_page(one_claim, after is not None), params))
    page = rows[:limit]
    last = page[-1] if len(rows) > limit else None
    if page:
        total = int(page[0].inbox_size)
    else:  # past the end (or nothing waits): still say how many wait
        total = int(session.scalar(_count(one_claim), params) or 0) if after is not None else 0
    return Page(
        rows=page,
        next=Position(last.since, last.total, last.task_row) if last is not None else None,
        total=total,
    )

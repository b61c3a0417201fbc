"""The home screen's figures: my claims in flight with where each waits, and what waits for me.

Two statements per screen, whatever the number of claims: the caller's open claims with their
open steps (one outer join) and the inbox's size and sum (one aggregate over the claims that
hold an open task of the caller's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.claims.views import SUMMARY_COLUMNS
from reimburse.identity.records import UserRecord
from reimburse.routing.records import ApprovalTaskRecord

# the claims a submitter still follows: in approval, or returned to them to change
IN_FLIGHT = (ClaimStatus.SUBMITTED, ClaimStatus.RETURNED)


@dataclass(frozen=True, slots=True)
class Step:
    """An open step of a claim: its name, its id in the flow, and who holds it."""

    name: str
    node_id: str
    people: tuple[tuple[int, str], ...]  # (user id, display name), in the order assigned


@dataclass(frozen=True, slots=True)
class InFlight:
    claim: Row[Any]  # the SUMMARY_COLUMNS
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Waiting:
    """What waits for a person: distinct claims, their sum, and since when the oldest waits."""

    count: int
    amount: Decimal
    oldest: datetime | None


def in_flight(session: Session, user_id: int, limit: int) -> list[InFlight]:
    """The caller's latest ``limit`` claims in approval or returned, each with its open steps
    (a returned claim has none: it waits for its submitter)."""
    claims: list[Row[Any]] = list(
        session.execute(
            select(*SUMMARY_COLUMNS)
            .where(ClaimRecord.submitter_id == user_id, ClaimRecord.status.in_(IN_FLIGHT))
            .order_by(ClaimRecord.id.desc())
            .limit(limit)
        )
    )
    if not claims:
        return []
    tasks = session.execute(
        select(
            ApprovalTaskRecord.claim_id,
            ApprovalTaskRecord.task_key,
            ApprovalTaskRecord.step_name,
            ApprovalTaskRecord.assignee_id,
            UserRecord.display_name,
        )
        .outerjoin(UserRecord, UserRecord.id == ApprovalTaskRecord.assignee_id)
        .where(
            ApprovalTaskRecord.claim_id.in_([c.id for c in claims]),
            ApprovalTaskRecord.open.is_(True),
            # one row per person who may act; the assignee's own row names who holds the step
            ApprovalTaskRecord.user_id == ApprovalTaskRecord.assignee_id,
        )
        .order_by(ApprovalTaskRecord.id)
    )
    steps: dict[int, dict[str, tuple[str, list[tuple[int, str]]]]] = {}
    for t in tasks:
        node_id = t.task_key.rpartition(".")[0] or t.task_key  # task ids are "<step>.<n>"
        _, people = steps.setdefault(t.claim_id, {}).setdefault(node_id, (t.step_name, []))
        if all(p[0] != t.assignee_id for p in people):
            people.append((t.assignee_id, t.display_name or str(t.assignee_id)))
    return [
        InFlight(
            claim=c,
            steps=tuple(
                Step(name=name, node_id=node_id, people=tuple(people))
                for node_id, (name, people) in steps.get(c.id, {}).items()
            ),
        )
        for c in claims
    ]


def waiting_for(session: Session, user_id: int) -> Waiting:
    """The claims in approval that hold an open task of ``user_id``'s (their own, or one they
    stand in for), counted once each, with their sum in the company currency."""
    mine = (
        select(ApprovalTaskRecord.claim_id)
        .where(ApprovalTaskRecord.user_id == user_id, ApprovalTaskRecord.open.is_(True))
        .distinct()
        .subquery()
    )
    row = session.execute(
        select(
            func.count(ClaimRecord.id),
            func.coalesce(func.sum(ClaimRecord.total), 0),
            func.min(ClaimRecord.submitted_at),
        ).where(ClaimRecord.id.in_(select(mine.c.claim_id)), ClaimRecord.status == ClaimStatus.SUBMITTED)
    ).one()
    return Waiting(count=int(row[0]), amount=Decimal(row[1]).quantize(Decimal("0.01")), oldest=row[2])

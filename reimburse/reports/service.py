"""Reports for the dashboards: spend over time, budget burn, approval cycle time, findings.

Plain aggregate queries over the stored claims; every result is a list of
``{"period", "key", "value"}`` points (chart series), money as two-decimal strings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetRecord
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.identity.records import DepartmentRecord
from reimburse.routing.records import AuditEntryRecord

SPENT = (ClaimStatus.APPROVED, ClaimStatus.PAID)


def _scoped(query: Any, departments: set[int] | None) -> Any:
    return query if departments is None else query.where(ClaimRecord.department_id.in_(departments))


def spend(session: Session, by: str, departments: set[int] | None) -> list[dict[str, Any]]:
    """Approved and paid spend per month, by department or by category."""
    names = dict(session.execute(select(DepartmentRecord.id, DepartmentRecord.name)).all())
    query = _scoped(
        select(
            ClaimItemRecord.expense_date,
            ClaimItemRecord.category,
            ClaimItemRecord.amount,
            ClaimRecord.department_id,
        )
        .join(ClaimRecord, ClaimRecord.id == ClaimItemRecord.claim_id)
        .where(ClaimRecord.status.in_(SPENT), ClaimRecord.kind == "expense"),  # not advances, estimates
        departments,
    )
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for day, category, amount, dept in session.execute(query):
        key = category if by == "category" else (names.get(dept, str(dept)) if dept is not None else "-")
        totals[(f"{day:%Y-%m}", key)] += amount
    return [{"period": p, "key": k, "value": f"{v:.2f}"} for (p, k), v in sorted(totals.items())]


def budget_burn(session: Session, departments: set[int] | None) -> list[dict[str, Any]]:
    names = dict(session.execute(select(DepartmentRecord.id, DepartmentRecord.name)).all())
    query = select(BudgetRecord)
    if departments is not None:
        query = query.where(BudgetRecord.department_id.in_(departments))
    out = []
    for b in session.scalars(query.order_by(BudgetRecord.period_start, BudgetRecord.department_id)):
        out.append(
            {
                "period": f"{b.period_start:%Y-%m}",
                "key": f"{names.get(b.department_id, b.department_id)} · {b.category}",
                "plan": f"{b.amount:.2f}",
                "committed": f"{b.committed:.2f}",
                "spent": f"{b.spent:.2f}",
                "value": f"{(b.spent + b.committed) / b.amount * 100 if b.amount else 0:.1f}",  # % used
            }
        )
    return out


def cycle_time(session: Session, departments: set[int] | None) -> list[dict[str, Any]]:
    """Hours from a step becoming active to its decision, averaged per step (from the audit trail)."""
    claim_ids = select(ClaimRecord.id)
    if departments is not None:
        claim_ids = claim_ids.where(ClaimRecord.department_id.in_(departments))
    rows = session.scalars(
        select(AuditEntryRecord)
        .where(AuditEntryRecord.claim_id.in_(claim_ids))
        .order_by(AuditEntryRecord.claim_id, AuditEntryRecord.seq)
    )
    waits: dict[str, list[float]] = defaultdict(list)
    started: dict[tuple[int | None, str], datetime] = {}
    for e in rows:
        before = _active(e.state_before)
        after = _active(e.state_after)
        for step in after - before:
            started[(e.claim_id, step)] = e.at
        for step in before - after:
            t0 = started.pop((e.claim_id, step), None)
            if t0 is not None:
                waits[step].append((e.at - t0).total_seconds() / 3600)
    return [
        {"period": "all", "key": step, "value": f"{sum(v) / len(v):.2f}", "count": len(v)}
        for step, v in sorted(waits.items())
    ]


def _active(state: str) -> set[str]:
    _, _, steps = state.partition(":")
    return {s for s in steps.split(",") if s}


def top_findings(session: Session, departments: set[int] | None, limit: int = 10) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for findings in session.scalars(_scoped(select(ClaimRecord.findings), departments)):
        counts.update(f["code"] for f in findings or [])
    return [{"period": "all", "key": code, "value": n} for code, n in counts.most_common(limit)]


def by_state(session: Session, departments: set[int] | None) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter(session.scalars(_scoped(select(ClaimRecord.status), departments)))
    return [{"period": "now", "key": k, "value": v} for k, v in sorted(counts.items())]

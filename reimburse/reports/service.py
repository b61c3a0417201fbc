"""Reports for the dashboards: spend over time, budget burn, approval cycle time per step,
end-to-end cycle time from submission to payment, findings, claims by state.

Plain aggregate queries over the stored claims; every result is a list of
``{"period", "key", "value"}`` points (chart series), money as two-decimal strings. Every
report honours the same :class:`Filters`: a date range, departments (the caller's scope and
the department asked for) and a category. Which date the range applies to depends on the
report (see each function): the expense date for spend, the budget period for budget burn,
the submission for cycle times and findings, the creation for states, the payment for the
end-to-end cycle time.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


@dataclass(frozen=True, slots=True)
class Filters:
    """``departments``: the ids a report may look at (``None``: all), already narrowed to the
    department asked for and its subtree; ``since``/``until``: inclusive days (UTC)."""

    departments: set[int] | None = None
    since: date | None = None
    until: date | None = None
    category: str | None = None


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def _claims(query: Any, f: Filters, column: Any) -> Any:
    """Narrow a query over claims by departments, the date range on ``column``, and category
    (claims with at least one item of it). Expense claims only: advances and pre-approvals are
    requests, not spending."""
    query = query.where(ClaimRecord.kind == "expense")
    if f.departments is not None:
        query = query.where(ClaimRecord.department_id.in_(f.departments))
    if f.since is not None:
        query = query.where(column >= _start(f.since))
    if f.until is not None:
        query = query.where(column < _end(f.until))
    if f.category is not None:
        query = query.where(
            ClaimRecord.id.in_(select(ClaimItemRecord.claim_id).where(ClaimItemRecord.category == f.category))
        )
    return query


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(DepartmentRecord.id, DepartmentRecord.name)).all())


def spend(session: Session, by: str, f: Filters) -> list[dict[str, Any]]:
    """Approved and paid spend per month of the expense date, by department, category, cost
    centre or project (split items count their shares; an item not split on that dimension
    counts on the claim's cost centre, or ``-``)."""
    names = _names(session)
    query = (
        select(
            ClaimItemRecord.expense_date,
            ClaimItemRecord.category,
            ClaimItemRecord.amount,
            ClaimItemRecord.splits,
            ClaimRecord.department_id,
            ClaimRecord.cost_centre,
        )
        .join(ClaimRecord, ClaimRecord.id == ClaimItemRecord.claim_id)
        .where(ClaimRecord.status.in_(SPENT), ClaimRecord.kind == "expense")  # not advances, estimates
    )
    if f.departments is not None:
        query = query.where(ClaimRecord.department_id.in_(f.departments))
    if f.since is not None:
        query = query.where(ClaimItemRecord.expense_date >= f.since)
    if f.until is not None:
        query = query.where(ClaimItemRecord.expense_date <= f.until)
    if f.category is not None:
        query = query.where(ClaimItemRecord.category == f.category)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for day, category, amount, splits, dept, cost_centre in session.execute(query):
        period = f"{day:%Y-%m}"
        if by in ("cost_centre", "project"):
            shares = [s for s in splits or [] if s.get("dimension") == by]
            if shares:
                for share in shares:
                    totals[(period, share["code"])] += Decimal(share["amount"])
                continue
            key = (cost_centre or "-") if by == "cost_centre" else "-"
        elif by == "category":
            key = category
        else:
            key = names.get(dept, str(dept)) if dept is not None else "-"
        totals[(period, key)] += amount
    return [{"period": p, "key": k, "value": f"{v:.2f}"} for (p, k), v in sorted(totals.items())]


def budget_burn(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Budget lines whose period overlaps the range, of the departments and category asked."""
    names = _names(session)
    query = select(BudgetRecord)
    if f.departments is not None:
        query = query.where(BudgetRecord.department_id.in_(f.departments))
    if f.since is not None:
        query = query.where(BudgetRecord.period_end > f.since)  # period_end is exclusive
    if f.until is not None:
        query = query.where(BudgetRecord.period_start <= f.until)
    if f.category is not None:
        query = query.where(BudgetRecord.category == f.category)
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


def cycle_time(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Hours from a step becoming active to its decision, averaged per step (from the audit
    trail), for claims submitted in the range."""
    claim_ids = _claims(select(ClaimRecord.id), f, ClaimRecord.submitted_at)
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


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in (0, 100]): a value that occurred."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def payment_cycle(session: Session, f: Filters) -> list[dict[str, Any]]:
    """End to end, submission to payment: median (``value``) and 90th percentile (``p90``) in
    hours per department, over the claims paid in the range."""
    names = _names(session)
    query = _claims(
        select(ClaimRecord.department_id, ClaimRecord.submitted_at, ClaimRecord.paid_at).where(
            ClaimRecord.status == ClaimStatus.PAID,
            ClaimRecord.submitted_at.is_not(None),
            ClaimRecord.paid_at.is_not(None),
        ),
        f,
        ClaimRecord.paid_at,
    )
    hours: dict[str, list[float]] = defaultdict(list)
    for dept, submitted, paid in session.execute(query):
        key = names.get(dept, str(dept)) if dept is not None else "-"
        hours[key].append((paid - submitted).total_seconds() / 3600)
    return [
        {
            "period": "all",
            "key": key,
            "value": f"{statistics.median(v):.2f}",
            "p90": f"{percentile(v, 90):.2f}",
            "count": len(v),
        }
        for key, v in sorted(hours.items())
    ]


def top_findings(session: Session, f: Filters, limit: int = 10) -> list[dict[str, Any]]:
    """The most frequent findings on claims submitted in the range."""
    counts: Counter[str] = Counter()
    for findings in session.scalars(_claims(select(ClaimRecord.findings), f, ClaimRecord.submitted_at)):
        counts.update(f["code"] for f in findings or [])
    return [{"period": "all", "key": code, "value": n} for code, n in counts.most_common(limit)]


def by_state(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Claims created in the range, counted by their state now (deleted drafts are not claims)."""
    statuses = select(ClaimRecord.status).where(ClaimRecord.status != ClaimStatus.DELETED)
    counts: Counter[str] = Counter(session.scalars(_claims(statuses, f, ClaimRecord.created_at)))
    return [{"period": "now", "key": k, "value": v} for k, v in sorted(counts.items())]


_MONEY_KEYS = frozenset({"plan", "committed", "spent"})


def columns(series: list[dict[str, Any]]) -> list[str]:
    names = ["period", "key", "value"]
    for point in series:
        names.extend(k for k in point if k not in names)
    return names


def to_csv(series: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    names = columns(series)
    writer.writerow(names)
    for point in series:
        writer.writerow(["" if point.get(c) is None else point[c] for c in names])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(series: list[dict[str, Any]], title: str) -> bytes:
    """Numbers as numbers (money, hours, percentages and counts), so that the sheet can add them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    names = columns(series)
    ws.append(names)
    for point in series:
        ws.append([_number(c, point.get(c)) for c in names])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(column: str, value: Any) -> Any:
    if column in ("period", "key") or value is None or isinstance(value, int):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return value

"""Demo budgets and claims on top of the demo company (``reimburse demo``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetRecord
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim
from reimburse.claims.records import ClaimRecord
from reimburse.core.db import utcnow
from reimburse.identity.auth import principal_for
from reimburse.identity.org import load_org
from reimburse.identity.records import DepartmentRecord, UserRecord


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def seed_demo_claims(session: Session) -> dict[str, Any]:
    """Budgets for every department and three claims of the demo salespeople; idempotent."""
    if session.scalars(select(BudgetRecord)).first() is not None:
        return {"created": False}
    today = utcnow().date()
    start, end = _month(today)
    year = (date(today.year, 1, 1), date(today.year + 1, 1, 1))
    for dept in session.scalars(select(DepartmentRecord)):
        for category, amount in (("travel", "20000"), ("meals", "5000"), ("client_entertainment", "8000")):
            session.add(
                BudgetRecord(
                    department_id=dept.id, category=category, period="month",
                    period_start=start, period_end=end, amount=Decimal(amount),
                )
            )  # fmt: skip
        session.add(
            BudgetRecord(
                department_id=dept.id, category="*", period="year",
                period_start=year[0], period_end=year[1], amount=Decimal("300000"),
            )
        )  # fmt: skip
    session.flush()
    people = {u.username: u for u in session.scalars(select(UserRecord))}
    made = []
    # per-diem allowances: the amounts are the policy's rates times the days (city tier, days)
    for who, tier, days, purpose, submit in (
        ("alice", 1, 1, "市内交通补助", True),
        ("alice", 1, 4, "上海客户拜访差旅补助", True),
        ("bob", 2, 3, "杭州展会出差补助", False),
    ):
        actor = principal_for(people[who])
        item = claims.ItemInput(
            category="travel", amount=None, expense_date=today - timedelta(days=2),
            allowance="per_diem", city_tier=tier, days=days,
        )  # fmt: skip
        claim = claims.create_claim(session, actor, claims.ClaimInput(purpose=purpose, items=(item,)))
        if submit:
            claims.submit(session, actor, claim, assess=assess_claim, load_org=load_org, now=utcnow())
        made.append({"id": claim.id, "number": claim.number, "status": claim.status})
    return {
        "created": True,
        "claims": made,
        "claims_total": len(list(session.scalars(select(ClaimRecord.id)))),
    }

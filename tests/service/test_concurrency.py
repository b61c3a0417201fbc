"""Races the database must decide: the same invoice submitted twice at once, and many claims
reserving one budget at once. Runs on SQLite in ``make test`` and on PostgreSQL (row locks)
in ``make test-integration``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetRecord
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim
from reimburse.claims.records import ClaimRecord
from reimburse.core.db import utcnow
from reimburse.core.errors import Conflict
from reimburse.identity.auth import principal_for
from reimburse.identity.org import load_org
from reimburse.identity.records import UserRecord
from reimburse.identity.seed import seed_demo_org
from tests.api_helpers import wipe
from tests.races import race


@pytest.fixture()
def demo(migrated_engine: Engine) -> Iterator[dict[str, Any]]:
    wipe(migrated_engine)
    with Session(migrated_engine) as s:
        seeded = seed_demo_org(s)
        s.commit()
    yield seeded
    wipe(migrated_engine)


def _alice(session: Session) -> Any:
    user = session.scalars(select(UserRecord).where(UserRecord.username == "alice")).one()
    return principal_for(user)


def _submit(engine: Engine, claim_id: int) -> None:
    with Session(engine) as s:
        claim = s.get(ClaimRecord, claim_id)
        assert claim is not None
        claims.submit(s, _alice(s), claim, assess=assess_claim, load_org=load_org, now=utcnow())
        s.commit()


def test_the_same_invoice_submitted_at_once_enters_exactly_one_claim(
    migrated_engine: Engine, demo: Any
) -> None:
    day = date.today() - timedelta(days=2)
    invoice = claims.ExtractedInvoice(
        fields={"invoice_code": "031002300111", "invoice_number": "55667788", "total": "88.00",
                "issue_date": day.isoformat()},
        document_type="vat_electronic_general",
    )  # fmt: skip
    ids = []
    with Session(migrated_engine) as s:
        from reimburse.documents.records import DocumentRecord

        doc = DocumentRecord(
            owner_subject="user:x", sha256="0" * 64, size=1, kind="image", filename="f", status="done"
        )
        s.add(doc)
        s.flush()
        for _ in range(4):
            item = claims.ItemInput(
                category="office", amount=Decimal("88.00"), expense_date=day, document_id=doc.id
            )
            data = claims.ClaimInput(purpose="办公用品", items=(item,))
            ids.append(claims.create_claim(s, _alice(s), data, {(doc.id, 0): invoice}).id)
        s.commit()
    outcomes = race(len(ids), lambda i: _submit(migrated_engine, ids[i]))
    winners = [o for o in outcomes if o is None]
    losers = [o for o in outcomes if o is not None]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, Conflict) and o.code == "duplicate_invoice" for o in losers), losers


def test_concurrent_submissions_reserve_a_budget_without_losing_an_update(
    migrated_engine: Engine, demo: Any
) -> None:
    today = date.today()
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    n = 8
    with Session(migrated_engine) as s:
        s.add(
            BudgetRecord(department_id=demo["departments"]["east"], category="travel", period="month",
                         period_start=start, period_end=end, amount=Decimal("400.00"))
        )  # fmt: skip
        ids = []
        for _ in range(n):
            item = claims.ItemInput(  # a per-diem of one day in a tier-3 city: 100.00, computed
                category="travel", amount=None, expense_date=today, allowance="per_diem", city_tier=3, days=1,
            )  # fmt: skip
            ids.append(claims.create_claim(s, _alice(s), claims.ClaimInput(purpose="出差", items=(item,))).id)
        s.commit()
    outcomes = race(n, lambda i: _submit(migrated_engine, ids[i]))
    assert outcomes == [None] * n
    with Session(migrated_engine) as s:
        budget = s.scalars(select(BudgetRecord)).one()
        reserved_or_spent = budget.committed + budget.spent
        assert reserved_or_spent == Decimal("800.00")  # every reservation counted once: no lost update
        flagged = [
            c for c in s.scalars(select(ClaimRecord)) if any(f["code"] == "over_budget" for f in c.findings)
        ]
        assert len(flagged) == n - 4  # exactly the claims beyond the 400 available

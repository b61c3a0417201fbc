"""`reimburse demo`: a company to click through, seeded once."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reimburse.expenses.demo import seed_demo_claims
from reimburse.expenses.records import BudgetRecord, ClaimRecord
from reimburse.identity.seed import seed_demo_org
from tests.api_helpers import wipe


def test_demo_seeds_budgets_and_claims_once(migrated_engine: Engine) -> None:
    wipe(migrated_engine)
    try:
        with Session(migrated_engine) as s:
            seed_demo_org(s)
            first = seed_demo_claims(s)
            s.commit()
        with Session(migrated_engine) as s:
            assert first["created"] and [c["status"] for c in first["claims"]][2] == "draft"
            assert {c["status"] for c in first["claims"][:2]} <= {"submitted", "approved"}
            assert s.scalar(select(func.count()).select_from(BudgetRecord)) == 4 * 4
            assert seed_demo_claims(s) == {"created": False}
            assert s.scalar(select(func.count()).select_from(ClaimRecord)) == 3
    finally:
        wipe(migrated_engine)

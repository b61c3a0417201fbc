"""Two claims of one person reaching final approval at the same moment must not offset the same
advance twice: the guarded atomic UPDATE lets each take only what is still outstanding. Runs
on SQLite by default and on PostgreSQL (row locks, READ COMMITTED) with the integration env."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.advances.records import AdvanceMovementRecord, AdvanceRecord
from reimburse.claims import borrowing
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim
from reimburse.claims.records import ClaimRecord
from reimburse.core.db import utcnow
from reimburse.identity.auth import principal_for
from reimburse.identity.datakey import DEV_DATA_KEY, DataCipher
from reimburse.identity.org import load_org
from reimburse.identity.records import UserRecord
from reimburse.identity.seed import seed_demo_org
from reimburse.payouts.service import payable
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


def _person(session: Session, username: str) -> Any:
    return principal_for(session.scalars(select(UserRecord).where(UserRecord.username == username)).one())


def _approve(engine: Engine, claim_id: int) -> None:
    with Session(engine) as s:
        claim = s.get(ClaimRecord, claim_id)
        assert claim is not None
        claims.act(s, _person(s, "teamlead"), claim, "approve", load_org=load_org, now=utcnow())
        s.commit()


@pytest.mark.parametrize("n", [2, 4])
def test_claims_approved_at_once_never_offset_the_same_advance_twice(
    migrated_engine: Engine, demo: Any, n: int
) -> None:
    day = date.today() - timedelta(days=1)
    with Session(migrated_engine) as s:
        alice, now = _person(s, "alice"), utcnow()
        request = borrowing.request_advance(
            s, alice, purpose="借款", amount=Decimal("500.00"), load_org=load_org, now=now
        )
        for approver in ("teamlead", "finrev"):
            claims.act(s, _person(s, approver), request, "approve", load_org=load_org, now=now)
        borrowing.pay_advance(s, request, reference="CASH", actor="user:finrev", now=now)
        ids = []
        for _ in range(n):
            # below every cap and limit: the department head's approval is the final one
            # a per-diem of 4 days in a tier-3 city: 400.00, computed
            item = claims.ItemInput(category="travel", amount=None, expense_date=day,
                                    allowance="per_diem", city_tier=3, days=4)  # fmt: skip
            c = claims.create_claim(s, alice, claims.ClaimInput(purpose="出差", items=(item,)))
            claims.submit(s, alice, c, assess=assess_claim, load_org=load_org, now=now)
            assert c.status == "submitted"
            ids.append(c.id)
        s.commit()
    outcomes = race(n, lambda i: _approve(migrated_engine, ids[i]))
    assert outcomes == [None] * n
    with Session(migrated_engine) as s:
        assert s.scalars(select(AdvanceRecord.outstanding)).one() == Decimal("0.00")
        offsets = sorted(s.scalars(select(AdvanceMovementRecord.amount)))
        # 500 advanced: one claim took 400, one the 100 left, the others nothing
        assert offsets == [Decimal("100.00"), Decimal("400.00")]
        statuses = {c.status for c in s.scalars(select(ClaimRecord).where(ClaimRecord.id.in_(ids)))}
        assert statuses == {"approved"}
        rows, _ = payable(s, None, 100, DataCipher(DEV_DATA_KEY))
        assert sorted(r["payable"] for r in rows) == sorted(["0.00", "300.00"] + ["400.00"] * (n - 2))
        assert sum(Decimal(r["advance_offset"]) for r in rows) == Decimal("500.00")

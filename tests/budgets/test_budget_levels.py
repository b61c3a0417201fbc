"""Budgets at every level (issue 13): spend is charged to each line that covers it (category,
department total, the department above); under "block" no line goes below zero, however many
submissions race; whether approval or payment consumes the money is the admin's setting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetRecord
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim
from reimburse.claims.records import ClaimRecord
from reimburse.core.db import utcnow
from reimburse.core.errors import Conflict
from reimburse.core.settings import Settings
from reimburse.identity.auth import principal_for
from reimburse.identity.org import load_org
from reimburse.identity.records import UserRecord
from reimburse.identity.seed import seed_demo_org
from reimburse.policy import service as policies
from tests.api_helpers import demo_api, login, wipe
from tests.audit.helpers import approve_all, new_claim, per_diem, submit
from tests.races import race

TODAY = date.today()
MONTH = TODAY.replace(day=1)
DAY = (TODAY - timedelta(days=1) if TODAY.day > 1 else TODAY).isoformat()


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _budget(client: TestClient, department: int, category: str, period: str, amount: str) -> int:
    start = MONTH if period == "month" else MONTH.replace(month=1)
    body = {"department_id": department, "category": category, "period": period, "start": start.isoformat(),
            "amount": amount}  # fmt: skip
    r = client.post("/api/v1/admin/budgets", headers=login(client, "finrev"), json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _lines(client: TestClient) -> dict[int, dict[str, Any]]:
    rows = client.get("/api/v1/admin/budgets", headers=login(client, "finrev")).json()["items"]
    return {b["id"]: b for b in rows}


def _block(client: TestClient) -> None:
    admin = login(client, "admin")
    text = client.get("/api/v1/admin/policy", headers=admin).json()["text"]
    blocking = text.replace("over_budget: add_approver", "over_budget: block")
    assert blocking != text
    assert client.put("/api/v1/admin/policy", headers=admin, json={"text": blocking}).status_code == 200


def test_spend_moves_the_category_line_the_department_total_and_the_department_above(
    api: tuple[TestClient, dict[str, Any]],
) -> None:
    client, demo = api
    east, sales = demo["departments"]["east"], demo["departments"]["sales"]
    travel = _budget(client, east, "travel", "month", "1000.00")
    total = _budget(client, east, "*", "month", "5000.00")
    above = _budget(client, sales, "*", "year", "20000.00")
    office = _budget(client, east, "office", "month", "800.00")  # another category: untouched
    alice = login(client, "alice")
    claim = new_claim(client, alice, per_diem("300.00", DAY))
    submit(client, alice, claim["id"])
    lines = _lines(client)
    assert [lines[b]["committed"] for b in (travel, total, above, office)] == [
        "300.00",
        "300.00",
        "300.00",
        "0.00",
    ]
    approve_all(client, claim["id"])
    lines = _lines(client)
    assert [lines[b]["spent"] for b in (travel, total, above, office)] == [
        "300.00",
        "300.00",
        "300.00",
        "0.00",
    ]
    assert [lines[b]["committed"] for b in (travel, total, above)] == ["0.00", "0.00", "0.00"]


def test_under_block_no_line_goes_below_zero(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    east = demo["departments"]["east"]
    travel = _budget(client, east, "travel", "month", "1000.00")
    total = _budget(client, east, "*", "month", "500.00")  # the department's whole month
    _block(client)
    alice, bob = login(client, "alice"), login(client, "bob")
    submit(client, alice, new_claim(client, alice, per_diem("400.00", DAY))["id"])
    second = new_claim(client, bob, per_diem("400.00", DAY))
    refused = client.post(f"/api/v1/claims/{second['id']}/submit", headers=bob)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "over_budget", refused.text
    assert "total budget" in refused.json()["error"]["message"]
    lines = _lines(client)
    assert (lines[travel]["available"], lines[total]["available"]) == ("600.00", "100.00")
    assert client.get(f"/api/v1/claims/{second['id']}", headers=bob).json()["status"] == "draft"


def test_payment_consumes_the_budget_when_the_admin_says_so(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    travel = _budget(client, demo["departments"]["east"], "travel", "month", "1000.00")
    admin = login(client, "admin")
    assert client.get("/api/v1/admin/controls", headers=admin).json()["budget_consume_at"] == "approval"
    r = client.put("/api/v1/admin/controls/budget-consumption", headers=admin, json={"at": "payment"})
    assert r.status_code == 200
    alice = login(client, "alice")
    claim = new_claim(client, alice, per_diem("300.00", DAY))
    submit(client, alice, claim["id"])
    approve_all(client, claim["id"])
    assert client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["status"] == "approved"
    line = _lines(client)[travel]
    assert (line["committed"], line["spent"]) == ("300.00", "0.00")  # approved, still only reserved
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    assert client.post(f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={}).status_code == 200
    line = _lines(client)[travel]
    assert (line["committed"], line["spent"], line["available"]) == ("0.00", "300.00", "700.00")


@pytest.fixture()
def demo(migrated_engine: Engine) -> Iterator[dict[str, Any]]:
    wipe(migrated_engine)
    with Session(migrated_engine) as s:
        seeded = seed_demo_org(s)
        s.commit()
    yield seeded
    wipe(migrated_engine)


def test_racing_submissions_under_block_never_overdraw_any_line(migrated_engine: Engine, demo: Any) -> None:
    """Eight claims of 100 at once against a travel line of 1000 and a total line of 400: four get
    through, four are refused, and no line is overdrawn (SQLite's one writer, PostgreSQL's row
    locks)."""
    end = (MONTH + timedelta(days=32)).replace(day=1)
    east = demo["departments"]["east"]
    n = 8
    with Session(migrated_engine) as s:
        text, _ = policies.policy_text(s)
        policies.save_policy(
            s, text.replace("over_budget: add_approver", "over_budget: block"), "test", utcnow()
        )
        for category, amount in (("travel", "1000.00"), ("*", "400.00")):
            s.add(BudgetRecord(department_id=east, category=category, period="month", period_start=MONTH,
                               period_end=end, amount=Decimal(amount)))  # fmt: skip
        alice = principal_for(s.scalars(select(UserRecord).where(UserRecord.username == "alice")).one())
        ids = []
        for _ in range(n):
            # a per-diem of one day in a tier-3 city: 100.00, computed
            item = claims.ItemInput(category="travel", amount=None, expense_date=TODAY,
                                    allowance="per_diem", city_tier=3, days=1)  # fmt: skip
            ids.append(claims.create_claim(s, alice, claims.ClaimInput(purpose="出差", items=(item,))).id)
        s.commit()

    def submit(i: int) -> None:
        with Session(migrated_engine) as s:
            claim = s.get(ClaimRecord, ids[i])
            assert claim is not None
            me = principal_for(s.get(UserRecord, claim.submitter_id))  # type: ignore[arg-type]
            claims.submit(s, me, claim, assess=assess_claim, load_org=load_org, now=utcnow())
            s.commit()

    outcomes = race(n, submit)
    refused = [o for o in outcomes if o is not None]
    assert all(isinstance(o, Conflict) and o.code == "over_budget" for o in refused), refused
    assert len(refused) == n - 4
    with Session(migrated_engine) as s:
        for budget in s.scalars(select(BudgetRecord)):
            assert budget.committed + budget.spent <= budget.amount, budget.category
        total = s.scalars(select(BudgetRecord).where(BudgetRecord.category == "*")).one()
        assert total.committed + total.spent == Decimal("400.00")
        statuses = sorted(c.status for c in s.scalars(select(ClaimRecord)))
        assert statuses.count("draft") == n - 4

"""Pre-approvals (事前申请) through the API: approved on their own flow before the spend, the
budget reserved at pre-approval and passed to the claim that links it (never reserved twice),
spend beyond the estimate plus the policy's tolerance re-opening approval, and every refusal."""

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
from reimburse.core.settings import Settings
from tests.advances.test_advances_api import approve_all
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login

TODAY = date.today()
MONTH = TODAY.replace(day=1)
DAY = max(MONTH, TODAY - timedelta(days=1)).isoformat()


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        client, demo = pair
        finrev = login(client, "finrev")
        body = {"department_id": demo["departments"]["east"], "category": "*", "period": "month",
                "start": MONTH.isoformat(), "amount": "10000.00"}  # fmt: skip
        assert client.post("/api/v1/admin/budgets", headers=finrev, json=body).status_code == 201
        yield pair


def save_policy(client: TestClient, edit: Any) -> None:
    admin = login(client, "admin")
    text = client.get("/api/v1/admin/policy", headers=admin).json()["text"]
    assert edit(text) != text
    saved = client.put("/api/v1/admin/policy", headers=admin, json={"text": edit(text)})
    assert saved.status_code == 200, saved.text


def reserved(engine: Engine) -> Decimal:
    with Session(engine) as s:
        return s.scalars(select(BudgetRecord.committed)).one()


def line(category: str, amount: str) -> dict[str, Any]:
    return {"category": category, "amount": amount, "expense_date": DAY}


def pre_approval(client: TestClient, who: dict[str, str], *lines: dict[str, Any]) -> dict[str, Any]:
    body = {"purpose": "上海客户拜访", "trip_start": DAY, "trip_end": DAY, "lines": list(lines)}
    r = client.post("/api/v1/pre-approvals", headers=who, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def linked_claim(client: TestClient, who: dict[str, str], pre_id: int | None, amount: str) -> Any:
    item = per_diem(amount, DAY)
    body = {"purpose": "上海客户拜访", "items": [item], "pre_approval_id": pre_id}
    return client.post("/api/v1/claims", headers=who, json=body)


def test_the_budget_is_reserved_at_pre_approval_and_passes_to_the_claim(
    api: Any, migrated_engine: Engine
) -> None:
    client, _ = api
    alice = login(client, "alice")
    pre = pre_approval(client, alice, line("travel", "600.00"), line("lodging", "400.00"))
    assert pre["kind"] == "pre_approval" and pre["number"].startswith("SQ") and pre["total"] == "1000.00"
    assert pre["route"]["flow"]["id"] == "pre_approval"
    assert [n["id"] for n in pre["route"]["nodes"]] == ["dept_head"]
    assert reserved(migrated_engine) == Decimal("1000.00")  # reserved before the money is spent
    # not approved yet: a claim cannot link it
    early = linked_claim(client, alice, pre["id"], "900.00")
    assert early.status_code == 422 and early.json()["error"]["code"] == "pre_approval_not_approved"
    assert approve_all(client, pre["id"]) == ["teamlead"]
    assert reserved(migrated_engine) == Decimal("1000.00")  # approval keeps it reserved for the claim
    created = linked_claim(client, alice, pre["id"], "1050.00")  # within 10 % of the estimate
    assert created.status_code == 201, created.text
    assert created.json()["pre_approval_id"] == pre["id"]
    submitted = client.post(f"/api/v1/claims/{created.json()['id']}/submit", headers=alice).json()
    assert reserved(migrated_engine) == Decimal("1050.00")  # the claim's own, not 1000 + 1050
    assert "pre_approval_exceeded" not in [f["code"] for f in submitted["risk"]["findings"]]
    assert [n["id"] for n in submitted["route"]["nodes"]] == ["finance_review", "general_manager"]
    trail = client.get(f"/api/v1/claims/{pre['id']}", headers=alice).json()["timeline"]
    assert [e["action"] for e in trail] == ["submit", "approve", "pre_approval_taken_over"]
    # a second claim cannot use the same pre-approval while the first lives
    again = linked_claim(client, alice, pre["id"], "100.00")
    assert again.status_code == 409 and again.json()["error"]["code"] == "pre_approval_used"


def test_spend_beyond_the_estimate_and_tolerance_reopens_approval(api: Any, migrated_engine: Engine) -> None:
    client, _ = api
    alice = login(client, "alice")
    pre = pre_approval(client, alice, line("travel", "800.00"))
    approve_all(client, pre["id"])
    created = linked_claim(client, alice, pre["id"], "900.00")  # 12.5 % over: more than the 10 % allowed
    submitted = client.post(f"/api/v1/claims/{created.json()['id']}/submit", headers=alice).json()
    found = [f for f in submitted["risk"]["findings"] if f["code"] == "pre_approval_exceeded"]
    assert len(found) == 1 and "880.00" in found[0]["message"] and found[0]["severity"] == "warning"
    assert submitted["risk"]["decision"] == "finance_review"
    # below 1,000 the head alone would approve; the excess brings finance review back in
    assert [n["id"] for n in submitted["route"]["nodes"]] == ["dept_head", "finance_review"]
    assert reserved(migrated_engine) == Decimal("900.00")
    # the policy's tolerance is a setting: at 20 % the same spend passes
    save_policy(
        client, lambda text: text.replace("pre_approval_tolerance: 0.10", "pre_approval_tolerance: 0.20")
    )
    pre2 = pre_approval(client, alice, line("travel", "800.00"))
    approve_all(client, pre2["id"])
    created = linked_claim(client, alice, pre2["id"], "900.00")
    submitted = client.post(f"/api/v1/claims/{created.json()['id']}/submit", headers=alice).json()
    assert "pre_approval_exceeded" not in [f["code"] for f in submitted["risk"]["findings"]]
    assert submitted["risk"]["decision"] == "pass"
    assert [n["id"] for n in submitted["route"]["nodes"]] == ["dept_head"]


def test_only_the_persons_own_approved_pre_approval_is_linked(api: Any) -> None:
    client, _ = api
    alice, bob = login(client, "alice"), login(client, "bob")
    pre = pre_approval(client, alice, line("travel", "300.00"))
    approve_all(client, pre["id"])
    theirs = linked_claim(client, bob, pre["id"], "100.00")
    assert theirs.status_code == 422 and theirs.json()["error"]["code"] == "invalid_pre_approval"
    expense = linked_claim(client, alice, None, "100.00").json()
    not_a_pre = linked_claim(client, alice, expense["id"], "100.00")
    assert not_a_pre.status_code == 422 and not_a_pre.json()["error"]["code"] == "invalid_pre_approval"
    assert linked_claim(client, alice, 2**31, "100.00").status_code == 422
    # a pre-approval's lines are estimates: no invoices, no allowances, at least one
    r = client.post("/api/v1/pre-approvals", headers=alice, json={"purpose": "x", "lines": []})
    assert r.status_code == 422
    bad = {**line("travel", "10.00"), "allowance": "per_diem", "city_tier": 1, "days": 1}
    older = {**line("travel", "10.00"), "no_invoice_kind": "per_diem", "city_tier": 1, "days": 1}
    for estimate in (bad, older):
        r = client.post("/api/v1/pre-approvals", headers=alice, json={"purpose": "x", "lines": [estimate]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_estimate"


def test_a_rejected_pre_approval_releases_its_budget(api: Any, migrated_engine: Engine) -> None:
    client, _ = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    pre = pre_approval(client, alice, line("client_entertainment", "800.00"))
    assert reserved(migrated_engine) == Decimal("800.00")
    r = client.post(f"/api/v1/claims/{pre['id']}/actions", headers=lead, json={"action": "reject"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert reserved(migrated_engine) == Decimal("0.00")
    refused = linked_claim(client, alice, pre["id"], "100.00")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "pre_approval_not_approved"

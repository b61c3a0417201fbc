"""The budget a claim draws on (``GET /claims/{id}/budget``): the figures, and who may see them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests import allowance_items as allowances
from tests.api_helpers import demo_api, login

TODAY = date.today()
MONTH = TODAY.replace(day=1)


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def per_diem(amount: str, day: date = TODAY) -> dict[str, Any]:
    return allowances.per_diem(amount, day.isoformat())  # computed: the basis that comes to it


def mileage(amount: str) -> dict[str, Any]:
    return allowances.mileage(amount, TODAY.isoformat())


def draft(client: TestClient, who: dict[str, str], *items: dict[str, Any]) -> int:
    r = client.post("/api/v1/claims", headers=who, json={"purpose": "拜访客户", "items": list(items)})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def submit(client: TestClient, who: dict[str, str], claim_id: int) -> dict[str, Any]:
    r = client.post(f"/api/v1/claims/{claim_id}/submit", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


def budget(client: TestClient, who: dict[str, str], claim_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/claims/{claim_id}/budget", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


def figures(line: dict[str, Any]) -> tuple[str, ...]:
    keys = ("plan", "used", "reserved", "claim", "left_before", "left_after", "over_by")
    return tuple(line[k] for k in keys)


@pytest.fixture()
def east_budgets(api: tuple[TestClient, dict[str, Any]]) -> dict[str, int]:
    """East sales: travel 1000 this month, everything else 5000 this month."""
    client, demo = api
    finrev = login(client, "finrev")
    ids = {}
    for category, amount in (("travel", "1000.00"), ("*", "5000.00")):
        body = {"department_id": demo["departments"]["east"], "category": category, "period": "month",
                "start": MONTH.isoformat(), "amount": amount}  # fmt: skip
        r = client.post("/api/v1/admin/budgets", headers=finrev, json=body)
        assert r.status_code == 201, r.text
        ids[category] = r.json()["id"]
    return ids


def test_lines_show_plan_used_reserved_and_left_before_and_after(
    api: tuple[TestClient, dict[str, Any]], east_budgets: dict[str, int]
) -> None:
    client, demo = api
    alice, bob, lead = login(client, "alice"), login(client, "bob"), login(client, "teamlead")
    spent = submit(client, bob, draft(client, bob, per_diem("100.00")))
    # nobody-approves is gone from the shipped flow (issue 13): his head approves, 100 spent
    decided = client.post(f"/api/v1/claims/{spent['id']}/actions", headers=lead, json={"action": "approve"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    submit(client, bob, draft(client, bob, per_diem("400.00")))  # in approval: 400 reserved

    mine = draft(client, alice, per_diem("300.00"), mileage("240.00"))
    before = budget(client, alice, mine)  # a draft: nothing of it is in the books yet
    assert before["department"] == {"id": demo["departments"]["east"], "name": "华东销售组"}
    travel, general = before["lines"]
    assert travel["budget_id"] == east_budgets["travel"]
    assert (travel["category"], travel["period"]) == ("travel", "month")
    assert travel["department"] == general["department"] == "华东销售组"  # whose line it is, by name
    assert travel["start"] == MONTH.isoformat() and travel["end"] >= TODAY.isoformat()
    assert figures(travel) == ("1000.00", "100.00", "400.00", "300.00", "500.00", "200.00", "0.00")
    # the department's total line carries every category: bob's 100 spent and 400 reserved on
    # travel, and both of alice's items (issue 13: it used to take only what no category line had)
    assert general["budget_id"] == east_budgets["*"]
    assert figures(general) == ("5000.00", "100.00", "400.00", "540.00", "4500.00", "3960.00", "0.00")
    assert (travel["held"], travel["exceeds"], before["exceeds"]) == (None, False, False)
    assert before["unbudgeted"] == "0.00" and before["over_budget_action"] == "add_approver"

    submit(client, alice, mine)
    # submitted, its 300 is reserved in the books; the figures are still before and after it
    for who in (alice, lead, login(client, "finrev")):
        now = budget(client, who, mine)
        assert [figures(line) for line in now["lines"]] == [figures(travel), figures(general)]
        assert [line["held"] for line in now["lines"]] == ["reserved", "reserved"]

    # bob's approved claim: its 100 is spent; seen from it, alice's 300 and his 400 are reserved
    seen_by_bob = budget(client, bob, int(spent["id"]))["lines"]
    assert len(seen_by_bob) == 2 and [line["held"] for line in seen_by_bob] == ["consumed", "consumed"]
    assert figures(seen_by_bob[0]) == ("1000.00", "0.00", "700.00", "100.00", "300.00", "200.00", "0.00")
    # on the total line alice's 540 (travel and transport) and his 400 are reserved
    assert figures(seen_by_bob[1]) == ("5000.00", "0.00", "940.00", "100.00", "4060.00", "3960.00", "0.00")


def test_a_claim_over_its_line_is_flagged_with_the_amount_over(
    api: tuple[TestClient, dict[str, Any]], east_budgets: dict[str, int]
) -> None:
    client, _ = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    submit(client, alice, draft(client, alice, per_diem("800.00")))
    big = draft(client, alice, per_diem("360.00"), mileage("120.00"))
    view = budget(client, alice, big)
    travel, general = view["lines"]
    assert figures(travel) == ("1000.00", "0.00", "800.00", "360.00", "200.00", "-160.00", "160.00")
    assert travel["exceeds"] is True and general["exceeds"] is False and view["exceeds"] is True
    submit(client, alice, big)  # the default policy reserves anyway and adds an approver
    assert figures(budget(client, lead, big)["lines"][0]) == figures(travel)


def test_items_outside_every_budget_are_reported_unbudgeted(
    api: tuple[TestClient, dict[str, Any]], east_budgets: dict[str, int]
) -> None:
    client, _ = api
    alice = login(client, "alice")
    last_month = MONTH - timedelta(days=1)  # no budget covers that month
    claim_id = draft(client, alice, per_diem("100.00", last_month), per_diem("120.00"))
    view = budget(client, alice, claim_id)
    assert [line["claim"] for line in view["lines"]] == ["120.00", "120.00"]  # travel and the total line
    assert view["unbudgeted"] == "100.00" and view["exceeds"] is False


def test_only_people_who_see_the_claim_see_its_budget(
    api: tuple[TestClient, dict[str, Any]], east_budgets: dict[str, int]
) -> None:
    client, demo = api
    alice = login(client, "alice")
    claim_id = draft(client, alice, per_diem("300.00"))
    submit(client, alice, claim_id)
    for outsider in ("bob", "gm"):  # same team but not the head; another department
        r = client.get(f"/api/v1/claims/{claim_id}/budget", headers=login(client, outsider))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/claims/{claim_id + 999}/budget", headers=alice).status_code == 404
    anonymous = client.get(f"/api/v1/claims/{claim_id}/budget")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}  # a machine: no claims to see
    refused = client.get(f"/api/v1/claims/{claim_id}/budget", headers=payroll)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "missing_scope"

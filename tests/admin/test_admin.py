"""Admins change policy, flows, budgets and the organisation without code; nobody else can."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login

PER_DIEM = per_diem("1500.00", "2026-11-20")  # ten days in a tier-1 city


def _submit(client: Any, who: dict[str, str]) -> dict[str, Any]:
    claim = client.post("/api/v1/claims", headers=who, json={"purpose": "出差", "items": [PER_DIEM]}).json()
    return dict(client.post(f"/api/v1/claims/{claim['id']}/submit", headers=who).json())


def test_a_new_flow_version_applies_to_new_claims_and_running_ones_keep_theirs(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        admin, alice = login(client, "admin"), login(client, "alice")
        before = _submit(client, alice)
        assert [n["id"] for n in before["route"]["nodes"]] == ["finance_review", "general_manager"]
        current = client.get("/api/v1/admin/flows/default", headers=admin).json()
        assert [n["id"] for n in current["diagram"]["nodes"]][:2] == ["dept_head", "finance_review"]
        # conditions read as the flow file spells them, not as Python reprs
        assert current["diagram"]["nodes"][1]["when"] == "(amount_gt=1000 or risk=finance_review)"
        same = client.put("/api/v1/admin/flows", headers=admin, json={"text": current["text"]})
        assert same.status_code == 422 and same.json()["error"]["code"] == "flow_version_exists"
        text = (
            current["text"]
            .replace("version: 2", "version: 3")
            .replace('finance_limit: "1000"', 'finance_limit: "5000"')
        )
        saved = client.put("/api/v1/admin/flows", headers=admin, json={"text": text})
        assert saved.status_code == 200 and saved.json()["version"] == 3
        after = _submit(client, alice)
        assert after["route"]["flow"] == {"id": "default", "version": 3}
        nodes = [n["id"] for n in after["route"]["nodes"]]
        assert "general_manager" not in nodes and nodes[0] == "dept_head"  # 1500 is now below the limit
        running = client.get(f"/api/v1/claims/{before['id']}", headers=alice).json()
        assert running["route"]["flow"]["version"] == 2  # keeps the version it started with
        finrev = login(client, "finrev")
        ok = client.post(f"/api/v1/claims/{before['id']}/actions", headers=finrev, json={"action": "approve"})
        assert ok.status_code == 200
        broken = client.put(
            "/api/v1/admin/flows", headers=admin, json={"text": "id: x\nversion: 1\nnodes: [{}]"}
        )
        assert broken.status_code == 422 and broken.json()["error"]["details"]
        assert client.put("/api/v1/admin/flows", headers=alice, json={"text": text}).status_code == 403
        assert client.get("/api/v1/admin/flows", headers=admin).json()["items"] == [
            {"id": "advance", "versions": [1]},  # the shipped flows of the requests
            {"id": "default", "versions": [1, 2, 3]},
            {"id": "pre_approval", "versions": [1]},
        ]


def test_policy_versions_are_validated_and_used(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        admin, finrev, alice = login(client, "admin"), login(client, "finrev"), login(client, "alice")
        current = client.get("/api/v1/admin/policy", headers=finrev).json()
        assert current["version"] == 0 and "caps" in current["text"]
        bad = client.put("/api/v1/admin/policy", headers=admin, json={"text": "caps: 12"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_policy"
        assert bad.json()["error"]["details"]
        saved = client.put("/api/v1/admin/policy", headers=admin, json={"text": current["text"]})
        assert saved.status_code == 200 and saved.json()["version"] >= 1
        assert (
            client.put("/api/v1/admin/policy", headers=finrev, json={"text": current["text"]}).status_code
            == 403
        )
        assert client.get("/api/v1/admin/policy", headers=alice).status_code == 403


def test_budgets_people_departments_and_delegation(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        admin, finrev, alice = login(client, "admin"), login(client, "finrev"), login(client, "alice")
        east = demo["departments"]["east"]
        budget = {"department_id": east, "category": "meals", "period": "quarter", "start": "2026-10-15"}
        made = client.post("/api/v1/admin/budgets", headers=finrev, json=budget | {"amount": "9000"})
        assert made.status_code == 201
        assert (made.json()["start"], made.json()["end"], made.json()["available"]) == (
            "2026-10-01",
            "2026-12-31",
            "9000.00",
        )
        assert (
            client.post(
                "/api/v1/admin/budgets", headers=alice, json=made.json() | {"start": "2026-10-01"}
            ).status_code
            == 403
        )
        carol = {"username": "carol", "display_name": "王小红", "password": "carol-pass-1"}
        user = client.post("/api/v1/admin/users", headers=admin, json=carol | {"department_id": east})
        assert user.status_code == 201
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "carol", "password": "carol-pass-1"}
            ).status_code
            == 200
        )
        assert (
            client.patch(
                f"/api/v1/admin/users/{user.json()['id']}", headers=admin, json={"active": False}
            ).json()["active"]
            is False
        )
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "carol", "password": "carol-pass-1"}
            ).status_code
            == 401
        )
        hq = demo["departments"]["hq"]
        cycle = client.patch(
            f"/api/v1/admin/departments/{hq}", headers=admin, json={"name": "总经办", "parent_id": east}
        )
        assert cycle.status_code == 422 and cycle.json()["error"]["code"] == "department_cycle"
        assert (
            client.post(
                "/api/v1/admin/users", headers=alice, json=user.json() | {"password": "x" * 9}
            ).status_code
            == 403
        )
        lead_id = demo["users"]["teamlead"]
        mine = {
            "user_id": demo["users"]["alice"],
            "delegate_id": lead_id,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-05",
        }
        assert client.post("/api/v1/admin/delegations", headers=alice, json=mine).status_code == 201
        other = mine | {"user_id": lead_id, "delegate_id": demo["users"]["alice"]}
        assert client.post("/api/v1/admin/delegations", headers=alice, json=other).status_code == 403


def test_over_budget_follows_the_policy_block_or_add_the_finance_director(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        admin, finrev, alice = login(client, "admin"), login(client, "finrev"), login(client, "alice")
        small = {"department_id": demo["departments"]["east"], "category": "travel", "period": "month",
                 "start": "2026-11-01", "amount": "100.00"}  # fmt: skip
        assert client.post("/api/v1/admin/budgets", headers=finrev, json=small).status_code == 201
        added = _submit(client, alice)  # default policy: add an approver
        assert "finance_director" in [n["id"] for n in added["route"]["nodes"]]
        text = client.get("/api/v1/admin/policy", headers=admin).json()["text"]
        assert "over_budget: add_approver" in text
        blocking = text.replace("over_budget: add_approver", "over_budget: block")
        assert client.put("/api/v1/admin/policy", headers=admin, json={"text": blocking}).status_code == 200
        claim = client.post(
            "/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [PER_DIEM]}
        ).json()
        refused = client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "over_budget"
        assert client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["status"] == "draft"
        budget = client.get("/api/v1/admin/budgets", headers=finrev).json()["items"][0]
        assert budget["committed"] == "1500.00"  # only the first claim's reservation

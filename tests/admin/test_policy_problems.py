"""An admin's bad policy edit is refused with every problem at its path (the pydantic document)."""

from __future__ import annotations

import yaml
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from reimburse.policy.defaults import default_policy_text
from tests.api_helpers import demo_api, login


def test_a_bad_policy_edit_lists_each_problem_with_its_path(
    migrated_engine: Engine, settings: Settings
) -> None:
    doc = yaml.safe_load(default_policy_text())
    doc["caps"]["taxi_per_trip"] = -5
    doc["caps"]["taxi"] = 100
    doc["invoice"]["individual_buyer_categories"] = ["travel", "trains"]
    doc["risk"]["review_at"] = "high"
    with demo_api(migrated_engine, settings) as (client, _):
        admin = login(client, "admin")
        before = client.get("/api/v1/admin/policy", headers=admin).json()
        bad = client.put("/api/v1/admin/policy", headers=admin, json={"text": yaml.safe_dump(doc)})
        assert bad.status_code == 422
        error = bad.json()["error"]
        assert error["code"] == "invalid_policy"
        assert sorted(error["details"]) == [
            "caps.taxi_per_trip: must not be negative",
            "caps: unknown keys ['taxi'] (known: ['entertainment_per_person', 'lodging_per_night', "
            "'meals_per_person_per_day', 'mileage_per_item', 'per_diem_per_day', 'severity', "
            "'taxi_per_trip'])",
            "invoice.individual_buyer_categories: 'trains' is not one of "
            "['travel', 'lodging', 'meals', 'transport', 'office', 'client_entertainment', 'other']",
            "risk.review_at: must be a whole number, not 'high'",
        ]
        assert client.get("/api/v1/admin/policy", headers=admin).json() == before  # nothing half-applied

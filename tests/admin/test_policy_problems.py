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
        assert sorted(p["message"] for p in error["details"]["problems"]) == [
            "caps.taxi_per_trip: must not be negative",
            "caps: unknown keys ['taxi'] (known: ['entertainment_per_person', 'lodging_per_night', "
            "'meals_per_person_per_day', 'mileage_per_item', 'per_diem_per_day', 'severity', "
            "'taxi_per_trip'])",
            "invoice.individual_buyer_categories: 'trains' is not one of "
            "['travel', 'lodging', 'meals', 'transport', 'office', 'client_entertainment', 'other']",
            "risk.review_at: must be a whole number, not 'high'",
        ]
        assert client.get("/api/v1/admin/policy", headers=admin).json() == before  # nothing half-applied
        # the web app words each problem from its code and params; the message stays for API clients
        coded = sorted((p["path"], p["code"], p["params"]) for p in error["details"]["problems"])
        assert coded == [
            ("caps", "unknown_keys", {"keys": "taxi", "known": KNOWN_CAPS}),
            ("caps.taxi_per_trip", "negative", {}),
            (
                "invoice.individual_buyer_categories",
                "not_one_of",
                {
                    "got": "trains",
                    "allowed": "travel, lodging, meals, transport, office, client_entertainment, other",
                },
            ),
            ("risk.review_at", "not_whole", {"got": "'high'"}),
        ]


KNOWN_CAPS = (
    "entertainment_per_person, lodging_per_night, meals_per_person_per_day, mileage_per_item, "
    "per_diem_per_day, severity, taxi_per_trip"
)


def test_a_bad_flow_lists_each_problem_with_its_code(migrated_engine: Engine, settings: Settings) -> None:
    text = (
        "id: default\nversion: 99\nnodes:\n"
        "  - {id: a, kind: single, approvers: [{type: role}]}\n"
        "  - {id: b, kind: countersgin, approvers: [{type: dept_head}], sla: {remind_after_hours: 0}}\n"
    )
    with demo_api(migrated_engine, settings) as (client, _):
        admin = login(client, "admin")
        bad = client.put("/api/v1/admin/flows", headers=admin, json={"text": text})
        assert bad.status_code == 422
        error = bad.json()["error"]
        assert error["code"] == "invalid_flow"
        sent = sorted((p["path"], p["code"], p["params"]) for p in error["details"]["problems"])
        assert sent == [
            ("nodes[0].approvers[0]", "role_needs_role", {}),
            ("nodes[1].kind", "enum", {"expected": "single, countersign, orsign, sequential, cc, parallel"}),
            ("nodes[1].sla.remind_after_hours", "greater_than", {"gt": "0"}),
        ]
        assert all(p["message"].startswith(f"{p['path']}: ") for p in error["details"]["problems"])
        broken = client.put("/api/v1/admin/flows", headers=admin, json={"text": "id: [x"})
        (problem,) = broken.json()["error"]["details"]["problems"]
        assert (problem["path"], problem["code"], problem["params"]) == (
            "(document)",
            "not_yaml",
            {"line": "1", "column": "7"},
        )


def test_request_validation_sends_codes_and_params(migrated_engine: Engine, settings: Settings) -> None:
    """FastAPI's 422: each field's problem as pydantic's error type with the figures its wording
    needs, at the field's path without the "body" part; loc, msg and type as FastAPI has them."""
    with demo_api(migrated_engine, settings) as (client, _):
        admin = login(client, "admin")
        bad = client.post(
            "/api/v1/admin/users",
            headers=admin,
            json={"username": "x", "display_name": "", "password": "short", "rank": 5000, "roles": "admin"},
        )
        assert bad.status_code == 422
        error = bad.json()["error"]
        assert error["code"] == "invalid_request"
        sent = {p["path"]: (p["code"], p["params"]) for p in error["details"]}
        assert sent == {
            "username": ("string_too_short", {"min_length": "2"}),
            "display_name": ("string_too_short", {"min_length": "1"}),
            "password": ("string_too_short", {"min_length": "8"}),
            "rank": ("less_than_equal", {"le": "1000"}),
            "roles": ("list_type", {}),
        }
        first = error["details"][0]
        assert first["loc"] == ["body", "username"] and first["type"] == "string_too_short" and first["msg"]
        missing = client.put("/api/v1/admin/policy", headers=admin, json={})
        assert [(p["path"], p["code"]) for p in missing.json()["error"]["details"]] == [("text", "missing")]
        pattern = client.post(
            "/api/v1/admin/users",
            headers=admin,
            json={"username": "no spaces", "display_name": "x", "password": "long-enough-1"},
        )
        assert [(p["path"], p["code"]) for p in pattern.json()["error"]["details"]] == [
            ("username", "string_pattern_mismatch")
        ]

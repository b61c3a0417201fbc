"""A claim's type selects its flow: admins map types to stored flows; unknown types are 422;
the company's rule stays the default flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import act, per_diem

TRAVEL_FLOW = """
id: travel
version: 1
name: 差旅审批
nodes:
  - id: finance_review
    name: 财务初审
    kind: orsign
    approvers:
      - type: role
        role: finance_reviewer
    if_empty: fail
  - id: general_manager
    name: 总经理审批
    kind: single
    approvers:
      - type: role
        role: general_manager
    if_empty: fail
"""


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _submit(client: TestClient, who: dict[str, str], amount: str, claim_type: str | None = None) -> Any:
    body: dict[str, Any] = {"purpose": "出差", "items": [per_diem(amount)]}
    if claim_type is not None:
        body["claim_type"] = claim_type
    made = client.post("/api/v1/claims", headers=who, json=body)
    assert made.status_code == 201, made.text
    return client.post(f"/api/v1/claims/{made.json()['id']}/submit", headers=who)


def _route(answer: Any) -> tuple[str, list[str]]:
    assert answer.status_code == 200, answer.text
    route = answer.json()["route"]
    return route["flow"]["id"], [n["id"] for n in route["nodes"]]


def _company_small(answer: Any) -> bool:
    """The default flow's way for an amount up to 1,000: the department head first, no GM (the
    risk rules may add finance pre-review after, e.g. when a day's per-diem cap is crossed)."""
    flow, nodes = _route(answer)
    return flow == "default" and nodes[0] == "dept_head" and "general_manager" not in nodes


def test_every_type_runs_the_company_rule_until_an_admin_maps_it(api: Any) -> None:
    client, _ = api
    alice = login(client, "alice")
    assert client.get("/api/v1/claim-types", headers=alice).json()["types"] == {
        "entertainment": "default",
        "expense": "default",
        "travel": "default",
    }
    assert _company_small(_submit(client, alice, "300.00"))
    assert _route(_submit(client, alice, "1500.00", "travel")) == (
        "default",
        ["finance_review", "general_manager"],
    )
    refused = client.post(
        "/api/v1/claims",
        headers=alice,
        json={"purpose": "x", "claim_type": "party", "items": [per_diem("100.00")]},
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_claim_type"


def test_the_mapped_flow_routes_the_claim_and_the_mapping_is_checked(
    api: Any, migrated_engine: Engine
) -> None:
    client, _ = api
    admin, alice, finrev = login(client, "admin"), login(client, "alice"), login(client, "finrev")
    assert client.put("/api/v1/admin/flows", headers=admin, json={"text": TRAVEL_FLOW}).status_code == 200
    mapping = {"expense": "default", "travel": "travel", "entertainment": "default"}
    assert client.put("/api/v1/admin/claim-types", headers=alice, json={"types": mapping}).status_code == 403
    unknown = client.put(
        "/api/v1/admin/claim-types", headers=admin, json={"types": {**mapping, "travel": "nope"}}
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_flow"
    no_default = client.put("/api/v1/admin/claim-types", headers=admin, json={"types": {"travel": "travel"}})
    assert no_default.status_code == 422 and no_default.json()["error"]["code"] == "claim_type_required"
    bad_name = client.put(
        "/api/v1/admin/claim-types", headers=admin, json={"types": {**mapping, "Bad Type": "default"}}
    )
    assert bad_name.status_code == 422
    saved = client.put("/api/v1/admin/claim-types", headers=admin, json={"types": mapping})
    assert saved.status_code == 200 and saved.json()["types"]["travel"] == "travel"
    # a small travel claim goes the travel flow's way; an expense of the same size the company's
    travel = _submit(client, alice, "300.00", "travel")
    assert _route(travel) == ("travel", ["finance_review", "general_manager"])
    assert travel.json()["claim_type"] == "travel"
    assert _company_small(_submit(client, alice, "300.00"))
    assert _company_small(_submit(client, alice, "300.00", "entertainment"))
    # returned, the claim changes type: it is routed again on the new type's flow
    claim = travel.json()
    returned = act(client, finrev, claim["id"], "return", comment="请改为日常报销")
    assert returned.status_code == 200, returned.text
    edit = {
        "purpose": "出差",
        "claim_type": "expense",
        "items": [per_diem("300.00")],
        "version": returned.json()["version"],
    }
    edited = client.patch(f"/api/v1/claims/{claim['id']}", headers=alice, json=edit)
    assert edited.status_code == 200, edited.text
    again = client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
    assert _company_small(again)
    # a type no longer mapped cannot be chosen for a new claim
    del mapping["entertainment"]
    assert client.put("/api/v1/admin/claim-types", headers=admin, json={"types": mapping}).status_code == 200
    gone = client.post(
        "/api/v1/claims", headers=alice,
        json={"purpose": "x", "claim_type": "entertainment", "items": [per_diem("100.00")]},
    )  # fmt: skip
    assert gone.status_code == 422 and gone.json()["error"]["code"] == "unknown_claim_type"

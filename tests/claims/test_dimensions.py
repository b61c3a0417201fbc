"""Cost centres and projects as admin-managed master data, and items split across them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests import allowance_items as allowances
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import TODAY_ISH, approve_all, per_diem


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _master_data(client: TestClient) -> dict[str, int]:
    admin = login(client, "admin")
    ids = {}
    for kind, code, name in (
        ("cost-centres", "CC-EAST", "华东市场"),
        ("cost-centres", "CC-WEST", "华西市场"),
        ("projects", "P-ALPHA", "阿尔法项目"),
        ("projects", "P-BETA", "贝塔项目"),
    ):
        r = client.post(f"/api/v1/admin/{kind}", headers=admin, json={"code": code, "name": name})
        assert r.status_code == 201, r.text
        ids[code] = r.json()["id"]
    return ids


def _claim(
    client: TestClient, who: dict[str, str], amount: str, splits: list[dict[str, Any]], **extra: Any
) -> Any:
    # an allowance computed to ``amount``: a per-diem, or mileage for a figure no per-diem reaches
    try:
        item = {**per_diem(amount), "splits": splits}
    except ValueError:
        item = {**allowances.mileage(amount, TODAY_ISH), "splits": splits}
    return client.post("/api/v1/claims", headers=who, json={"purpose": "市场活动", "items": [item], **extra})


def test_admins_keep_the_master_data_and_everyone_reads_the_active_codes(api: Any) -> None:
    client, _ = api
    ids = _master_data(client)
    admin, alice = login(client, "admin"), login(client, "alice")
    assert [p["code"] for p in client.get("/api/v1/projects", headers=alice).json()["items"]] == [
        "P-ALPHA",
        "P-BETA",
    ]
    # only admins change it; codes are unique and well-formed
    assert (
        client.post("/api/v1/admin/projects", headers=alice, json={"code": "X", "name": "x"}).status_code
        == 403
    )
    dup = client.post("/api/v1/admin/projects", headers=admin, json={"code": "P-ALPHA", "name": "again"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "project_exists"
    bad = client.post("/api/v1/admin/cost-centres", headers=admin, json={"code": "华东 市场", "name": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_code"
    renamed = client.patch(
        f"/api/v1/admin/projects/{ids['P-BETA']}", headers=admin, json={"name": "贝塔二期"}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "贝塔二期"
    assert client.patch("/api/v1/admin/projects/99999", headers=admin, json={"name": "x"}).status_code == 404
    # an unused code is deleted for good
    gone = client.delete(f"/api/v1/admin/projects/{ids['P-BETA']}", headers=admin)
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert [p["code"] for p in client.get("/api/v1/projects", headers=alice).json()["items"]] == ["P-ALPHA"]


def test_an_item_split_by_percent_and_by_amount_is_stored_with_its_amounts(api: Any) -> None:
    client, _ = api
    _master_data(client)
    alice = login(client, "alice")
    made = _claim(
        client,
        alice,
        "100.08",  # 83.4 km
        [
            {"dimension": "project", "code": "P-ALPHA", "percent": "33.33"},
            {"dimension": "project", "code": "P-BETA", "percent": "66.67"},
            {"dimension": "cost_centre", "code": "CC-EAST", "amount": "60.01"},
            {"dimension": "cost_centre", "code": "CC-WEST", "amount": "40.07"},
        ],
        cost_centre="CC-EAST",
    )
    assert made.status_code == 201, made.text
    splits = made.json()["items"][0]["splits"]
    assert [(s["dimension"], s["code"], s["amount"], s["percent"]) for s in splits] == [
        ("project", "P-ALPHA", "33.36", "33.33"),
        ("project", "P-BETA", "66.72", "66.67"),  # the last share takes the remainder
        ("cost_centre", "CC-EAST", "60.01", None),
        ("cost_centre", "CC-WEST", "40.07", None),
    ]


@pytest.mark.parametrize(
    ("splits", "extra", "code"),
    [
        ([{"dimension": "project", "code": "随便写的项目", "percent": "100"}], {}, "unknown_project"),
        ([], {"cost_centre": "free text"}, "unknown_cost_centre"),
        (
            [{"dimension": "project", "code": "P-ALPHA", "percent": "60"},
             {"dimension": "project", "code": "P-BETA", "percent": "30"}],
            {},
            "split_percent_not_100",
        ),
        (
            [{"dimension": "cost_centre", "code": "CC-EAST", "amount": "60.00"},
             {"dimension": "cost_centre", "code": "CC-WEST", "amount": "30.00"}],
            {},
            "split_amounts_mismatch",
        ),
        (
            [{"dimension": "project", "code": "P-ALPHA", "percent": "100", "amount": "100.00"}],
            {},
            "split_share_invalid",
        ),
    ],
)  # fmt: skip
def test_free_text_and_splits_that_do_not_add_up_are_refused(
    api: Any, splits: list[dict[str, Any]], extra: dict[str, Any], code: str
) -> None:
    client, _ = api
    _master_data(client)
    alice = login(client, "alice")
    refused = _claim(client, alice, "100.00", splits, **extra)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == code


def test_a_used_code_is_deactivated_not_deleted_and_cannot_be_chosen_again(api: Any) -> None:
    client, demo = api
    ids = _master_data(client)
    admin, alice = login(client, "admin"), login(client, "alice")
    split = [{"dimension": "project", "code": "P-ALPHA", "percent": "100"}]
    claim = _claim(client, alice, "300.00", split).json()
    kept = client.delete(f"/api/v1/admin/projects/{ids['P-ALPHA']}", headers=admin)
    assert kept.status_code == 200 and kept.json()["deleted"] is False and kept.json()["active"] is False
    assert [p["code"] for p in client.get("/api/v1/projects", headers=alice).json()["items"]] == ["P-BETA"]
    everything = client.get("/api/v1/projects?include_inactive=true", headers=admin).json()["items"]
    assert [(p["code"], p["active"]) for p in everything] == [("P-ALPHA", False), ("P-BETA", True)]
    # an employee asking for the inactive ones still gets the active ones only
    asked = client.get("/api/v1/projects?include_inactive=true", headers=alice).json()["items"]
    assert [p["code"] for p in asked] == ["P-BETA"]
    again = _claim(client, alice, "300.00", split)
    assert again.status_code == 422 and again.json()["error"]["code"] == "unknown_project"
    # the claim that names it keeps it, and may still be edited with it
    edit = {
        "purpose": "市场活动（改）",
        "items": [{**per_diem("300.00"), "splits": split}],
        "version": claim["version"],
    }
    edited = client.patch(f"/api/v1/claims/{claim['id']}", headers=alice, json=edit)
    assert edited.status_code == 200, edited.text
    # a cost centre that a claim names (not split) is also kept
    client.post(
        "/api/v1/claims",
        headers=alice,
        json={"purpose": "x", "cost_centre": "CC-WEST", "items": [per_diem("100.00")]},
    )
    west = client.delete(f"/api/v1/admin/cost-centres/{ids['CC-WEST']}", headers=admin).json()
    assert west["deleted"] is False and west["active"] is False
    # reactivated, it can be chosen again
    client.patch(f"/api/v1/admin/projects/{ids['P-ALPHA']}", headers=admin, json={"active": True})
    assert _claim(client, alice, "300.00", split).status_code == 201
    assert demo  # the demo org is there


def test_the_payout_export_and_the_spend_report_show_the_split(api: Any) -> None:
    client, demo = api
    _master_data(client)
    alice, finrev = login(client, "alice"), login(client, "finrev")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    split = [
        {"dimension": "project", "code": "P-ALPHA", "percent": "60"},
        {"dimension": "project", "code": "P-BETA", "percent": "40"},
    ]
    claim = _claim(client, alice, "500.00", split).json()
    client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
    approve_all(client, claim["id"])
    row = client.get("/api/v1/payouts", headers=payroll).json()["items"][0]
    assert row["splits"] == [
        {"dimension": "project", "code": "P-ALPHA", "amount": "300.00"},
        {"dimension": "project", "code": "P-BETA", "amount": "200.00"},
    ]
    exported = client.get("/api/v1/payouts/export.csv", headers=payroll).content.decode("utf-8-sig")
    assert "project:P-ALPHA=300.00; project:P-BETA=200.00" in exported
    by_project = client.get("/api/v1/reports/spend?by=project", headers=finrev).json()["series"]
    assert {(p["key"], p["value"]) for p in by_project} == {("P-ALPHA", "300.00"), ("P-BETA", "200.00")}
    by_cc = client.get("/api/v1/reports/spend?by=cost_centre", headers=finrev).json()["series"]
    assert {(p["key"], p["value"]) for p in by_cc} == {("-", "500.00")}  # not split by cost centre

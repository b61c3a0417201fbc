"""The OpenAPI document describes the response bodies, and the description is true.

The models of ``reimburse.api.schemas`` feed ``/openapi.json`` only; the routes build plain
dicts. So the document is checked twice: each documented route names its model, and the
real answers of the real API validate against those models (strictly, ``extra="forbid"``),
so a field added to a view but not to its schema, or a listed field the view lacks, fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from reimburse.api import schemas as s
from reimburse.api.app import create_app
from reimburse.core.settings import Settings
from reimburse.documents import runtime, service
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import TODAY_ISH, approve_all, invoice_png, per_diem

# (path, method) -> (success status, body model, error statuses answered in the ErrorBody shape)
DOCUMENTED: dict[tuple[str, str], tuple[int, type[BaseModel], tuple[int, ...]]] = {
    ("/api/v1/auth/login", "post"): (200, s.Login, (401, 422)),
    ("/api/v1/auth/session", "post"): (200, s.WebSession, (401, 403, 422)),
    ("/api/v1/me", "get"): (200, s.Me, (401, 404)),
    ("/api/v1/people", "get"): (200, s.PeoplePage, (401,)),
    ("/api/v1/departments", "get"): (200, s.DepartmentList, (401,)),
    ("/api/v1/documents", "post"): (202, s.DocumentUpload, (401, 409, 413, 422, 503)),
    ("/api/v1/documents", "get"): (200, s.DocumentList, (401, 422)),
    ("/api/v1/documents/{document_id}", "get"): (200, s.Document, (401, 404, 422)),
    ("/api/v1/claims", "post"): (201, s.Claim, (401, 403, 422)),
    ("/api/v1/claims", "get"): (200, s.ClaimsPage, (401, 422)),
    ("/api/v1/claims/{claim_id}", "get"): (200, s.Claim, (401, 404, 422)),
    ("/api/v1/claims/{claim_id}", "patch"): (200, s.Claim, (401, 403, 404, 409, 422)),
    ("/api/v1/claims/{claim_id}/check", "post"): (200, s.ClaimCheck, (401, 404, 422)),
    ("/api/v1/claims/{claim_id}/submit", "post"): (200, s.Claim, (401, 403, 404, 409, 422)),
    ("/api/v1/claims/{claim_id}/withdraw", "post"): (200, s.Claim, (401, 403, 404, 409, 422)),
    ("/api/v1/claims/{claim_id}/actions", "post"): (200, s.Claim, (401, 403, 404, 409, 422)),
    ("/api/v1/claims/{claim_id}/budget", "get"): (200, s.ClaimBudget, (401, 404, 422)),
    ("/api/v1/inbox", "get"): (200, s.InboxPage, (401, 422)),
    ("/api/v1/payouts", "get"): (200, s.PayoutsPage, (401, 403, 422)),
    ("/api/v1/payouts/{claim_id}/paid", "post"): (200, s.Paid, (401, 403, 404, 409, 422)),
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = Settings(environment="test", data_dir=tmp_path_factory.mktemp("openapi"))
    with TestClient(create_app(settings)) as client:
        r = client.get("/openapi.json")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


@pytest.mark.parametrize(("path", "method"), list(DOCUMENTED))
def test_each_documented_route_names_its_body_and_error_models(
    openapi: dict[str, Any], path: str, method: str
) -> None:
    status, model, errors = DOCUMENTED[(path, method)]
    responses = openapi["paths"][path][method]["responses"]
    assert responses[str(status)]["content"]["application/json"]["schema"] == _ref(model)
    for code in errors:
        assert responses[str(code)]["content"]["application/json"]["schema"] == _ref(s.ErrorBody), code
    # the app's 422 is the one error shape, not FastAPI's HTTPValidationError
    if "422" in responses:
        assert responses["422"]["content"]["application/json"]["schema"] == _ref(s.ErrorBody)


def test_the_components_are_the_models(openapi: dict[str, Any]) -> None:
    components = openapi["components"]["schemas"]
    for _, model, _ in DOCUMENTED.values():
        component = components[model.__name__]
        expected = model.model_json_schema(mode="serialization")
        assert set(component.get("properties", {})) == set(expected.get("properties", {})), model.__name__
        assert component.get("required") == expected.get("required"), model.__name__
    assert components["Claim"]["additionalProperties"] is False
    assert components["ErrorBody"]["required"] == ["error"]
    assert components["ErrorDetail"]["required"] == ["code", "message"]  # details only when there are


def test_the_logout_answer_stays_bodiless(openapi: dict[str, Any]) -> None:
    responses = openapi["paths"]["/api/v1/auth/logout"]["post"]["responses"]
    assert "content" not in responses["204"]


# --- the real answers ----------------------------------------------------------------------


def valid(model: type[BaseModel], r: Response, status: int = 200) -> dict[str, Any]:
    """The answer's JSON, after it validated strictly against its documented model."""
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    model.model_validate(body, strict=True)
    return body


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def test_the_schema_refuses_what_the_code_does_not_return() -> None:
    """The check below has teeth: an unlisted field and a missing required one both fail."""
    good = {
        "claim_id": 1,
        "number": "BX1",
        "status": "paid",
        "paid_at": None,
        "reference": None,
        "paid_by": None,
    }
    s.Paid.model_validate(good, strict=True)
    with pytest.raises(ValueError, match="extra"):
        s.Paid.model_validate({**good, "surprise": 1}, strict=True)
    with pytest.raises(ValueError, match="missing"):
        s.Paid.model_validate({k: v for k, v in good.items() if k != "reference"}, strict=True)
    with pytest.raises(ValueError, match="pattern"):
        s.Payout.model_validate(
            {"claim_id": 1, "number": None, "employee_number": None, "payee_id": 1, "payee": "a",
             "bank_name": None, "bank_branch": None, "bank_account": None, "department": None,
             "purpose": "p", "total": "12.5", "currency": "CNY", "approved_at": None, "splits": []},
            strict=True,
        )  # fmt: skip


def test_the_real_answers_match_their_documented_models(
    api: Any, migrated_engine: Engine, settings: Settings
) -> None:
    client, demo = api
    r = client.post("/api/v1/auth/login", json={"username": "alice", "password": "demo-pass-123"})
    alice = {"Authorization": f"Bearer {valid(s.Login, r)['token']}"}
    with TestClient(client.app) as browser:
        r = browser.post("/api/v1/auth/session", json={"username": "alice", "password": "demo-pass-123"})
        assert "token" not in valid(s.WebSession, r)
    lead = login(client, "teamlead")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    valid(s.Me, client.get("/api/v1/me", headers=alice))
    valid(s.Me, client.get("/api/v1/me", headers=payroll))
    assert valid(s.PeoplePage, client.get("/api/v1/people", headers=alice))["items"]
    assert valid(s.DepartmentList, client.get("/api/v1/departments", headers=alice))["items"]

    # documents: the upload answer, then the document once read
    up = client.post(
        "/api/v1/documents", headers=alice, files=[("files", ("f.png", invoice_png(), "image/png"))]
    )
    doc_id = valid(s.DocumentUpload, up, 202)["documents"][0]["id"]
    queued = valid(s.Document, client.get(f"/api/v1/documents/{doc_id}", headers=alice))
    assert queued["results"] == [] and queued["processed_at"] is None
    service.process(migrated_engine, runtime.store_for(settings), runtime.reader, doc_id)
    doc = valid(s.Document, client.get(f"/api/v1/documents/{doc_id}", headers=alice))
    assert doc["status"] == "done" and doc["results"][0]["is_invoice"]
    valid(s.DocumentList, client.get("/api/v1/documents", headers=alice))

    # a claim on the invoice plus a per diem: draft, edit, check, submit
    invoice_item = {"category": "office", "amount": "100.00", "expense_date": TODAY_ISH,
                    "document_id": doc_id, "fields": {"seller_name": "明月示例文具公司"}}  # fmt: skip
    body = {"purpose": "拜访客户", "items": [invoice_item, per_diem("1500.00")]}
    draft = valid(s.Claim, client.post("/api/v1/claims", headers=alice, json=body), 201)
    assert draft["route"] is None and draft["items"][0]["invoice"] is not None
    assert draft["items"][0]["corrections"] and draft["items"][1]["invoice"] is None
    claim_id = draft["id"]
    # the create answer's version is the stored one: an edit that sends it back is accepted
    assert client.get(f"/api/v1/claims/{claim_id}", headers=alice).json()["version"] == draft["version"]
    edit = {**body, "purpose": "拜访客户（上海）", "version": draft["version"]}
    valid(s.Claim, client.patch(f"/api/v1/claims/{claim_id}", headers=alice, json=edit))
    valid(s.ClaimCheck, client.post(f"/api/v1/claims/{claim_id}/check", headers=alice))
    valid(s.Claim, client.post(f"/api/v1/claims/{claim_id}/submit", headers=alice))
    submitted = valid(s.Claim, client.get(f"/api/v1/claims/{claim_id}", headers=alice))
    assert submitted["risk"]["findings"], "a claim with findings"
    assert submitted["route"]["nodes"] and submitted["route"]["nodes"][0]["tasks"]
    assert submitted["timeline"]

    # the lists, the inbox and the budget
    assert valid(s.ClaimsPage, client.get("/api/v1/claims", headers=alice))["items"]
    assert valid(s.ClaimsPage, client.get("/api/v1/claims?limit=1", headers=alice))["next_cursor"] is None
    # above 1,000 the shipped flow starts at finance pre-review (issue 13), not the department head
    finrev = login(client, "finrev")
    inbox = valid(s.InboxPage, client.get("/api/v1/inbox", headers=finrev))
    assert [i["claim"]["id"] for i in inbox["items"]] == [claim_id]
    assert client.get("/api/v1/inbox", headers=payroll).status_code == 403  # a key: payouts only
    valid(s.ClaimBudget, client.get(f"/api/v1/claims/{claim_id}/budget", headers=lead))

    # an action, then the rest of the route; payroll pays it
    task_id = inbox["items"][0]["task_id"]
    action = {"action": "comment", "comment": "看过了", "task_id": task_id}
    valid(s.Claim, client.post(f"/api/v1/claims/{claim_id}/actions", headers=finrev, json=action))
    approve_all(client, claim_id)
    payable = valid(s.PayoutsPage, client.get("/api/v1/payouts", headers=payroll))
    assert [p["claim_id"] for p in payable["items"]] == [claim_id]
    paid_url = f"/api/v1/payouts/{claim_id}/paid"
    paid = valid(s.Paid, client.post(paid_url, headers=payroll, json={"reference": "SAL-7"}))
    assert paid["status"] == "paid" and paid["reference"] == "SAL-7"
    done = valid(s.Claim, client.get(f"/api/v1/claims/{claim_id}", headers=alice))
    assert done["payout_reference"] == "SAL-7" and done["paid_at"] is not None
    valid(s.PayoutsPage, client.get("/api/v1/payouts", headers=payroll))
    paid_list = valid(s.PaidPage, client.get("/api/v1/payouts/paid", headers=payroll))
    assert [p["reference"] for p in paid_list["items"]] == ["SAL-7"]
    admin = login(client, "admin")
    bank = {"employee_number": "E-7", "bank_name": "招商银行", "bank_account": "6225 8801 2345 6789"}
    person = f"/api/v1/admin/users/{demo['users']['alice']}/payroll"
    assert valid(s.PersonPayroll, client.put(person, headers=admin, json=bank))["bank_account"].endswith(
        "6789"
    )
    valid(s.PersonPayroll, client.get(person, headers=admin))
    made = client.post("/api/v1/admin/projects", headers=admin, json={"code": "P-1", "name": "一期"})
    project = valid(s.MasterDataEntry, made, 201)
    valid(s.MasterDataList, client.get("/api/v1/projects", headers=alice))
    valid(
        s.MasterDataEntry,
        client.patch(f"/api/v1/admin/projects/{project['id']}", headers=admin, json={"name": "二期"}),
    )
    valid(s.MasterDataEntry, client.delete(f"/api/v1/admin/projects/{project['id']}", headers=admin))
    valid(s.ClaimTypes, client.get("/api/v1/claim-types", headers=alice))

    # a withdrawn claim
    other = valid(s.Claim, client.post("/api/v1/claims", headers=alice, json={"purpose": "x",
                                       "items": [per_diem("600.00")]}), 201)  # fmt: skip
    client.post(f"/api/v1/claims/{other['id']}/submit", headers=alice)
    valid(s.Claim, client.post(f"/api/v1/claims/{other['id']}/withdraw", headers=alice, json={}))

    # errors, in the one shape
    missing = valid(s.ErrorBody, client.get("/api/v1/claims/999999", headers=alice), 404)
    assert missing["error"]["code"] == "not_found" and "details" not in missing["error"]
    valid(s.ErrorBody, client.get(f"/api/v1/documents/{doc_id + 99}", headers=alice), 404)
    valid(s.ErrorBody, client.get("/api/v1/claims/1"), 401)
    valid(s.ErrorBody, client.get("/api/v1/payouts", headers=alice), 403)
    valid(s.ErrorBody, client.post(paid_url, headers=payroll, json={"reference": "SAL-8"}), 409)
    invalid = valid(s.ErrorBody, client.get("/api/v1/claims/abc", headers=alice), 422)
    assert invalid["error"]["details"][0]["loc"] == ["path", "claim_id"]
    bad_login = {"username": "alice", "password": "wrong-password"}
    valid(s.ErrorBody, client.post("/api/v1/auth/login", json=bad_login), 401)

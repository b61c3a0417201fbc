"""Leavers and hand-over (issue 13): a deactivated approver's work moves on by the admin's rule,
no route is planned to them, tasks go only to active approvers, delegations reach waiting
tasks and can be revoked, and reactivation does not bring old tokens back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reimburse.claims.leavers import deactivate_user
from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.audit.helpers import act, approve_all, inbox_ids, new_claim, per_diem, submit

DAY = (date.today() - timedelta(days=3)).isoformat()


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _deactivate(client: TestClient, user_id: int, active: bool = False) -> Any:
    r = client.patch(
        f"/api/v1/admin/users/{user_id}", headers=login(client, "admin"), json={"active": active}
    )
    assert r.status_code == 200, r.text
    return r.json()


def _waiting(client: TestClient, amount: str = "800.00") -> int:
    alice = login(client, "alice")
    claim = new_claim(client, alice, per_diem(amount, DAY))
    assert submit(client, alice, claim["id"])["status"] == "submitted"
    return int(claim["id"])


def test_a_deactivated_approvers_tasks_and_planned_seats_go_to_their_manager(
    api: tuple[TestClient, dict[str, Any]],
) -> None:
    client, demo = api
    users = demo["users"]
    small = _waiting(client)
    large = _waiting(client, "1500.00")  # above 1,000: finance pre-review, then the general manager
    assert set(inbox_ids(client, login(client, "teamlead"))) == {small}
    _deactivate(client, users["teamlead"])
    saleshead = login(client, "saleshead")  # the head above east sales (teamlead has no manager set)
    assert set(inbox_ids(client, saleshead)) == {small}
    assert act(client, saleshead, small, "approve").status_code == 200
    approve_all(client, small, skip=("teamlead",))  # any later step (finance, by the flow) as usual
    alice = login(client, "alice")
    done = client.get(f"/api/v1/claims/{small}", headers=alice).json()
    assert done["status"] == "approved"
    handed = next(e for e in done["timeline"] if e["action"] == "reassign")
    assert handed["actor"] == f"user:{users['admin']}" and handed["comment"] == "hand-over"
    # the general manager leaves while the large claim is still at the first step: his seat
    # goes to his manager (the head of the head office) before it is ever activated
    _deactivate(client, users["gm"])
    assert act(client, login(client, "finrev"), large, "approve").status_code == 200
    assert inbox_ids(client, login(client, "ceo")) == [large]
    nodes = client.get(f"/api/v1/claims/{large}", headers=alice).json()["route"]["nodes"]
    assert all(str(users["gm"]) not in n["assignees"] for n in nodes)


def test_the_admin_rule_can_name_a_fallback_per_role(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    users = demo["users"]
    claim = _waiting(client)
    admin = login(client, "admin")
    bad = {"mode": "fallback", "fallbacks": {"approver": users["bob"]}}  # bob may not approve
    r = client.put("/api/v1/admin/controls/handover", headers=admin, json=bad)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_assignee"
    rule = {"mode": "fallback", "fallbacks": {"approver": users["findir"]}}
    assert client.put("/api/v1/admin/controls/handover", headers=admin, json=rule).status_code == 200
    assert client.get("/api/v1/admin/controls", headers=admin).json()["handover"] == rule
    _deactivate(client, users["teamlead"])
    assert inbox_ids(client, login(client, "findir")) == [claim]
    assert inbox_ids(client, login(client, "saleshead")) == []


def test_directory_sync_deactivation_hands_work_on_too(
    api: tuple[TestClient, dict[str, Any]], migrated_engine: Engine
) -> None:
    client, demo = api
    claim = _waiting(client)
    with Session(migrated_engine) as s:
        result = deactivate_user(s, demo["users"]["teamlead"], "directory-sync", utcnow())
        s.commit()
    assert result["moved"] == [{"claim_id": claim, "to": demo["users"]["saleshead"]}]
    assert inbox_ids(client, login(client, "saleshead")) == [claim]


def test_no_new_claim_is_routed_to_a_deactivated_head(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    _deactivate(client, demo["users"]["teamlead"])
    claim = _waiting(client)
    nodes = client.get(f"/api/v1/claims/{claim}", headers=login(client, "alice")).json()["route"]["nodes"]
    assert nodes[0]["assignees"] == [str(demo["users"]["saleshead"])]
    assert inbox_ids(client, login(client, "saleshead")) == [claim]


def test_transfer_and_add_signer_take_only_active_approvers(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    users = demo["users"]
    claim = _waiting(client)
    _deactivate(client, users["findir"])
    lead = login(client, "teamlead")
    for target in (users["bob"], 99_999, users["findir"]):  # a plain employee, nobody, a leaver
        for action in ("transfer", "add_signer"):
            r = act(client, lead, claim, action, to_user_id=target)
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_assignee", (target, r.text)
    assert inbox_ids(client, lead) == [claim]  # nothing moved: the head can still act
    assert act(client, lead, claim, "transfer", to_user_id=users["saleshead"]).status_code == 200
    assert inbox_ids(client, login(client, "saleshead")) == [claim]


def test_reactivation_does_not_revive_old_tokens(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    old = login(client, "teamlead")
    assert client.get("/api/v1/inbox", headers=old).status_code == 200
    _deactivate(client, demo["users"]["teamlead"])
    assert client.get("/api/v1/inbox", headers=old).status_code == 401
    _deactivate(client, demo["users"]["teamlead"], active=True)
    assert client.get("/api/v1/inbox", headers=old).status_code == 401
    assert client.get("/api/v1/inbox", headers=login(client, "teamlead")).status_code == 200


def test_an_admin_reassigns_any_open_task(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    users = demo["users"]
    claim = _waiting(client)
    lead = login(client, "teamlead")
    task = client.get("/api/v1/inbox", headers=lead).json()["items"][0]["task_id"]
    path = f"/api/v1/admin/claims/{claim}/tasks/{task}/reassign"
    admin = login(client, "admin")
    assert client.post(path, headers=lead, json={"to_user_id": users["findir"]}).status_code == 403
    refused = client.post(path, headers=admin, json={"to_user_id": users["bob"]})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_assignee"
    r = client.post(path, headers=admin, json={"to_user_id": users["findir"], "comment": "组长休假"})
    assert r.status_code == 200, r.text
    assert inbox_ids(client, lead) == [] and inbox_ids(client, login(client, "findir")) == [claim]
    assert act(client, lead, claim, "approve").status_code in (403, 409)  # no longer theirs
    assert act(client, login(client, "findir"), claim, "approve").status_code == 200


def test_delegations_reach_waiting_tasks_and_can_be_listed_and_revoked(
    api: tuple[TestClient, dict[str, Any]],
) -> None:
    client, demo = api
    users = demo["users"]
    claim = _waiting(client)
    lead, saleshead, admin = login(client, "teamlead"), login(client, "saleshead"), login(client, "admin")
    today = date.today()
    body = {"user_id": users["teamlead"], "delegate_id": users["saleshead"], "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat()}  # fmt: skip
    bad = client.post("/api/v1/admin/delegations", headers=lead, json={**body, "delegate_id": users["bob"]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_assignee"
    made = client.post("/api/v1/admin/delegations", headers=lead, json=body)
    assert made.status_code == 201, made.text
    delegation = made.json()["id"]
    assert inbox_ids(client, saleshead) == [claim]  # the task that was already waiting
    assert client.get(f"/api/v1/claims/{claim}", headers=saleshead).status_code == 200
    assert [d["id"] for d in client.get("/api/v1/delegations", headers=lead).json()["items"]] == [delegation]
    assert [d["id"] for d in client.get("/api/v1/admin/delegations", headers=admin).json()["items"]] == [
        delegation
    ]
    assert client.delete(f"/api/v1/delegations/{delegation}", headers=saleshead).status_code == 404
    assert client.delete(f"/api/v1/delegations/{delegation}", headers=lead).status_code == 200
    assert client.get("/api/v1/delegations", headers=lead).json()["items"] == []
    assert inbox_ids(client, saleshead) == []
    assert act(client, saleshead, claim, "approve").status_code == 403
    assert act(client, lead, claim, "approve").status_code == 200

"""Cash advances through the API: ask, approve on their own flow, pay out (idempotent), offset
against later claims at final approval (oldest first, the rest carried), repay, the balance,
and payroll paying the net amount. SQLite by default, PostgreSQL with the integration env."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login

DAY = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def inbox_ids(client: TestClient, who: dict[str, str]) -> list[int]:
    return [i["claim"]["id"] for i in client.get("/api/v1/inbox", headers=who).json()["items"]]


def approve_all(client: TestClient, claim_id: int) -> list[str]:
    """Whoever has the request or claim in their inbox approves it, until nobody has."""
    people = {u: login(client, u) for u in ("teamlead", "saleshead", "finrev", "findir", "gm", "ceo")}
    who_approved = []
    for _ in range(10):
        holders = [(u, h) for u, h in people.items() if claim_id in inbox_ids(client, h)]
        if not holders:
            return who_approved
        r = client.post(
            f"/api/v1/claims/{claim_id}/actions", headers=holders[0][1], json={"action": "approve"}
        )
        assert r.status_code == 200, r.text
        who_approved.append(holders[0][0])
    raise AssertionError("never finished")


def claim(client: TestClient, who: dict[str, str], amount: str) -> dict[str, Any]:
    item = per_diem(amount, DAY)
    r = client.post("/api/v1/claims", headers=who, json={"purpose": "拜访客户", "items": [item]})
    assert r.status_code == 201, r.text
    submitted = client.post(f"/api/v1/claims/{r.json()['id']}/submit", headers=who)
    assert submitted.status_code == 200, submitted.text
    return submitted.json()


def paid_advance(client: TestClient, who: dict[str, str], amount: str, reference: str) -> int:
    r = client.post("/api/v1/advances", headers=who, json={"purpose": "出差借款", "amount": amount})
    assert r.status_code == 201, r.text
    approve_all(client, r.json()["id"])
    finrev = login(client, "finrev")
    paid = client.post(
        f"/api/v1/advances/{r.json()['id']}/paid", headers=finrev, json={"reference": reference}
    )
    assert paid.status_code == 200, paid.text
    return int(r.json()["id"])


def test_an_advance_is_approved_on_its_own_flow_and_paid_out_once(api: Any) -> None:
    client, demo = api
    alice, lead, finrev, bob = (login(client, u) for u in ("alice", "teamlead", "finrev", "bob"))
    r = client.post("/api/v1/advances", headers=alice, json={"purpose": "出差借款", "amount": "2000.00"})
    assert r.status_code == 201, r.text
    request = r.json()
    assert request["kind"] == "advance" and request["number"].startswith("JK")
    assert request["status"] == "submitted" and request["total"] == "2000.00"
    assert request["route"]["flow"] == {"id": "advance", "version": 1}
    assert [n["id"] for n in request["route"]["nodes"]] == ["dept_head", "finance_review"]
    assert inbox_ids(client, lead) == [request["id"]]
    # not approved yet: finance cannot pay it
    early = client.post(f"/api/v1/advances/{request['id']}/paid", headers=finrev, json={})
    assert early.status_code == 409 and early.json()["error"]["code"] == "claim_not_approved"
    assert approve_all(client, request["id"]) == ["teamlead", "finrev"]
    # an advance is not a claim: payroll's claim list does not carry it, nor can it be paid there
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    assert client.get("/api/v1/payouts", headers=payroll).json()["items"] == []
    wrong = client.post(f"/api/v1/payouts/{request['id']}/paid", headers=payroll, json={})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "not_a_claim"
    # only finance (or a key with payouts:write) pays it out
    assert client.post(f"/api/v1/advances/{request['id']}/paid", headers=alice, json={}).status_code == 403
    key = {**finrev, "Idempotency-Key": "adv-1"}
    first = client.post(f"/api/v1/advances/{request['id']}/paid", headers=key, json={"reference": "CASH-1"})
    again = client.post(
        f"/api/v1/advances/{request['id']}/paid", headers=finrev, json={"reference": "CASH-1"}
    )
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["status"] == "paid" and first.json()["outstanding"] == "2000.00"
    other = client.post(
        f"/api/v1/advances/{request['id']}/paid", headers=finrev, json={"reference": "CASH-9"}
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "already_paid"
    by_key = client.post(
        f"/api/v1/advances/{request['id']}/paid", headers=payroll, json={"reference": "CASH-1"}
    )
    assert by_key.status_code == 200
    # the person and finance see it; a colleague does not
    assert client.get(f"/api/v1/advances/{request['id']}", headers=alice).json()["outstanding"] == "2000.00"
    assert client.get(f"/api/v1/advances/{request['id']}", headers=bob).status_code == 404
    timeline = client.get(f"/api/v1/claims/{request['id']}", headers=alice).json()["timeline"]
    assert [e["action"] for e in timeline] == ["submit", "approve", "approve", "paid"]
    # the list of claims keeps requests apart when asked
    listed = client.get("/api/v1/claims?kind=advance", headers=alice).json()["items"]
    assert [(c["id"], c["kind"]) for c in listed] == [(request["id"], "advance")]
    assert client.get("/api/v1/claims?kind=expense", headers=alice).json()["items"] == []
    assert client.get("/api/v1/claims?kind=loan", headers=alice).status_code == 422


def test_later_claims_offset_the_advance_oldest_first_and_payroll_pays_the_net(api: Any) -> None:
    client, demo = api
    alice, finrev = login(client, "alice"), login(client, "finrev")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    older = paid_advance(client, alice, "1000.00", "CASH-A")
    newer = paid_advance(client, alice, "1000.00", "CASH-B")
    # a claim smaller than the advance: all of it offset, the rest of the advance carried
    first = claim(client, alice, "700.00")
    approve_all(client, first["id"])
    view = client.get(f"/api/v1/claims/{first['id']}", headers=alice).json()
    assert view["status"] == "approved"
    assert (view["advance_offset"], view["net_payable"]) == ("700.00", "0.00")
    assert "advance_offset" in [e["action"] for e in view["timeline"]]
    # a larger claim: the rest of the older advance first, then the newer one; payroll pays nothing
    # of what was advanced
    second = claim(client, alice, "900.00")
    approve_all(client, second["id"])
    view = client.get(f"/api/v1/claims/{second['id']}", headers=alice).json()
    assert (view["advance_offset"], view["net_payable"]) == ("900.00", "0.00")
    third = claim(client, alice, "800.00")
    approve_all(client, third["id"])
    view = client.get(f"/api/v1/claims/{third['id']}", headers=alice).json()
    assert (view["advance_offset"], view["net_payable"]) == ("400.00", "400.00")
    listed = {p["claim_id"]: p for p in client.get("/api/v1/payouts", headers=payroll).json()["items"]}
    assert [(listed[c["id"]]["total"], listed[c["id"]]["advance_offset"], listed[c["id"]]["payable"])
            for c in (first, second, third)] == [
        ("700.00", "700.00", "0.00"), ("900.00", "900.00", "0.00"), ("800.00", "400.00", "400.00")
    ]  # fmt: skip
    csv = client.get("/api/v1/payouts/export.csv", headers=payroll).content.decode("utf-8-sig")
    assert "advance_offset,payable" in csv.splitlines()[0] and ",800.00,400.00,400.00," in csv
    balance = client.get("/api/v1/advances/balance", headers=alice).json()
    assert balance["outstanding"] == "0.00"
    moves = {a["request_id"]: [(m["kind"], m["claim_id"], m["amount"]) for m in a["movements"]]
             for a in balance["advances"]}  # fmt: skip
    assert moves[older] == [("offset", first["id"], "700.00"), ("offset", second["id"], "300.00")]
    assert moves[newer] == [("offset", second["id"], "600.00"), ("offset", third["id"], "400.00")]
    # each advance's own trail says which claim took how much
    trail = client.get(f"/api/v1/claims/{newer}", headers=finrev).json()["timeline"]
    assert [e["action"] for e in trail][-2:] == ["advance_offset", "advance_offset"]
    # a claim with no advance left is paid in full
    fourth = claim(client, alice, "100.00")
    approve_all(client, fourth["id"])
    view = client.get(f"/api/v1/claims/{fourth['id']}", headers=alice).json()
    assert (view["advance_offset"], view["net_payable"]) == ("0.00", "100.00")


def test_cash_is_repaid_against_an_advance_and_the_balance_is_visible(api: Any) -> None:
    client, demo = api
    alice, bob, finrev = (login(client, u) for u in ("alice", "bob", "finrev"))
    request = paid_advance(client, alice, "1000.00", "CASH-R")
    assert client.post(f"/api/v1/advances/{request}/repayments", headers=alice,
                       json={"amount": "100.00"}).status_code == 403  # fmt: skip
    r = client.post(f"/api/v1/advances/{request}/repayments", headers=finrev,
                    json={"amount": "400.00", "reference": "RCPT-7"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["outstanding"] == "600.00"
    too_much = client.post(
        f"/api/v1/advances/{request}/repayments", headers=finrev, json={"amount": "700.00"}
    )
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "repayment_exceeds_outstanding"
    assert "600.00" in too_much.json()["error"]["message"]
    bad = client.post(f"/api/v1/advances/{request}/repayments", headers=finrev, json={"amount": "-5"})
    assert bad.status_code == 422
    # an offset takes only what is left after the repayment
    c = claim(client, alice, "800.00")
    approve_all(client, c["id"])
    assert client.get(f"/api/v1/claims/{c['id']}", headers=alice).json()["advance_offset"] == "600.00"
    mine = client.get("/api/v1/advances/balance", headers=alice).json()
    assert mine["outstanding"] == "0.00" and mine["display_name"] == "张小花"
    assert [m["kind"] for m in mine["advances"][0]["movements"]] == ["repayment", "offset"]
    # another's balance: finance yes, a colleague no
    alice_id = demo["users"]["alice"]
    assert client.get(f"/api/v1/advances/balance?user_id={alice_id}", headers=bob).status_code == 403
    seen = client.get(f"/api/v1/advances/balance?user_id={alice_id}", headers=finrev)
    assert seen.status_code == 200 and seen.json()["advances"][0]["amount"] == "1000.00"
    everyone = client.get("/api/v1/advances/balances", headers=finrev).json()["items"]
    assert everyone == [{"person_id": alice_id, "display_name": "张小花", "advanced": "1000.00",
                         "outstanding": "0.00"}]  # fmt: skip
    assert client.get("/api/v1/advances/balances", headers=bob).status_code == 403
    trail = client.get(f"/api/v1/claims/{request}", headers=finrev).json()["timeline"]
    assert [e["action"] for e in trail][-3:] == ["paid", "advance_repaid", "advance_offset"]


def test_an_advance_not_yet_paid_out_offsets_nothing_and_bad_input_is_refused(api: Any) -> None:
    client, _ = api
    alice = login(client, "alice")
    r = client.post("/api/v1/advances", headers=alice, json={"purpose": "借款", "amount": "500.00"})
    approve_all(client, r.json()["id"])  # approved, not paid out
    c = claim(client, alice, "300.00")
    approve_all(client, c["id"])
    assert client.get(f"/api/v1/claims/{c['id']}", headers=alice).json()["advance_offset"] == "0.00"
    for body in (
        {"purpose": "x", "amount": "0"},
        {"purpose": "", "amount": "10"},
        {"purpose": "x", "amount": "1.234"},
    ):
        assert client.post("/api/v1/advances", headers=alice, json=body).status_code == 422
    assert client.get("/api/v1/advances/999999", headers=alice).status_code == 404
    # a claim id is not an advance
    assert client.post(f"/api/v1/advances/{c['id']}/paid", headers=login(client, "finrev")).status_code == 404

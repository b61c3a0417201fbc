"""The finance side end to end, through the API (issue 18's scenario), on SQLite and PostgreSQL.

A salesperson takes a 2,000 advance and gets a trip pre-approved; she claims a USD hotel folio,
two train tickets and a VAT special invoice split across two projects; the claim is approved;
its voucher balances with the right input VAT and credits the advance; payroll pulls the net
amount with her bank account, marks it paid, and the reconciliation lists it. The advance's
payout has its own voucher (receivable debited, bank credited), so the receivable nets to what
she still owes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.advances.test_advances_api import approve_all, paid_advance
from tests.api_helpers import demo_api, login
from tests.vouchers.helpers import DAY, fapiao, put_rate, stored_document

D = Decimal
ACCOUNT = "6222020200112233445"


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _setup(client: TestClient, demo: dict[str, Any]) -> None:
    admin = login(client, "admin")
    put_rate(client, "USD", "7.1234")
    for code, name in (("P-EAST", "华东渠道"), ("P-WEST", "西部渠道")):
        r = client.post("/api/v1/admin/projects", headers=admin, json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    payroll = {"employee_number": "E1001", "payee_name": "Alice", "bank_name": "中国工商银行",
               "bank_account": ACCOUNT}  # fmt: skip
    r = client.put(f"/api/v1/admin/users/{demo['users']['alice']}/payroll", headers=admin, json=payroll)
    assert r.status_code == 200, r.text
    assert ACCOUNT not in r.text  # masked outside payroll's pull


def _items(engine: Engine, alice_id: int) -> list[dict[str, Any]]:
    day = DAY.isoformat()
    folio = stored_document(engine, alice_id, "scenario-folio.jpg", None)
    tickets = [
        stored_document(
            engine,
            alice_id,
            f"scenario-ticket-{n}.pdf",
            fapiao("train_ticket", f"25312000000009{n:02d}0001", "553.00", None, "铁路电子客票"),
        )
        for n in (1, 2)
    ]
    special = stored_document(
        engine,
        alice_id,
        "scenario-special.pdf",
        fapiao("digital_special", "25312000000009990003", "1060.00", "60.00", "*信息技术服务*软件服务费"),
    )
    mine = {"transport": "train", "passenger_name": "Alice", "passenger_is_employee": True}
    train = {"category": "travel", "amount": "553.00", "expense_date": day, "result_index": 0, "ticket": mine}
    return [
        {
            "category": "lodging",
            "amount": "100.00",
            "currency": "USD",
            "expense_date": day,
            "nights": 1,
            "city_tier": 1,
            "document_id": folio,
            "foreign_document": {
                "kind": "hotel_folio",
                "issuer": "Hilton SF",
                "number": "F-77",
                "issue_date": day,
                "country": "US",
            },
        },
        {**train, "document_id": tickets[0]},
        {**train, "document_id": tickets[1]},
        {
            "category": "office",
            "amount": "1060.00",
            "expense_date": day,
            "document_id": special,
            "result_index": 0,
            "splits": [
                {"dimension": "project", "code": "P-EAST", "percent": "60"},
                {"dimension": "project", "code": "P-WEST", "percent": "40"},
            ],
        },
    ]


def test_advance_pre_approval_foreign_folio_split_invoice_voucher_payroll_and_reconciliation(
    api: Any, migrated_engine: Engine
) -> None:
    client, demo = api
    _setup(client, demo)
    alice, finrev = login(client, "alice"), login(client, "finrev")
    advance_id = paid_advance(client, alice, "2000.00", "ADV-2000")
    assert client.get("/api/v1/advances/balance", headers=alice).json()["outstanding"] == "2000.00"

    estimate = {"category": "travel", "amount": "2900.00", "expense_date": DAY.isoformat()}
    trip = {"purpose": "旧金山客户拜访", "trip_start": DAY.isoformat(), "trip_end": DAY.isoformat(),
            "lines": [estimate]}  # fmt: skip
    pre = client.post("/api/v1/pre-approvals", headers=alice, json=trip)
    assert pre.status_code == 201, pre.text
    approve_all(client, pre.json()["id"])

    body = {"purpose": "旧金山客户拜访", "items": _items(migrated_engine, demo["users"]["alice"]),
            "pre_approval_id": pre.json()["id"]}  # fmt: skip
    draft = client.post("/api/v1/claims", headers=alice, json=body)
    assert draft.status_code == 201, draft.text
    claim = draft.json()
    folio = claim["items"][0]
    assert folio["conversion"]["original_amount"] == "100.00" and folio["conversion"]["currency"] == "USD"
    assert folio["amount"] == "712.34"  # at the table's 7.1234
    assert [(s["code"], s["amount"]) for s in claim["items"][3]["splits"]] == [
        ("P-EAST", "636.00"),
        ("P-WEST", "424.00"),
    ]
    assert claim["total"] == "2878.34"  # within the pre-approved 2,900
    submitted = client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    assert "pre_approval_exceeded" not in {f["code"] for f in submitted.json()["risk"]["findings"]}
    approve_all(client, claim["id"])
    claim = client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()
    assert claim["status"] == "approved"

    # the advance is offset: all 2,000 of it, oldest first; nothing outstanding
    assert client.get("/api/v1/advances/balance", headers=alice).json()["outstanding"] == "0.00"

    # the voucher: balanced, input VAT from both employee tickets (553/1.09*9% each) and the
    # special invoice's printed 60.00, the special invoice's expense on the two projects, the
    # advance credited, the rest payable
    made = client.post("/api/v1/vouchers/generate", headers=finrev)
    assert made.status_code == 200, made.text
    payout, voucher = made.json()["items"]  # booked in order: the advance was paid out first

    # the advance's payout: the employee's receivable debited, the bank credited
    assert payout["claim_id"] == advance_id and payout["balanced"] is True
    assert [(x["kind"], x["account_code"], x["debit"], x["credit"]) for x in payout["lines"]] == [
        ("advance_paid", "1221.01", "2000.00", "0.00"),
        ("bank", "1002", "0.00", "2000.00"),
    ]
    assert payout["seq"] < voucher["seq"] and payout["period"] == voucher["period"]

    assert voucher["claim_id"] == claim["id"] and voucher["balanced"] is True
    assert voucher["debits"] == voucher["credits"] == "2878.34"
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for line in voucher["lines"]:
        by_kind.setdefault(line["kind"], []).append(line)
    assert [x["debit"] for x in by_kind["input_vat"]] == ["151.32"]  # 45.66 + 45.66 + 60.00
    office = {x["project"]: x["debit"] for x in by_kind["expense"] if x["account_code"] == "6602.04"}
    assert office == {"P-EAST": "600.00", "P-WEST": "400.00"}  # 1,000 net of VAT, split 60/40
    assert [x["credit"] for x in by_kind["advance_offset"]] == ["2000.00"]
    assert [x["credit"] for x in by_kind["payable"]] == ["878.34"]

    # the receivable nets to what is still outstanding (nothing): debited at payout, credited
    # by the offset; every export carries both vouchers, balanced, the same on re-export
    receivable = [x for v in (payout, voucher) for x in v["lines"] if x["account_code"] == "1221.01"]
    net = sum(D(x["debit"]) - D(x["credit"]) for x in receivable)
    assert net == D(client.get("/api/v1/advances/balance", headers=alice).json()["outstanding"]) == 0
    exported = client.get("/api/v1/vouchers/export.json", headers=finrev)
    assert exported.status_code == 200
    numbers = [(v["number"], v["debits"], v["credits"]) for v in exported.json()["vouchers"]]
    assert numbers == [(payout["number"], "2000.00", "2000.00"), (voucher["number"], "2878.34", "2878.34")]
    for target in ("kingdee", "u8"):
        first = client.get(f"/api/v1/vouchers/export.xlsx?target={target}", headers=finrev).content
        assert first == client.get(f"/api/v1/vouchers/export.xlsx?target={target}", headers=finrev).content
    assert client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"] == []
    assert exported.content == client.get("/api/v1/vouchers/export.json", headers=finrev).content

    # payroll pulls the net amount with whom to pay and where
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    [row] = client.get("/api/v1/payouts", headers=payroll).json()["items"]
    assert row["claim_id"] == claim["id"]
    assert (row["total"], row["advance_offset"], row["payable"]) == ("2878.34", "2000.00", "878.34")
    assert (row["employee_number"], row["bank_account"], row["payee"]) == ("E1001", ACCOUNT, "Alice")
    paid = client.post(
        f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={"reference": "SAL-12-01"}
    )
    assert paid.status_code == 200, paid.text

    # reconciliation lists what was paid, when, with which reference, the account masked
    text = client.get("/api/v1/payouts/reconciliation.csv", headers=finrev).content.decode("utf-8-sig")
    [listed] = [r for r in csv.DictReader(io.StringIO(text)) if r["claim_id"] == str(claim["id"])]
    assert listed["reference"] == "SAL-12-01" and listed["paid_at"]
    assert ACCOUNT not in text and listed["bank_account"].endswith(ACCOUNT[-4:])
    assert advance_id != claim["id"]

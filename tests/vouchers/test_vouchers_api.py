"""Vouchers through the API (SQLite, and PostgreSQL with REIMBURSE_INTEGRATION=1): an approved
claim with a USD folio, two train tickets and a VAT special invoice produces one balanced
voucher with the right input VAT; every export balances and a re-export is identical."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.routing.records import AuditEntryRecord
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import approve_all
from tests.vouchers.helpers import DAY, fapiao, put_rate, stored_document

D = Decimal


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


@pytest.fixture()
def api_paid(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings.model_copy(update={"voucher_at": "payment"})) as pair:
        yield pair


def trip_items(engine: Engine, alice_id: int, serial: int = 1) -> list[dict[str, Any]]:
    day = DAY.isoformat()
    folio = stored_document(engine, alice_id, f"folio-{serial}.jpg", None)
    ticket1 = stored_document(
        engine,
        alice_id,
        f"t1-{serial}.pdf",
        fapiao("train_ticket", f"2531200000000{serial:03d}0001", "553.00", None, "铁路电子客票"),
    )
    ticket2 = stored_document(
        engine,
        alice_id,
        f"t2-{serial}.pdf",
        fapiao("train_ticket", f"2531200000000{serial:03d}0002", "553.00", None, "铁路电子客票"),
    )
    special = stored_document(
        engine,
        alice_id,
        f"sp-{serial}.pdf",
        fapiao(
            "digital_special",
            f"2531200000000{serial:03d}0003",
            "1060.00",
            "60.00",
            "*信息技术服务*软件服务费",
        ),
    )
    ticket = {"transport": "train", "passenger_name": "Alice", "passenger_is_employee": True}
    lodging = {
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
            "number": f"F-{serial}",
            "issue_date": day,
        },
    }
    train = {"category": "travel", "amount": "553.00", "expense_date": day, "result_index": 0}
    client_ticket = {**ticket, "passenger_name": "客户", "passenger_is_employee": False}
    return [
        lodging,
        {**train, "document_id": ticket1, "ticket": ticket},
        {**train, "document_id": ticket2, "ticket": client_ticket},
        {
            "category": "office",
            "amount": "1060.00",
            "expense_date": day,
            "document_id": special,
            "result_index": 0,
        },
    ]


def approved_claim(
    client: TestClient, engine: Engine, demo: dict[str, Any], serial: int = 1
) -> dict[str, Any]:
    alice = login(client, "alice")
    r = client.post(
        "/api/v1/claims",
        headers=alice,
        json={"purpose": "出差", "items": trip_items(engine, demo["users"]["alice"], serial)},
    )
    assert r.status_code == 201, r.text
    claim = r.json()
    r = client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
    assert r.status_code == 200, r.text
    approve_all(client, claim["id"])
    claim = client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()
    assert claim["status"] == "approved", claim
    return claim


def balanced(lines: list[dict[str, Any]]) -> bool:
    return sum(D(x["debit"]) for x in lines) == sum(D(x["credit"]) for x in lines)


def test_an_approved_claim_produces_one_balanced_voucher_with_its_input_vat(
    api: Any, migrated_engine: Engine
) -> None:
    client, demo = api
    finrev = login(client, "finrev")
    put_rate(client, "USD", "7.1234")
    body = {"department_id": demo["departments"]["east"], "category": "lodging", "period": "month",
            "start": DAY.replace(day=1).isoformat(), "amount": "5000.00"}  # fmt: skip
    assert client.post("/api/v1/admin/budgets", headers=finrev, json=body).status_code == 201
    claim = approved_claim(client, migrated_engine, demo)
    assert claim["total"] == "2878.34"  # 712.34 + 553 + 553 + 1060
    # payroll and the budget count the converted amount, in the company currency
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    [payout] = client.get("/api/v1/payouts", headers=payroll).json()["items"]
    assert (payout["total"], payout["currency"]) == ("2878.34", "CNY")
    budget = client.get(f"/api/v1/claims/{claim['id']}/budget", headers=finrev)
    assert budget.status_code == 200, budget.text
    [lodging] = budget.json()["lines"]
    assert (lodging["category"], lodging["claim"]) == ("lodging", "712.34")  # the folio, converted
    assert budget.json()["unbudgeted"] == "2166.00"
    made = client.post("/api/v1/vouchers/generate", headers=finrev)
    assert made.status_code == 200, made.text
    [voucher] = made.json()["items"]
    assert voucher["claim_id"] == claim["id"] and voucher["balanced"] is True
    assert voucher["debits"] == voucher["credits"] == voucher["total"] == "2878.34"
    assert voucher["number"] == f"记-{voucher['period']}-0001" and voucher["seq"] == 1
    lines = {(x["kind"], x["account_code"]): x for x in voucher["lines"]}
    # the employee's ticket deducts 553/1.09*9% = 45.66, the client's none; the special invoice 60
    assert lines[("input_vat", "2221.01.01")]["debit"] == "105.66"
    assert lines[("input_vat", "2221.01.01")]["items"] == [1, 3]
    assert lines[("expense", "6602.01")]["debit"] == f"{D('712.34') + D('553.00') * 2 - D('45.66'):.2f}"
    assert lines[("expense", "6602.04")]["debit"] == "1000.00"
    assert lines[("payable", "2241.01")]["credit"] == "2878.34"
    assert balanced(voucher["lines"])
    # again: nothing new, the same voucher under the same number
    assert client.post("/api/v1/vouchers/generate", headers=finrev).json() == {"items": []}
    assert client.get(f"/api/v1/vouchers/claims/{claim['id']}", headers=finrev).json() == voucher
    assert client.get("/api/v1/vouchers", headers=finrev).json() == {"items": [voucher]}


def test_numbers_are_stable_and_every_export_balances_and_repeats_itself(
    api: Any, migrated_engine: Engine
) -> None:
    client, demo = api
    finrev = login(client, "finrev")
    put_rate(client, "USD", "7.1234")
    first = approved_claim(client, migrated_engine, demo, 1)
    client.post("/api/v1/vouchers/generate", headers=finrev)
    second = approved_claim(client, migrated_engine, demo, 2)
    client.post("/api/v1/vouchers/generate", headers=finrev)
    listed = client.get("/api/v1/vouchers", headers=finrev).json()["items"]
    assert [(v["claim_id"], v["seq"]) for v in listed] == [(first["id"], 1), (second["id"], 2)]
    # a new GL mapping version does not rewrite vouchers already made
    admin = login(client, "admin")
    text = client.get("/api/v1/admin/gl-mapping", headers=admin).json()["text"].replace("6602.04", "6602.40")
    assert client.put("/api/v1/admin/gl-mapping", headers=admin, json={"text": text}).status_code == 200
    exports = {
        "csv": "/api/v1/vouchers/export.csv",
        "json": "/api/v1/vouchers/export.json",
        "kingdee": "/api/v1/vouchers/export.xlsx?target=kingdee",
        "u8": "/api/v1/vouchers/export.xlsx?target=u8",
    }
    for name, url in exports.items():
        one, two = client.get(url, headers=finrev), client.get(url, headers=finrev)
        assert one.status_code == 200, (name, one.text)
        assert one.content == two.content, name  # idempotent, byte for byte
    assert client.get("/api/v1/vouchers", headers=finrev).json()["items"] == listed

    rows = list(
        csv.DictReader(io.StringIO(client.get(exports["csv"], headers=finrev).content.decode("utf-8-sig")))
    )
    per: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        per.setdefault(row["voucher_number"], []).append(row)
    assert sorted(per) == sorted(v["number"] for v in listed) and all(balanced(v) for v in per.values())
    assert "6602.40" not in {r["account_code"] for r in rows}

    data = json.loads(client.get(exports["json"], headers=finrev).content)
    assert [v["number"] for v in data["vouchers"]] == [v["number"] for v in listed]
    assert all(balanced(v["lines"]) for v in data["vouchers"])

    table = list(
        load_workbook(io.BytesIO(client.get(exports["kingdee"], headers=finrev).content)).active.iter_rows(
            values_only=True
        )
    )
    sums: dict[Any, list[Decimal]] = {}
    key = None
    for row in table[2:]:
        key = row[4] if row[4] is not None else key  # 凭证号 on each voucher's first entry
        assert isinstance(row[14], float | int) and isinstance(row[15], float | int)
        sums.setdefault(key, [D(0), D(0)])
        sums[key][0] += D(str(row[14]))
        sums[key][1] += D(str(row[15]))
    assert sorted(sums) == [1, 2] and all(d == c for d, c in sums.values())

    table = list(
        load_workbook(io.BytesIO(client.get(exports["u8"], headers=finrev).content)).active.iter_rows(
            values_only=True
        )
    )
    assert table[0][:8] == (
        "制单日期",
        "凭证类别字",
        "凭证号",
        "附单据数",
        "摘要",
        "科目编码",
        "借方金额",
        "贷方金额",
    )
    u8: dict[Any, list[Decimal]] = {}
    for row in table[1:]:
        assert isinstance(row[6], float | int) and isinstance(row[7], float | int)
        u8.setdefault(row[2], [D(0), D(0)])
        u8[row[2]][0] += D(str(row[6]))
        u8[row[2]][1] += D(str(row[7]))
    assert sorted(u8) == [1, 2] and all(d == c and d > 0 for d, c in u8.values())


def test_with_voucher_at_payment_only_a_paid_claim_gets_a_voucher(
    api_paid: Any, migrated_engine: Engine
) -> None:
    client, demo = api_paid
    finrev = login(client, "finrev")
    put_rate(client, "USD", "7.1234")
    claim = approved_claim(client, migrated_engine, demo)
    assert client.post("/api/v1/vouchers/generate", headers=finrev).json() == {"items": []}
    r = client.get(f"/api/v1/vouchers/claims/{claim['id']}", headers=finrev)
    assert r.status_code == 404 and r.json()["error"]["code"] == "voucher_not_found"
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    assert (
        client.post(
            f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={"reference": "SAL-1"}
        ).status_code
        == 200
    )
    [voucher] = client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"]
    assert voucher["claim_id"] == claim["id"] and voucher["balanced"]


def test_only_finance_admins_and_auditors_see_vouchers(api: Any, migrated_engine: Engine) -> None:
    client, demo = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    for who in (alice, lead, payroll):
        assert client.post("/api/v1/vouchers/generate", headers=who).status_code == 403
        assert client.get("/api/v1/vouchers", headers=who).status_code == 403
        assert client.get("/api/v1/vouchers/export.csv", headers=who).status_code == 403
        assert client.get("/api/v1/admin/gl-mapping", headers=who).status_code == 403
    assert client.get("/api/v1/vouchers", headers=login(client, "admin")).status_code == 200
    r = client.get("/api/v1/vouchers?period=2026-13", headers=login(client, "finrev"))
    assert r.status_code == 422
    r = client.get("/api/v1/vouchers/export.xlsx?target=sap", headers=login(client, "finrev"))
    assert r.status_code == 422


def test_the_gl_mapping_is_a_versioned_document_with_problems_listed_by_path(
    api: Any, migrated_engine: Engine
) -> None:
    client, _ = api
    admin, finrev = login(client, "admin"), login(client, "finrev")
    shipped = client.get("/api/v1/admin/gl-mapping", headers=finrev).json()
    assert shipped["version"] == 0 and "input_vat" in shipped["text"]
    bad = (
        shipped["text"].replace("travel: {code", "travle: {code").replace('code: "2241.01"', 'code: "22 41"')
    )
    r = client.put("/api/v1/admin/gl-mapping", headers=admin, json={"text": bad})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_gl_mapping"
    problems = r.json()["error"]["details"]["problems"]
    assert {(p["path"], p["code"]) for p in problems} == {
        ("expense.categories", "gl_unknown_categories"),
        ("accounts.payable.code", "gl_account_code"),
    }
    assert all(p["message"].startswith(p["path"] + ": ") for p in problems)
    assert (
        client.put("/api/v1/admin/gl-mapping", headers=finrev, json={"text": shipped["text"]}).status_code
        == 403
    )
    r = client.put("/api/v1/admin/gl-mapping", headers=admin, json={"text": shipped["text"]})
    assert r.status_code == 200 and r.json()["version"] >= 1
    assert client.get("/api/v1/admin/gl-mapping", headers=admin).json()["version"] == r.json()["version"]
    with Session(migrated_engine) as s:
        entries = list(s.scalars(select(AuditEntryRecord).where(AuditEntryRecord.subject == "gl_mapping")))
    assert [e.action for e in entries] == ["gl_mapping.save"] and entries[0].details["version"] == r.json()[
        "version"
    ]


def test_the_periodic_job_makes_the_vouchers_once_in_batches(
    api: Any, migrated_engine: Engine, settings: Settings
) -> None:
    from reimburse.jobs import tasks
    from reimburse.vouchers import service

    client, demo = api
    put_rate(client, "USD", "7.1234")
    first = approved_claim(client, migrated_engine, demo, 1)
    second = approved_claim(client, migrated_engine, demo, 2)
    with Session(migrated_engine) as s:
        [made] = service.generate(s, "approval", limit=1)  # the one decided first
        assert (made.claim_id, made.seq) == (first["id"], 1)
        s.commit()
    assert tasks.vouchers(settings) == 1  # the rest
    assert tasks.vouchers(settings) == 0  # idempotent: nothing new the second time
    finrev = login(client, "finrev")
    listed = client.get("/api/v1/vouchers", headers=finrev).json()["items"]
    assert [(v["claim_id"], v["seq"]) for v in listed] == [(first["id"], 1), (second["id"], 2)]
    assert all(v["balanced"] for v in listed) and "vouchers" in tasks.JOBS

"""Issue 18: cash repaid on an advance books its own voucher (bank debited, the advance
receivable credited), so the receivable in the vouchers nets to what the API says is still
outstanding. Through the API, on SQLite and PostgreSQL; and migration 0021 both ways."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from reimburse.core.migrate import downgrade, upgrade
from reimburse.core.settings import Settings
from tests.advances.test_advances_api import approve_all, claim, paid_advance
from tests.api_helpers import demo_api, login

D = Decimal
RECEIVABLE, BANK = "1221.01", "1002"
EXPORTS = {
    "csv": "/api/v1/vouchers/export.csv",
    "json": "/api/v1/vouchers/export.json",
    "kingdee": "/api/v1/vouchers/export.xlsx?target=kingdee",
    "u8": "/api/v1/vouchers/export.xlsx?target=u8",
}


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _lines(voucher: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(x["kind"], x["account_code"], x["debit"], x["credit"]) for x in voucher["lines"]]


def _net(vouchers: list[dict[str, Any]], account: str) -> Decimal:
    return sum(
        (
            D(x["debit"]) - D(x["credit"])
            for v in vouchers
            for x in v["lines"]
            if x["account_code"] == account
        ),
        D(0),
    )


def _advance_offset_and_repay(client: TestClient, alice: dict[str, str], finrev: dict[str, str]) -> int:
    """2,000 paid out; a claim of 1,500 offsets 1,500 of it; 500 repaid in cash, the call sent
    twice with one Idempotency-Key (one repayment recorded)."""
    advance_id = paid_advance(client, alice, "2000.00", "ADV-2000")
    c = claim(client, alice, "1500.00")
    approve_all(client, c["id"])
    assert client.get(f"/api/v1/claims/{c['id']}", headers=alice).json()["advance_offset"] == "1500.00"
    assert client.get("/api/v1/advances/balance", headers=alice).json()["outstanding"] == "500.00"
    key = {**finrev, "Idempotency-Key": "repay-adv-2000"}
    url = f"/api/v1/advances/{advance_id}/repayments"
    first = client.post(url, headers=key, json={"amount": "500.00", "reference": "RCPT-500"})
    again = client.post(url, headers=key, json={"amount": "500.00", "reference": "RCPT-500"})
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json() == again.json() and first.json()["outstanding"] == "0.00"
    return advance_id


def test_a_repayment_books_its_own_voucher_and_the_receivable_nets_to_the_outstanding(api: Any) -> None:
    client, _ = api
    alice, finrev = login(client, "alice"), login(client, "finrev")
    advance_id = _advance_offset_and_repay(client, alice, finrev)
    balance = client.get("/api/v1/advances/balance", headers=alice).json()
    [advance] = balance["advances"]
    [repaid] = [m for m in advance["movements"] if m["kind"] == "repayment"]  # booked once

    made = client.post("/api/v1/vouchers/generate", headers=finrev)
    assert made.status_code == 200, made.text
    payout, expense, repayment = made.json()["items"]  # in the order they happened
    assert payout["claim_id"] == advance_id and payout["movement_id"] is None
    assert expense["movement_id"] is None and expense["claim_id"] != advance_id
    assert [x["credit"] for x in expense["lines"] if x["kind"] == "advance_offset"] == ["1500.00"]

    # the repayment: bank debited, the receivable credited, dated the day it was recorded (books
    # kept in China's time), numbered after the others, balanced
    assert repayment["claim_id"] == advance_id and repayment["movement_id"] is not None
    assert _lines(repayment) == [
        ("repayment_bank", BANK, "500.00", "0.00"),
        ("advance_repaid", RECEIVABLE, "0.00", "500.00"),
    ]
    assert repayment["balanced"] is True and repayment["debits"] == repayment["credits"] == "500.00"
    assert repayment["total"] == "500.00" and repayment["payee"] == payout["payee"]
    day = datetime.fromisoformat(repaid["at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert repayment["date"] == day.isoformat()
    assert payout["seq"] < expense["seq"] < repayment["seq"]
    assert len({v["number"] for v in (payout, expense, repayment)}) == 3

    # the receivable nets to what the API says is outstanding: 2,000 - 1,500 - 500 = 0; the bank
    # paid 2,000 out and took 500 back
    listed = client.get("/api/v1/vouchers", headers=finrev).json()["items"]
    assert [v["number"] for v in listed] == [v["number"] for v in (payout, expense, repayment)]
    outstanding = D(client.get("/api/v1/advances/balance", headers=alice).json()["outstanding"])
    assert _net(listed, RECEIVABLE) == outstanding == 0
    assert _net(listed, BANK) == D("-1500.00")
    # the advance's own voucher is still its payout
    own = client.get(f"/api/v1/vouchers/claims/{advance_id}", headers=finrev).json()
    assert own["number"] == payout["number"]

    # generate again makes nothing; every export carries the repayment, balanced, byte-identical
    assert client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"] == []
    first = {name: client.get(url, headers=finrev).content for name, url in EXPORTS.items()}
    assert client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"] == []
    assert first == {name: client.get(url, headers=finrev).content for name, url in EXPORTS.items()}
    rows = [r for r in csv.DictReader(io.StringIO(first["csv"].decode("utf-8-sig")))]
    mine = [r for r in rows if r["voucher_number"] == repayment["number"]]
    assert [(r["account_code"], r["debit"], r["credit"]) for r in mine] == [
        (BANK, "500.00", "0.00"),
        (RECEIVABLE, "0.00", "500.00"),
    ]
    [exported] = [v for v in json.loads(first["json"])["vouchers"] if v["number"] == repayment["number"]]
    assert exported["debits"] == exported["credits"] == "500.00" and exported["date"] == day.isoformat()
    kingdee = list(load_workbook(io.BytesIO(first["kingdee"])).active.iter_rows(values_only=True))[2:]
    assert {row[4] for row in kingdee if row[4] is not None} == {
        payout["seq"],
        expense["seq"],
        repayment["seq"],
    }
    u8 = list(load_workbook(io.BytesIO(first["u8"])).active.iter_rows(values_only=True))[1:]
    sums = [(D(str(r[6])), D(str(r[7]))) for r in u8 if r[2] == repayment["seq"]]
    assert sums == [(D("500.00"), D(0)), (D(0), D("500.00"))]


def test_repayments_made_later_are_numbered_after_and_leave_earlier_vouchers_alone(api: Any) -> None:
    client, _ = api
    alice, finrev = login(client, "alice"), login(client, "finrev")
    advance_id = paid_advance(client, alice, "800.00", "ADV-800")
    url = f"/api/v1/advances/{advance_id}/repayments"
    assert client.post(url, headers=finrev, json={"amount": "300.00"}).status_code == 200
    payout, first = client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"]
    assert payout["movement_id"] is None and first["movement_id"] is not None
    before = client.get(EXPORTS["json"], headers=finrev).content
    # the same amount again, without a key, is a second repayment and a second voucher
    assert client.post(url, headers=finrev, json={"amount": "300.00"}).json()["outstanding"] == "200.00"
    [second] = client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"]
    assert second["movement_id"] != first["movement_id"] and second["seq"] == first["seq"] + 1
    after = json.loads(client.get(EXPORTS["json"], headers=finrev).content)["vouchers"]
    assert after[:2] == json.loads(before)["vouchers"]  # the earlier ones unchanged
    listed = client.get("/api/v1/vouchers", headers=finrev).json()["items"]
    assert (
        _net(listed, RECEIVABLE)
        == D("200.00")
        == D(client.get("/api/v1/advances/balance", headers=alice).json()["outstanding"])
    )


def test_migration_0021_down_and_up_keeps_the_vouchers_and_refuses_to_drop_a_repayment_voucher(
    api: Any, migrated_engine: Engine
) -> None:
    client, _ = api
    alice, finrev = login(client, "alice"), login(client, "finrev")
    url = migrated_engine.url.render_as_string(hide_password=False)
    advance_id = paid_advance(client, alice, "2000.00", "ADV-2000")
    c = claim(client, alice, "1500.00")
    approve_all(client, c["id"])
    made = client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"]
    assert len(made) == 2
    exported = client.get(EXPORTS["json"], headers=finrev).content
    try:
        downgrade(url, "0020_preapproval_link")
        with migrated_engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM vouchers")).scalar() == 2
        # the old one-voucher-per-claim rule is back
        with pytest.raises(IntegrityError), migrated_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO vouchers (claim_id, period, seq, number, voucher_date, mapping_version, "
                    "currency, total, lines, created_at) SELECT claim_id, period, 99, 'X-99', voucher_date, "
                    "mapping_version, currency, total, lines, created_at FROM vouchers WHERE claim_id = :c"
                ),
                {"c": advance_id},
            )
        upgrade(url)
        assert client.get(EXPORTS["json"], headers=finrev).content == exported
        assert client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"] == []
        repaid = client.post(
            f"/api/v1/advances/{advance_id}/repayments", headers=finrev, json={"amount": "500.00"}
        )
        assert repaid.status_code == 200, repaid.text
        [repayment] = client.post("/api/v1/vouchers/generate", headers=finrev).json()["items"]
        assert repayment["claim_id"] == advance_id
        # the old schema cannot hold it: the downgrade says so and changes nothing
        with pytest.raises(RuntimeError, match="0021_movement_vouchers"):
            downgrade(url, "0020_preapproval_link")
        listed = client.get("/api/v1/vouchers", headers=finrev).json()["items"]
        assert [v["number"] for v in listed] == [v["number"] for v in made] + [repayment["number"]]
    finally:
        upgrade(url)

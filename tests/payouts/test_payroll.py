"""Payroll gets what it needs: employee number, payee name and bank account per person, the
account encrypted at rest and masked everywhere but payroll's pull and export; the paid list,
the reconciliation export, and a reference that arrives after the payment was recorded."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pydantic import SecretStr
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from reimburse.cli import app as cli_app
from reimburse.core.settings import Settings
from reimburse.identity.datakey import (
    DEV_DATA_KEY,
    BadDataKey,
    DataCipher,
    SealedValueUnreadable,
    cipher_for,
    mask,
)
from tests.api_helpers import demo_api, login
from tests.audit.helpers import cli
from tests.payouts.helpers import approved_claim

ACCOUNT = "6225 8801 2345 6789"
PLAIN = "6225880123456789"


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _bank(client: TestClient, user_id: int, **fields: Any) -> Any:
    admin = login(client, "admin")
    return client.put(f"/api/v1/admin/users/{user_id}/payroll", headers=admin, json=fields)


def _alice_paid_by_bank(client: TestClient, demo: dict[str, Any]) -> None:
    r = _bank(
        client,
        demo["users"]["alice"],
        employee_number="E0042",
        payee_name="张小花",
        bank_name="招商银行",
        bank_branch="上海分行",
        bank_account=ACCOUNT,
    )
    assert r.status_code == 200, r.text


def test_admin_sets_bank_data_encrypted_at_rest_masked_and_audited(api: Any, migrated_engine: Engine) -> None:
    client, demo = api
    alice_id = demo["users"]["alice"]
    _alice_paid_by_bank(client, demo)
    admin = login(client, "admin")
    shown = client.get(f"/api/v1/admin/users/{alice_id}/payroll", headers=admin).json()
    assert shown == {
        "user_id": alice_id,
        "employee_number": "E0042",
        "payee_name": "张小花",
        "bank_name": "招商银行",
        "bank_branch": "上海分行",
        "bank_account": "**** **** 6789",
    }
    with migrated_engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM users WHERE id = :id"), {"id": alice_id}).mappings().one()
        trail = " ".join(str(d) for d in conn.execute(text("SELECT details FROM audit_entries")).scalars())
        actions = set(conn.execute(text("SELECT action FROM audit_entries")).scalars())
    stored = " ".join(str(v) for v in row.values())
    assert PLAIN not in stored and "23456789" not in stored  # no plaintext (nor most of it) at rest
    assert row["bank_account_sealed"].startswith("v1:")
    # the seal opens with the key and only for this person's row
    cipher = DataCipher(DEV_DATA_KEY)
    assert cipher.open(row["bank_account_sealed"], f"users/{alice_id}/bank_account") == PLAIN
    with pytest.raises(SealedValueUnreadable):
        cipher.open(row["bank_account_sealed"], f"users/{alice_id + 1}/bank_account")
    # the admin trail names the change with masked values only
    assert "user.payroll" in actions
    assert "**** **** 6789" in trail and PLAIN not in trail and ACCOUNT not in trail
    # a new number: trail says masked old -> masked new
    assert _bank(client, alice_id, bank_account="6225880199990001").json()["bank_account"] == "**** **** 0001"
    # refused: not an admin, a malformed account, someone else's employee number
    alice = login(client, "alice")
    assert client.put(f"/api/v1/admin/users/{alice_id}/payroll", headers=alice, json={}).status_code == 403
    bad = _bank(client, alice_id, bank_account="62x5")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_bank_account"
    taken = _bank(client, demo["users"]["bob"], employee_number="E0042")
    assert taken.status_code == 422 and taken.json()["error"]["code"] == "employee_number_taken"
    assert _bank(client, 999_999, payee_name="x").status_code == 404


def test_the_account_number_is_shown_only_to_payroll(api: Any) -> None:
    client, demo = api
    _alice_paid_by_bank(client, demo)
    alice, admin, finrev = login(client, "alice"), login(client, "admin"), login(client, "finrev")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    claim = approved_claim(client, alice)
    # payroll's pull and exports: in full, with who, where and when
    pulled = client.get("/api/v1/payouts", headers=payroll).json()["items"]
    assert len(pulled) == 1
    row = pulled[0]
    assert row["claim_id"] == claim["id"] and row["bank_account"] == PLAIN
    assert (row["employee_number"], row["payee"], row["bank_name"], row["bank_branch"]) == (
        "E0042", "张小花", "招商银行", "上海分行",
    )  # fmt: skip
    assert row["department"] == "华东销售组" and row["approved_at"] == claim["decided_at"]
    exported = client.get("/api/v1/payouts/export.csv", headers=payroll).content.decode("utf-8-sig")
    header, line = exported.splitlines()[:2]
    assert "employee_number" in header and "bank_account" in header and "department" in header
    assert PLAIN in line and "E0042" in line and "华东销售组" in line
    sheet = load_workbook(
        io.BytesIO(client.get("/api/v1/payouts/export.xlsx", headers=payroll).content)
    ).active
    assert sheet is not None
    titles = [c.value for c in sheet[1]]
    cells = dict(zip(titles, [c.value for c in sheet[2]], strict=True))
    assert cells["bank_account"] == PLAIN
    assert isinstance(cells["total"], int | float | Decimal) and Decimal(str(cells["total"])) == Decimal(
        "600"
    )
    # everything else that shows a person: masked or absent
    client.post(f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={"reference": "SAL-1"})
    for who, url in (
        (alice, "/api/v1/me"),
        (alice, "/api/v1/people"),
        (alice, f"/api/v1/claims/{claim['id']}"),
        (admin, "/api/v1/admin/users"),
        (admin, f"/api/v1/admin/users/{demo['users']['alice']}/payroll"),
        (finrev, "/api/v1/payouts/paid"),
        (finrev, "/api/v1/payouts/reconciliation.csv"),
        (admin, "/api/v1/audit/export"),
        (finrev, "/api/v1/claims?mine=false"),
        (finrev, "/api/v1/inbox"),
    ):
        r = client.get(url, headers=who)
        assert r.status_code in (200, 404), (url, r.status_code)
        assert PLAIN not in r.text and ACCOUNT not in r.text, url
    listed = client.get("/api/v1/payouts/paid", headers=finrev).json()["items"]
    assert listed[0]["bank_account"] == "**** **** 6789"


def test_a_reference_that_comes_after_the_payment_is_recorded_never_dropped(
    api: Any, migrated_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, demo = api
    alice = login(client, "alice")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    claim = approved_claim(client, alice)
    url = f"/api/v1/payouts/{claim['id']}/paid"
    first = client.post(url, headers=payroll)  # paid, reference not known yet
    assert first.status_code == 200 and first.json()["reference"] is None
    waiting = client.get("/api/v1/payouts/paid?missing_reference=true", headers=payroll).json()["items"]
    assert [p["claim_id"] for p in waiting] == [claim["id"]]
    late = client.post(url, headers=payroll, json={"reference": "BANK-778"})
    assert late.status_code == 200, late.text
    assert late.json()["reference"] == "BANK-778" and late.json()["paid_at"] == first.json()["paid_at"]
    assert client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["payout_reference"] == "BANK-778"
    timeline = client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["timeline"]
    assert [e["action"] for e in timeline][-2:] == ["paid", "payout_reference"]
    assert client.get("/api/v1/payouts/paid?missing_reference=true", headers=payroll).json()["items"] == []
    # the same reference again: the same answer; another reference: a conflict, nothing changes
    again = client.post(url, headers=payroll, json={"reference": "BANK-778"})
    assert again.status_code == 200 and again.json() == late.json()
    other = client.post(url, headers=payroll, json={"reference": "BANK-999"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "already_paid"
    entries = client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["timeline"]
    assert [e["action"] for e in entries].count("payout_reference") == 1
    with migrated_engine.connect() as conn:
        refs = conn.execute(
            text("SELECT payout_reference, paid_by FROM claims WHERE id = :id"), {"id": claim["id"]}
        ).one()
    assert tuple(refs) == ("BANK-778", "apikey:1") or (
        refs[0] == "BANK-778" and refs[1].startswith("apikey:")
    )
    # the audit chain still verifies: the reference is part of the claim's material, and the
    # late one is bound by its own entry
    verified = cli(monkeypatch, settings, "audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_the_idempotency_key_still_replays_the_first_answer(api: Any) -> None:
    client, demo = api
    alice = login(client, "alice")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    claim = approved_claim(client, alice)
    keyed = {**payroll, "Idempotency-Key": "pay-late-1"}
    url = f"/api/v1/payouts/{claim['id']}/paid"
    first = client.post(url, headers=keyed)
    replay = client.post(url, headers=keyed)
    assert first.status_code == replay.status_code == 200 and first.json() == replay.json()
    reused = client.post(url, headers=keyed, json={"reference": "X-1"})  # same key, other body
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"


def test_paid_list_and_reconciliation_export_say_what_when_which_reference_and_by_whom(api: Any) -> None:
    client, demo = api
    _alice_paid_by_bank(client, demo)
    alice, bob, finrev = login(client, "alice"), login(client, "bob"), login(client, "finrev")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    one = approved_claim(client, alice)
    two = approved_claim(client, bob, "700.00")
    client.post(f"/api/v1/payouts/{one['id']}/paid", headers=payroll,
                json={"reference": "SAL-A", "paid_at": "2026-03-05T10:00:00+00:00"})  # fmt: skip
    client.post(f"/api/v1/payouts/{two['id']}/paid", headers=finrev,
                json={"reference": "SAL-B", "paid_at": "2026-04-02T10:00:00+00:00"})  # fmt: skip
    everything = client.get("/api/v1/payouts/paid", headers=finrev).json()["items"]
    assert [(p["claim_id"], p["reference"]) for p in everything] == [
        (one["id"], "SAL-A"),
        (two["id"], "SAL-B"),
    ]
    assert everything[0]["paid_by"].startswith("apikey:")
    assert everything[1]["paid_by"] == f"user:{demo['users']['finrev']}"
    assert everything[0]["paid_at"].startswith("2026-03-05")
    march = client.get("/api/v1/payouts/paid?since=2026-03-01&until=2026-03-31", headers=finrev).json()
    assert [p["claim_id"] for p in march["items"]] == [one["id"]]
    csv_text = client.get(
        "/api/v1/payouts/reconciliation.csv?since=2026-04-01", headers=finrev
    ).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].split(",")[-3:] == ["paid_at", "reference", "paid_by"]
    assert len(lines) == 2 and "SAL-B" in lines[1] and "700.00" in lines[1]
    xlsx = client.get("/api/v1/payouts/reconciliation.xlsx", headers=finrev).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    titles = [c.value for c in sheet[1]]
    totals = [row[titles.index("total")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(t, int | float) for t in totals) and sum(totals) == 1300
    assert client.get("/api/v1/payouts/paid", headers=alice).status_code == 403
    assert client.get("/api/v1/payouts/paid?since=2026-13-01", headers=finrev).status_code == 422


def test_the_data_key_is_required_outside_development(tmp_path: Any) -> None:
    with pytest.raises(BadDataKey):
        cipher_for(Settings(environment="production", data_dir=tmp_path))
    with pytest.raises(BadDataKey):
        cipher_for(Settings(environment="test", data_dir=tmp_path, data_key=SecretStr("c2hvcnQ=")))
    real = cipher_for(
        Settings(environment="production", data_dir=tmp_path, data_key=SecretStr("B" * 43 + "="))
    )
    sealed = real.seal(PLAIN, "users/1/bank_account")
    assert real.open(sealed, "users/1/bank_account") == PLAIN
    with pytest.raises(SealedValueUnreadable):  # another key does not open it
        DataCipher(DEV_DATA_KEY).open(sealed, "users/1/bank_account")
    assert mask(PLAIN) == "**** **** 6789" and mask(None) is None
    printed = CliRunner().invoke(cli_app, ["payroll", "new-key"])
    assert printed.exit_code == 0 and len(base64.b64decode(printed.output.strip())) == 32
    fresh = cipher_for(Settings(environment="production", data_dir=tmp_path, data_key=printed.output.strip()))
    assert fresh.key != real.key and fresh.open(fresh.seal("1", "c"), "c") == "1"

"""The trail for auditors: payments and every admin change are on it, it exports as JSON Lines
or CSV with signatures, and the export checks offline with the published key (issue 13)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.audit.keys import Signer, _from_b64
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.audit.helpers import approve_all, cli, new_claim, per_diem, submit

DAY = (date.today() - timedelta(days=3)).isoformat()


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    # the webhook saved below points at loopback, which only a listed network may reach
    listed = settings.model_copy(update={"webhook_allowed_networks": "127.0.0.1/32"})
    with demo_api(migrated_engine, listed) as pair:
        yield pair


def _auditor(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    body = {
        "username": "auditor1",
        "display_name": "审计",
        "password": "audit-pass-123",
        "roles": ["auditor"],
    }
    assert client.post("/api/v1/admin/users", headers=admin, json=body).status_code == 201
    r = client.post("/api/v1/auth/login", json={"username": "auditor1", "password": "audit-pass-123"})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _export(client: TestClient, who: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/audit/export", headers=who, params=params)
    assert r.status_code == 200, r.text
    return [json.loads(line) for line in r.text.splitlines()]


def test_payments_and_admin_changes_are_recorded_and_exported(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, demo = api
    admin, alice, finrev = login(client, "admin"), login(client, "alice"), login(client, "finrev")
    auditor = _auditor(client, admin)
    users = demo["users"]
    # every kind of admin change
    policy = client.get("/api/v1/admin/policy", headers=admin).json()["text"]
    assert client.put("/api/v1/admin/policy", headers=admin, json={"text": policy}).status_code == 200
    flow = (
        client.get("/api/v1/admin/flows/default", headers=admin)
        .json()["text"]
        .replace("version: 2", "version: 3")
    )
    assert client.put("/api/v1/admin/flows", headers=admin, json={"text": flow}).status_code == 200
    budget = {"department_id": demo["departments"]["east"], "category": "*", "period": "year",
              "start": f"{date.today().year}-01-01", "amount": "90000.00"}  # fmt: skip
    assert client.post("/api/v1/admin/budgets", headers=finrev, json=budget).status_code == 201
    assert (
        client.patch(f"/api/v1/admin/users/{users['bob']}", headers=admin, json={"rank": 2}).status_code
        == 200
    )
    dept = client.post("/api/v1/admin/departments", headers=admin, json={"name": "华南销售组"}).json()
    moved = {"name": "华南组", "parent_id": demo["departments"]["sales"]}
    assert (
        client.patch(f"/api/v1/admin/departments/{dept['id']}", headers=admin, json=moved).status_code == 200
    )
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["claim.approved"]}
    assert client.post("/api/v1/admin/webhooks", headers=admin, json=hook).status_code == 201
    today = date.today()
    deleg = {"user_id": users["teamlead"], "delegate_id": users["saleshead"], "starts_on": today.isoformat(),
             "ends_on": (today + timedelta(days=2)).isoformat()}  # fmt: skip
    d = client.post("/api/v1/admin/delegations", headers=admin, json=deleg).json()
    assert client.delete(f"/api/v1/admin/delegations/{d['id']}", headers=admin).status_code == 200
    key = client.post(
        "/api/v1/admin/api-keys", headers=admin, json={"name": "erp", "scopes": ["payouts:read"]}
    )
    assert key.status_code == 201 and key.json()["key"].startswith("rk_")
    assert client.post(f"/api/v1/admin/api-keys/{key.json()['id']}/revoke", headers=admin).status_code == 200
    handover = {"mode": "fallback", "fallbacks": {"*": users["gm"]}}
    assert client.put("/api/v1/admin/controls/handover", headers=admin, json=handover).status_code == 200
    # a payment, with payroll's reference
    claim = new_claim(client, alice, per_diem("1500.00", DAY))
    submit(client, alice, claim["id"])
    approve_all(client, claim["id"])
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    assert client.post(f"/api/v1/payouts/{claim['id']}/paid", headers=payroll,
                       json={"reference": "SAL-2026-12"}).status_code == 200  # fmt: skip

    records = _export(client, auditor)
    entries = [r for r in records if r["type"] == "entry"]
    assert [e["chain_seq"] for e in entries] == list(range(1, len(entries) + 1))
    admin_actions = {e["action"] for e in entries if e["claim_id"] is None}
    assert {"user.create", "policy.save", "flow.save", "budget.create", "user.update", "department.create",
            "department.update", "webhook.create", "delegation.create", "delegation.revoke", "apikey.create",
            "apikey.revoke", "control.set"} <= admin_actions  # fmt: skip
    assert all(e["actor"] == f"user:{users['admin']}" for e in entries if e["action"].startswith("user."))
    assert next(e for e in entries if e["action"] == "budget.create")["actor"] == f"user:{users['finrev']}"
    assert "secret" not in json.dumps([e for e in entries if e["action"] == "webhook.create"])
    paid = next(e for e in entries if e["action"] == "paid")
    assert paid["claim_id"] == claim["id"] and paid["details"]["reference"] == "SAL-2026-12"
    assert (paid["state_before"], paid["state_after"]) == ("approved", "paid") and paid["material"]
    assert paid["actor"].startswith("apikey:")
    # people without the role get nothing
    assert client.get("/api/v1/audit/export", headers=alice).status_code == 403
    assert client.get("/api/v1/audit/export", headers=login(client, "teamlead")).status_code == 403


def test_an_export_checks_offline_and_tampering_with_the_file_is_found(
    api: tuple[TestClient, dict[str, Any]],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    client, _ = api
    admin, alice, bob = login(client, "admin"), login(client, "alice"), login(client, "bob")
    auditor = _auditor(client, admin)
    claim = new_claim(client, alice, per_diem("1500.00", DAY))
    submit(client, alice, claim["id"])
    submit(client, bob, new_claim(client, bob, per_diem("700.00", DAY))["id"])
    approve_all(client, claim["id"])
    assert cli(monkeypatch, settings, "audit", "checkpoint").exit_code == 0
    published = client.get("/api/v1/audit/public-key", headers=auditor).json()
    printed = json.loads(cli(monkeypatch, settings, "audit", "public-key").stdout)
    assert printed["public_key"] == published["public_key"] and published["algorithm"] == "Ed25519"
    key = published["public_key"]

    def check(path: Path) -> Any:
        return cli(monkeypatch, settings, "audit", "verify", "--file", str(path), "--public-key", key)

    for params in ({"claim_id": claim["id"]}, {}, {"since": f"{DAY}T00:00:00Z"}):
        for fmt in ("jsonl", "csv"):
            r = client.get("/api/v1/audit/export", headers=auditor, params={**params, "format": fmt})
            assert r.status_code == 200, r.text
            path = tmp_path / f"export.{fmt}"
            path.write_text(r.text, encoding="utf-8")
            ok = check(path)
            assert ok.exit_code == 0 and "intact" in ok.stdout, (params, fmt, ok.stdout)
    whole = _export(client, auditor, claim_id=claim["id"])
    assert whole[0]["type"] == "header" and whole[-1]["type"] == "statement"
    assert any(r["type"] == "checkpoint" for r in whole)
    assert {r["claim_id"] for r in whole if r["type"] == "entry"} == {claim["id"]}

    def write(records: list[dict[str, Any]]) -> Path:
        path = tmp_path / "tampered.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        return path

    # an entry changed in the file
    changed = [dict(r) for r in whole]
    first = next(i for i, r in enumerate(changed) if r["type"] == "entry")
    changed[first] = {**changed[first], "comment": "changed"}
    assert check(write(changed)).exit_code == 1
    # an entry dropped from the file (the newest of the claim)
    last = max(i for i, r in enumerate(whole) if r["type"] == "entry")
    dropped = check(write(whole[:last] + whole[last + 1 :]))
    assert dropped.exit_code == 1 and "not the ones the statement signed" in dropped.stdout
    # a forged statement over a shortened file does not carry a valid signature
    statement = {**whole[-1], "count": whole[-1]["count"] - 1}
    assert check(write([*whole[:last], *whole[last + 1 : -1], statement])).exit_code == 1
    # another installation's key does not vouch for this file
    other = cli(monkeypatch, settings, "audit", "new-key").stdout.strip()
    wrong = Signer(_from_b64(other)).verifier().public_b64
    path = write(whole)
    assert (
        cli(monkeypatch, settings, "audit", "verify", "--file", str(path), "--public-key", key).exit_code == 0
    )
    assert (
        cli(monkeypatch, settings, "audit", "verify", "--file", str(path), "--public-key", wrong).exit_code
        == 1
    )
    # the command line writes the same kind of file
    out = tmp_path / "cli.jsonl"
    written = cli(monkeypatch, settings, "audit", "export", "--claim", str(claim["id"]), "--out", str(out))
    assert written.exit_code == 0 and check(out).exit_code == 0

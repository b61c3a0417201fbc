"""One claim through every control of issue 13, through the API (SQLite, and PostgreSQL when the
suite runs there): draft -> submit -> return -> raise -> resubmit -> re-approval on the full route
-> a voided answer from the bureau -> stopped, off payroll's list -> finance decision -> payment.

Kept as one test function with helpers so that further checks (the audit trail's verification)
can be added at each stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from reimburse.audit.chain import Entry
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.audit.helpers import cli
from tests.audit.test_audit_verify import _entries, _restore, _rewrite, _snapshot, entry_of_dict
from tests.claims.controls_helpers import (
    act,
    approve_through,
    bureau_has,
    check_now,
    claim,
    einvoice,
    holders,
    invoice_item,
    payable_ids,
    upload,
    xml_file,
)
from tests.verification.test_verification_tencent import FakeProvider, ok, provider

__all__ = ["provider"]  # the local fake bureau fixture


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def test_a_claim_through_every_control(
    api: tuple[TestClient, dict[str, Any]],
    migrated_engine: Engine,
    settings: Settings,
    provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, demo = api
    alice, finrev = login(client, "alice"), login(client, "finrev")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    dinner = einvoice(1200, "1200.00", "1132.08", "67.92")
    event = einvoice(55000, "55000.00", "51886.79", "3113.21")
    first_doc = upload(client, alice, migrated_engine, settings, "dinner.xml", xml_file(dinner))

    # draft: read, and checked with the bureau before it is submitted
    draft = client.post(
        "/api/v1/claims",
        headers=alice,
        json={"purpose": "客户答谢", "items": [invoice_item(first_doc, "1200.00")]},
    ).json()
    provider.replies.append(bureau_has(dinner))
    assert check_now(migrated_engine, provider) == 1
    (row,) = client.get(f"/api/v1/claims/{draft['id']}/verification", headers=alice).json()["items"]
    assert (row["state"], row["status"]) == ("done", "normal")

    # submit: above 1,000 -> finance pre-review, then the general manager
    submitted = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice).json()
    assert submitted["status"] == "submitted", submitted
    assert [n["id"] for n in submitted["route"]["nodes"] if n["kind"] != "cc"] == [
        "finance_review",
        "general_manager",
    ]
    assert "verification_pending" not in {f["code"] for f in submitted["risk"]["findings"]}
    claim_id = int(submitted["id"])

    # step 1 approves, step 2 returns
    assert act(client, finrev, claim_id, "approve").status_code == 200
    returned = act(client, login(client, "gm"), claim_id, "return", comment="请附上活动费用")
    assert returned.json()["status"] == "returned"

    # raise: a second invoice makes it 56,200; the edit is on the timeline, old -> new
    second_doc = upload(client, alice, migrated_engine, settings, "event.xml", xml_file(event))
    edited = client.patch(
        f"/api/v1/claims/{claim_id}",
        headers=alice,
        json={
            "purpose": "客户答谢",
            "items": [
                invoice_item(first_doc, "1200.00"),
                invoice_item(second_doc, "55000.00", "client_entertainment", attendees=200),
            ],
            "version": returned.json()["version"],
        },
    )
    assert edited.status_code == 200, edited.text
    edit = [e for e in edited.json()["timeline"] if e["action"] == "edit"]
    assert len(edit) == 1 and "total: 1200.00 -> 56200.00" in edit[0]["comment"]

    # resubmit: planned again from the start with the steps 56,200 needs; the old approval is gone
    again = client.post(f"/api/v1/claims/{claim_id}/submit", headers=alice).json()
    nodes = [n for n in again["route"]["nodes"] if n["kind"] != "cc"]
    assert nodes[0]["id"] == "finance_review" and "ceo" in [n["id"] for n in nodes]
    assert nodes[0]["status"] == "active" and all(t["status"] != "approved" for t in nodes[0]["tasks"])
    assert holders(client, claim_id) == ["finrev"]
    approvers = approve_through(client, claim_id)
    assert approvers[0] == "finrev" and approvers[-1] == "ceo" and "gm" in approvers
    approved = claim(client, alice, claim_id)
    assert approved["status"] == "approved"
    assert payable_ids(client, payroll) == [claim_id]

    # the bureau answers for the second invoice: voided -> stopped, off payroll's list
    provider.replies.append(
        ok(Number=event.number, Date=event.date, AmountWithTax=event.total, IsAbandoned="1")
    )
    assert check_now(migrated_engine, provider) == 1
    stopped = claim(client, finrev, claim_id)
    assert stopped["hold"] is not None and "invoice_voided" in {r["code"] for r in stopped["hold"]["reasons"]}
    assert "verification_pending" not in {f["code"] for f in stopped["risk"]["findings"]}
    assert payable_ids(client, payroll) == []
    refused = client.post(f"/api/v1/payouts/{claim_id}/paid", headers=payroll, json={"reference": "SAL-1"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "claim_held"
    queue = client.get("/api/v1/finance/exceptions", headers=finrev).json()["items"]
    assert [c["id"] for c in queue] == [claim_id]

    # only finance decides, with a reason, and the decision is on the timeline
    assert act(client, alice, claim_id, "release", comment="ok").status_code == 403
    assert act(client, finrev, claim_id, "release").status_code == 422
    released = act(client, finrev, claim_id, "release", comment="卖方已重开发票，原件存档")
    assert released.status_code == 200, released.text
    assert released.json()["hold"] is None
    decision = released.json()["timeline"][-1]
    assert decision["action"] == "finance_release" and "卖方已重开发票" in decision["comment"]
    assert client.get("/api/v1/finance/exceptions", headers=finrev).json()["items"] == []

    # payment
    assert payable_ids(client, payroll) == [claim_id]
    paid = client.post(f"/api/v1/payouts/{claim_id}/paid", headers=payroll, json={"reference": "SAL-1"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    actions = [e["action"] for e in claim(client, alice, claim_id)["timeline"]]
    assert actions[:5] == ["submit", "approve", "return", "edit", "replan"]
    assert actions[-3:] == ["hold", "finance_release", "paid"]

    # the trail of this claim holds, and an amount edited behind the service's back is found
    assert cli(monkeypatch, settings, "audit", "checkpoint").exit_code == 0
    intact = cli(monkeypatch, settings, "audit", "verify")
    assert intact.exit_code == 0, intact.stdout
    saved = _snapshot(migrated_engine)

    def broken() -> str:
        result = cli(monkeypatch, settings, "audit", "verify")
        assert result.exit_code == 1, result.stdout
        return str(result.stdout)

    # an amount edited in the database
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE claims SET total = total + 1000 WHERE id = :c"), {"c": claim_id})
    assert f"claim {claim_id}" in broken()
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE claims SET total = total - 1000 WHERE id = :c"), {"c": claim_id})
    # the newest entry deleted
    newest = max(e.chain_seq for e in _entries(migrated_engine))
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE chain_seq = :s"), {"s": newest})
    assert "stored head" in broken()
    _restore(migrated_engine, saved)
    # this claim's entries deleted
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE claim_id = :c"), {"c": claim_id})
    assert f"claim {claim_id}" in broken()
    _restore(migrated_engine, saved)
    # an entry rewritten with a recomputed hash (the finance decision, reworded)
    target = next(e for e in _entries(migrated_engine) if e.action == "finance_release")
    _rewrite(migrated_engine, [Entry(**{**entry_of_dict(target), "comment": "无需说明"}).sealed()])
    assert "prev_hash does not match" in broken()
    _restore(migrated_engine, saved)
    assert cli(monkeypatch, settings, "audit", "verify").exit_code == 0

"""Issue 15, items 4, 6 and 7 through the API: a blocked claim is refused at submission and
nothing changes; a returned claim's items, amounts and invoices can be changed with the
registry and the trail intact; drafts can be deleted, a duplicate leaves no draft behind, and
uploads not yet in a claim can be found again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetReservation
from reimburse.claims.records import ClaimRecord, InvoiceRegistration
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.audit.helpers import cli
from tests.claims.controls_helpers import (
    act,
    check_now,
    claim,
    einvoice,
    holders,
    invoice_item,
    upload,
    webhook_topics,
    xml_file,
)
from tests.claims.test_claims_api import per_diem
from tests.verification.test_verification_tencent import FakeProvider, ok, provider

__all__ = ["provider"]  # the local fake bureau fixture

Api = tuple[TestClient, dict[str, Any]]
VOIDED = einvoice(701, "212.00", "200.00", "12.00")
LUNCH = einvoice(702, "318.00", "300.00", "18.00")
DINNER = einvoice(703, "424.00", "400.00", "24.00")
TAXI = einvoice(704, "53.00", "50.00", "3.00")


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[Api]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _draft(client: TestClient, who: dict[str, str], *items: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/claims", headers=who, json={"purpose": "招待客户", "items": list(items)})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _registered(engine: Engine, claim_id: int) -> set[str]:
    with Session(engine) as s:
        return set(
            s.scalars(select(InvoiceRegistration.invoice_key).where(InvoiceRegistration.claim_id == claim_id))
        )


def _reservations(engine: Engine, claim_id: int) -> int:
    with Session(engine) as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(BudgetReservation)
                .where(BudgetReservation.claim_id == claim_id)
            )
            or 0
        )


def _claim_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(ClaimRecord)) or 0)


# --- item 4: a blocked claim is refused at submission, nothing changes -------------------------


def test_a_blocked_claim_is_refused_with_its_reasons_and_stays_a_draft(
    api: Api, migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    client, _ = api
    alice = login(client, "alice")
    doc = upload(client, alice, migrated_engine, settings, "voided.xml", xml_file(VOIDED))
    draft = _draft(client, alice, invoice_item(doc, VOIDED.total))
    provider.replies.append(
        ok(Number=VOIDED.number, Date=VOIDED.date, AmountWithTax=VOIDED.total, IsAbandoned="1")
    )
    assert check_now(migrated_engine, provider) == 1  # the bureau's answer is known before submission

    # asked beforehand: the check says what blocks it
    check = client.post(f"/api/v1/claims/{draft['id']}/check", headers=alice).json()
    assert check["decision"] == "block"
    assert [(f["code"], f["item"]) for f in check["blocking"]] == [("invoice_voided", 0)]

    topics = webhook_topics(migrated_engine)
    refused = client.post(
        f"/api/v1/claims/{draft['id']}/submit", headers={**alice, "Idempotency-Key": "blocked-1"}
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "claim_blocked"
    assert [(f["code"], f["item"], f["severity"]) for f in error["details"]["findings"]] == [
        ("invoice_voided", 0, "block")
    ]
    assert error["details"]["decision"] == "block"
    # nothing happened behind the user's back: still a draft, nothing rejected, nothing held
    after = claim(client, alice, draft["id"])
    assert (after["status"], after["route"], after["submitted_at"]) == ("draft", None, None)
    assert [e["action"] for e in after["timeline"]] == []  # no submit, no auto_reject
    assert _registered(migrated_engine, draft["id"]) == set()
    assert _reservations(migrated_engine, draft["id"]) == 0
    assert webhook_topics(migrated_engine) == topics
    assert holders(client, draft["id"]) == []

    # what to do: replace the voided invoice; then the same draft goes through
    fixed = client.patch(
        f"/api/v1/claims/{draft['id']}",
        headers=alice,
        json={"purpose": "出差补助", "items": [per_diem("300.00")], "version": after["version"]},
    )
    assert fixed.status_code == 200, fixed.text
    submitted = client.post(
        f"/api/v1/claims/{draft['id']}/submit", headers={**alice, "Idempotency-Key": "blocked-2"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert "auto_reject" not in [e["action"] for e in submitted.json()["timeline"]]


def test_the_same_invoice_twice_in_one_claim_is_blocked_before_anything_is_locked(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    alice = login(client, "alice")
    doc = upload(client, alice, migrated_engine, settings, "lunch.xml", xml_file(LUNCH))
    draft = _draft(client, alice, invoice_item(doc, "100.00"), invoice_item(doc, "218.00"))
    refused = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "claim_blocked"
    assert "duplicate_invoice" in {f["code"] for f in refused.json()["error"]["details"]["findings"]}
    assert claim(client, alice, draft["id"])["status"] == "draft"
    assert _registered(migrated_engine, draft["id"]) == set()


def test_a_claim_the_flow_would_reject_at_submission_is_refused_instead(
    api: Api, migrated_engine: Engine
) -> None:
    client, _ = api
    admin, alice = login(client, "admin"), login(client, "alice")
    current = client.get("/api/v1/admin/flows/default", headers=admin).json()["text"]
    assert "reject_when:\n    risk: [block]" in current
    bumped = re.sub(r"^version: (\d+)", lambda m: f"version: {int(m[1]) + 1}", current, count=1, flags=re.M)
    text = bumped.replace("reject_when:\n    risk: [block]", 'reject_when:\n    amount_gt: "5000"')
    assert client.put("/api/v1/admin/flows", headers=admin, json={"text": text}).status_code == 200
    draft = _draft(client, alice, per_diem("6000.00"))
    topics = webhook_topics(migrated_engine)
    refused = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "claim_blocked", refused.text
    assert [f["code"] for f in refused.json()["error"]["details"]["findings"]] == ["flow_rejects"]
    after = claim(client, alice, draft["id"])
    assert (after["status"], after["route"], after["timeline"]) == ("draft", None, [])
    assert _reservations(migrated_engine, draft["id"]) == 0 and webhook_topics(migrated_engine) == topics
    small = _draft(client, alice, per_diem("400.00"))
    assert client.post(f"/api/v1/claims/{small['id']}/submit", headers=alice).json()["status"] == "submitted"


# --- item 6: a returned claim's items, amounts and invoices ------------------------------------


def test_a_returned_claim_takes_new_removed_and_replaced_invoices_with_the_controls_intact(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    alice, bob = login(client, "alice"), login(client, "bob")
    lunch = upload(client, alice, migrated_engine, settings, "lunch.xml", xml_file(LUNCH))
    dinner = upload(client, alice, migrated_engine, settings, "dinner.xml", xml_file(DINNER))
    taxi = upload(client, alice, migrated_engine, settings, "taxi.xml", xml_file(TAXI))
    draft = _draft(client, alice, invoice_item(lunch, LUNCH.total), invoice_item(dinner, DINNER.total))
    submitted = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    keys = {i["invoice_key"] for i in submitted.json()["items"]}
    assert _registered(migrated_engine, draft["id"]) == keys
    (approver,) = holders(client, draft["id"])
    returned = act(client, login(client, approver), draft["id"], "return", comment="晚餐不能报")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"

    # a held invoice cannot come in: refused, and nothing of the edit stays
    bobs = upload(client, bob, migrated_engine, settings, "bob.xml", xml_file(TAXI))
    held = _draft(client, bob, invoice_item(bobs, TAXI.total, category="transport"))
    assert client.post(f"/api/v1/claims/{held['id']}/submit", headers=bob).status_code == 200
    body = returned.json()
    items = [invoice_item(lunch, LUNCH.total), invoice_item(taxi, TAXI.total, category="transport")]
    sneaky = client.patch(
        f"/api/v1/claims/{draft['id']}",
        headers=alice,
        json={"purpose": "招待客户", "version": body["version"], "items": items},
    )
    assert sneaky.status_code == 409 and sneaky.json()["error"]["code"] == "duplicate_invoice", sneaky.text
    assert claim(client, alice, draft["id"])["version"] == body["version"]
    assert _registered(migrated_engine, draft["id"]) == keys

    # remove the dinner, change the lunch's amount, add a per-diem: the registry follows at once
    edited = client.patch(
        f"/api/v1/claims/{draft['id']}",
        headers=alice,
        json={"purpose": "招待客户", "version": body["version"],
              "items": [invoice_item(lunch, "300.00", attendees=3), per_diem("200.00")]},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    lunch_key = edited.json()["items"][0]["invoice_key"]
    assert _registered(migrated_engine, draft["id"]) == {lunch_key}
    # the dinner is free again: another claim may take it
    again = _draft(client, alice, invoice_item(dinner, DINNER.total))
    assert client.post(f"/api/v1/claims/{again['id']}/submit", headers=alice).status_code == 200
    entry = edited.json()["timeline"][-1]
    assert entry["action"] == "edit" and entry["state_before"] == entry["state_after"] == "returned"
    assert "item 1 amount: 318.00 -> 300.00" in entry["comment"]
    assert "total: 742.00 -> 500.00" in entry["comment"]
    assert edited.json()["items"][0]["attendees"] == 3

    # replace the lunch's document with another invoice: the old one is released, the new held
    mine = upload(
        client,
        alice,
        migrated_engine,
        settings,
        "mine.xml",
        xml_file(einvoice(705, "106.00", "100.00", "6.00")),
    )
    replaced = client.patch(
        f"/api/v1/claims/{draft['id']}",
        headers=alice,
        json={"purpose": "招待客户", "version": edited.json()["version"],
              "items": [invoice_item(mine, "106.00"), per_diem("200.00")]},
    )  # fmt: skip
    assert replaced.status_code == 200, replaced.text
    new_key = replaced.json()["items"][0]["invoice_key"]
    assert new_key != lunch_key and _registered(migrated_engine, draft["id"]) == {new_key}
    comment = replaced.json()["timeline"][-1]["comment"]
    assert f"item 1 document: {lunch}#0 -> {mine}#0" in comment and "item 1 invoice_key" in comment
    resubmitted = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice)
    assert resubmitted.status_code == 200, resubmitted.text
    assert [e["action"] for e in resubmitted.json()["timeline"]][-2:] == ["replan", "submit"]
    assert _registered(migrated_engine, draft["id"]) == {new_key}


# --- item 7: drafts are deleted, duplicates leave none behind, uploads are found again --------


def test_a_draft_is_deleted_with_its_trail_kept_and_nothing_else_is_deletable(
    api: Api, migrated_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    doc = upload(client, alice, migrated_engine, settings, "lunch.xml", xml_file(LUNCH))
    unattached = client.get("/api/v1/documents?unattached=true", headers=alice).json()["items"]
    assert [d["id"] for d in unattached] == [doc]
    draft = _draft(client, alice, invoice_item(doc, LUNCH.total))
    assert client.get("/api/v1/documents?unattached=true", headers=alice).json()["items"] == []
    edited = client.patch(
        f"/api/v1/claims/{draft['id']}",
        headers=alice,
        json={"purpose": "招待客户", "items": [invoice_item(doc, "300.00")], "version": draft["version"]},
    )
    assert edited.status_code == 200
    drafts = client.get("/api/v1/claims?mine=true&status=draft", headers=alice).json()["items"]
    assert [d["id"] for d in drafts] == [draft["id"]]

    assert client.delete(f"/api/v1/claims/{draft['id']}", headers=lead).status_code == 404  # not his
    submitted = _draft(client, alice, per_diem("300.00"))
    assert client.post(f"/api/v1/claims/{submitted['id']}/submit", headers=alice).status_code == 200
    refused = client.delete(f"/api/v1/claims/{submitted['id']}", headers=alice)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "claim_not_deletable"
    assert claim(client, alice, submitted["id"])["status"] == "submitted"

    deleted = client.delete(f"/api/v1/claims/{draft['id']}", headers=alice)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": draft["id"], "number": draft["number"], "deleted": True}
    assert client.get(f"/api/v1/claims/{draft['id']}", headers=alice).status_code == 404
    assert client.delete(f"/api/v1/claims/{draft['id']}", headers=alice).status_code == 404
    # its upload is unfinished again, and can go into a new claim
    unattached = client.get("/api/v1/documents?unattached=true", headers=alice).json()["items"]
    assert [d["id"] for d in unattached] == [doc]
    assert client.get("/api/v1/claims?mine=true", headers=alice).json()["items"][0]["id"] == submitted["id"]
    # the next claim gets an id of its own (a trail keyed by claim id never continues elsewhere)
    reused = _draft(client, alice, invoice_item(doc, LUNCH.total))
    assert reused["id"] > draft["id"] and reused["timeline"] == []
    assert client.post(f"/api/v1/claims/{reused['id']}/submit", headers=alice).status_code == 200
    # the trail of the edit stays, closed by the deletion, and the audit check passes
    result = cli(monkeypatch, settings, "audit", "verify")
    assert result.exit_code == 0, result.stdout
    exported = cli(monkeypatch, settings, "audit", "export", "--claim", str(draft["id"]))
    assert exported.exit_code == 0 and '"action": "delete"' in exported.stdout, exported.stdout


def test_a_duplicate_invoice_is_refused_before_a_draft_is_made(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    alice = login(client, "alice")
    first = upload(client, alice, migrated_engine, settings, "lunch.xml", xml_file(LUNCH))
    held = _draft(client, alice, invoice_item(first, LUNCH.total))
    assert client.post(f"/api/v1/claims/{held['id']}/submit", headers=alice).status_code == 200
    count = _claim_count(migrated_engine)
    second = upload(client, alice, migrated_engine, settings, "again.xml", xml_file(LUNCH))
    refused = client.post(
        "/api/v1/claims",
        headers=alice,
        json={"purpose": "再报一次", "items": [invoice_item(second, LUNCH.total)]},
    )
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "duplicate_invoice" and error["details"] == {"item": 0, "claim_id": held["id"]}
    assert _claim_count(migrated_engine) == count  # no orphan draft
    # the upload is still there to use otherwise (or to leave)
    assert second in [
        d["id"] for d in client.get("/api/v1/documents?unattached=true", headers=alice).json()["items"]
    ]

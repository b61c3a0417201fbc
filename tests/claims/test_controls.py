"""The holes of issue 13, each through the API: re-planning after a change, edits on the timeline,
corrections as evidence, tax-bureau answers that stop a claim, and every webhook event emitted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from reimburse.webhooks.service import EVENTS
from tests.api_helpers import demo_api, login
from tests.claims.controls_helpers import (
    act,
    approve_through,
    bureau_has,
    check_now,
    claim,
    einvoice,
    holders,
    invoice_item,
    not_found,
    payable_ids,
    upload,
    webhook_topics,
    xml_file,
)
from tests.claims.test_claims_api import TODAY_ISH, invoice_png, per_diem
from tests.verification.test_verification_tencent import FakeProvider, ok, provider

__all__ = ["provider"]  # the local fake bureau fixture

Api = tuple[TestClient, dict[str, Any]]


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[Api]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _submit(client: TestClient, who: dict[str, str], *items: dict[str, Any]) -> dict[str, Any]:
    draft = client.post("/api/v1/claims", headers=who, json={"purpose": "拜访客户", "items": list(items)})
    assert draft.status_code == 201, draft.text
    r = client.post(f"/api/v1/claims/{draft.json()['id']}/submit", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _edit(
    client: TestClient, who: dict[str, str], c: dict[str, Any], purpose: str, *items: dict[str, Any]
) -> Any:
    return client.patch(
        f"/api/v1/claims/{c['id']}",
        headers=who,
        json={"purpose": purpose, "items": list(items), "version": c["version"]},
    )


def _codes(c: dict[str, Any]) -> set[str]:
    return {f["code"] for f in c["risk"]["findings"]}


# --- 1. re-planning on change ---------------------------------------------------------------


def _approve_then_return(client: TestClient, claim_id: int) -> tuple[str, str, dict[str, Any]]:
    """The first step's holder approves, the second step's returns: (first, second, claim)."""
    (first,) = holders(client, claim_id)
    assert act(client, login(client, first), claim_id, "approve").status_code == 200
    (second,) = holders(client, claim_id)
    returned = act(client, login(client, second), claim_id, "return", comment="补充说明")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    return first, second, dict(returned.json())


def test_a_returned_claim_raised_to_56200_is_routed_again_from_the_start(api: Api) -> None:
    client, _ = api
    alice = login(client, "alice")
    c = _submit(client, alice, per_diem("1200.00"))
    first, second, returned = _approve_then_return(client, c["id"])
    # 366 days in a tier-1 city (the longest per-diem) and 13 days in a tier-3 one: 56,200
    edited = _edit(client, alice, returned, "拜访客户", per_diem("54900.00"), per_diem("1300.00"))
    assert edited.status_code == 200, edited.text
    again = client.post(f"/api/v1/claims/{c['id']}/submit", headers=alice).json()
    # the route starts over: the first step again (its approval was given to 1,200), then the
    # steps 56,200 requires, up to the CEO
    assert holders(client, c["id"]) == [first]
    assert act(client, login(client, second), c["id"], "approve").status_code in (403, 404, 409)
    assert "ceo" in [n["id"] for n in again["route"]["nodes"]]
    assert approve_through(client, c["id"])[-1] == "ceo"
    done = claim(client, alice, c["id"])
    assert done["status"] == "approved" and done["total"] == "56200.00"
    entries = done["timeline"]
    edit = next(e for e in entries if e["action"] == "edit")
    assert "total: 1200.00 -> 56200.00" in edit["comment"] and edit["actor"] == str(done["submitter"]["id"])
    assert [e["action"] for e in entries][:5] == ["submit", "approve", "return", "edit", "replan"]


def test_a_clarification_after_return_resumes_where_it_stopped(api: Api) -> None:
    client, _ = api
    alice = login(client, "alice")
    c = _submit(client, alice, per_diem("1200.00"))
    _, second, returned = _approve_then_return(client, c["id"])
    assert _edit(client, alice, returned, "拜访客户：示例公司", per_diem("1200.00")).status_code == 200
    client.post(f"/api/v1/claims/{c['id']}/submit", headers=alice)
    assert holders(client, c["id"]) == [second]  # money and items unchanged: the first approval stands
    entries = claim(client, alice, c["id"])["timeline"]
    assert [e["action"] for e in entries] == ["submit", "approve", "return", "edit", "resubmit"]
    assert entries[3]["comment"] == "purpose: 拜访客户 -> 拜访客户：示例公司"


def test_draft_edits_are_on_the_timeline_with_old_and_new(api: Api) -> None:
    client, _ = api
    alice = login(client, "alice")
    draft = client.post(
        "/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [per_diem("100.00")]}
    ).json()
    edited = _edit(client, alice, draft, "出差", per_diem("150.00"))
    assert edited.status_code == 200, edited.text
    (entry,) = edited.json()["timeline"]
    assert entry["action"] == "edit" and (entry["state_before"], entry["state_after"]) == ("draft", "draft")
    assert (
        "item 1 amount: 100.00 -> 150.00" in entry["comment"]
        and "total: 100.00 -> 150.00" in entry["comment"]
    )


# --- 2. corrections are evidence, not authority ----------------------------------------------


def test_a_corrected_digit_does_not_make_the_same_e_invoice_a_new_one(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    alice = login(client, "alice")
    inv = einvoice(777, "300.00", "283.02", "16.98")
    first = upload(client, alice, migrated_engine, settings, "a.xml", xml_file(inv))
    held = client.post(
        "/api/v1/claims",
        headers=alice,
        json={"purpose": "餐费", "items": [invoice_item(first, "300.00", attendees=3)]},
    ).json()
    drafts = []  # made while nobody holds the invoice yet
    for n, typed in enumerate((inv.number[:-1] + "8", inv.number[:-1] + "0"), start=1):
        again = upload(client, alice, migrated_engine, settings, f"a{n}.xml", xml_file(inv) + b"\n" * n)
        item = invoice_item(again, "300.00", attendees=3, fields={"invoice_number": typed})
        draft = client.post("/api/v1/claims", headers=alice, json={"purpose": "餐费", "items": [item]}).json()
        read = draft["items"][0]
        assert read["invoice"]["fields"]["invoice_number"] == inv.number  # the file's number stays
        assert read["corrections"] == [
            {"field": "invoice_number", "old": inv.number, "new": typed, "source": "xml", "applied": False}
        ]
        drafts.append((draft, item))
    assert client.post(f"/api/v1/claims/{held['id']}/submit", headers=alice).json()["status"] == "submitted"
    for draft, item in drafts:
        refused = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "duplicate_invoice"
        # once the invoice is held, no new draft rests on it either (issue 15: no orphan draft)
        made = client.post("/api/v1/claims", headers=alice, json={"purpose": "餐费", "items": [item]})
        assert made.status_code == 409 and made.json()["error"]["code"] == "duplicate_invoice"


def test_a_20_yuan_e_invoice_typed_as_140_is_not_paid_140(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, demo = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    inv = einvoice(20, "20.00", "18.87", "1.13")
    doc = upload(client, alice, migrated_engine, settings, "taxi.xml", xml_file(inv))
    c = _submit(client, alice, invoice_item(doc, "140.00", "meals", attendees=2, fields={"total": "140.00"}))
    assert c["items"][0]["invoice"]["fields"]["total"] == "20.00", c["risk"]
    assert {"source_value_disputed", "claimed_exceeds_invoice"} <= _codes(c)
    assert c["risk"]["decision"] != "pass" and c["risk"]["score"] > 0
    assert c["status"] == "submitted" and c["hold"] is not None  # stopped for finance
    # every approver sees what was typed beside what was read
    seen = claim(client, lead, c["id"])
    assert seen["items"][0]["corrections"][0]["new"] == "140.00"
    assert seen["items"][0]["corrections"][0]["old"] == "20.00"
    refused = act(client, lead, c["id"], "approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "claim_held"
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    assert payable_ids(client, payroll) == []


def test_ocr_corrections_are_kept_beside_the_value_read_and_scored(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    doc = upload(client, alice, migrated_engine, settings, "photo.png", invoice_png("55443322"))
    result = (
        client.get(f"/api/v1/documents/{doc}", headers=alice).json()["documents"][0]["results"][0]
        if "documents" in client.get(f"/api/v1/documents/{doc}", headers=alice).json()
        else client.get(f"/api/v1/documents/{doc}", headers=alice).json()["results"][0]
    )
    assert result["field_sources"]["total"] == "ocr" and result["fields"]["total"] == "100.00"
    item = {"category": "office", "amount": "90.00", "expense_date": TODAY_ISH, "document_id": doc,
            "fields": {"total": "90.00"}}  # fmt: skip
    c = _submit(client, alice, item)
    (correction,) = c["items"][0]["corrections"]
    assert correction == {"field": "total", "old": "100.00", "new": "90.00", "source": "ocr", "applied": True}
    assert c["items"][0]["invoice"]["fields"]["total"] == "90.00"
    scored = next(f for f in c["risk"]["findings"] if f["code"] == "corrected_amount")
    assert scored["points"] > 0 and c["risk"]["decision"] == "finance_review"
    assert "finance_review" in [n["id"] for n in c["route"]["nodes"]]
    assert claim(client, lead, c["id"])["items"][0]["corrections"] == [correction]


# --- 3. verification decides -----------------------------------------------------------------

SMALL = einvoice(488, "488.00", "460.38", "27.62")


def _small_claim(
    client: TestClient, engine: Engine, settings: Settings, submit: bool = True
) -> dict[str, Any]:
    alice = login(client, "alice")
    doc = upload(client, alice, engine, settings, "small.xml", xml_file(SMALL))
    item = invoice_item(doc, "488.00", attendees=5)
    if submit:
        return _submit(client, alice, item)
    draft = client.post("/api/v1/claims", headers=alice, json={"purpose": "餐费", "items": [item]})
    return dict(draft.json())


def test_a_pending_check_does_not_send_a_small_claim_to_finance(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    c = _small_claim(client, migrated_engine, settings)
    assert "verification_pending" in _codes(c)
    assert [n["id"] for n in c["route"]["nodes"] if n["kind"] != "cc"] == ["dept_head"], c["risk"]


def test_a_voided_answer_stops_the_claim_until_finance_decides(
    api: Api, migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    client, demo = api
    lead, finrev = login(client, "teamlead"), login(client, "finrev")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    c = _small_claim(client, migrated_engine, settings)
    provider.replies.append(
        ok(Number=SMALL.number, Date=SMALL.date, AmountWithTax=SMALL.total, IsAbandoned="1")
    )
    assert check_now(migrated_engine, provider) == 1
    refused = act(client, lead, c["id"], "approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "claim_held"
    assert [x["id"] for x in client.get("/api/v1/finance/exceptions", headers=finrev).json()["items"]] == [
        c["id"]
    ]
    assert client.get("/api/v1/finance/exceptions", headers=lead).status_code == 403
    assert act(client, lead, c["id"], "decline", comment="作废").status_code == 403
    declined = act(client, finrev, c["id"], "decline", comment="发票已作废，不予报销")
    assert declined.status_code == 200, declined.text
    body = declined.json()
    assert body["status"] == "rejected" and body["hold"] is None
    assert body["timeline"][-1]["action"] == "finance_decline"
    assert holders(client, c["id"]) == [] and payable_ids(client, payroll) == []
    assert act(client, finrev, c["id"], "release", comment="again").status_code == 409  # decided


def test_an_answer_after_approval_takes_the_claim_off_payrolls_list(
    api: Api, migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    client, demo = api
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    c = _small_claim(client, migrated_engine, settings)
    approve_through(client, c["id"])
    assert payable_ids(client, payroll) == [c["id"]]
    provider.replies.append(
        ok(Number=SMALL.number, Date=SMALL.date, AmountWithTax=SMALL.total, IsAbandoned="2")
    )
    check_now(migrated_engine, provider)
    assert payable_ids(client, payroll) == []
    paid = client.post(f"/api/v1/payouts/{c['id']}/paid", headers=payroll, json={"reference": "X"})
    assert paid.status_code == 409 and paid.json()["error"]["code"] == "claim_held"


def test_not_found_before_submission_is_known_to_the_route_and_stops_the_claim(
    api: Api, migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    client, _ = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    draft = _small_claim(client, migrated_engine, settings, submit=False)
    provider.replies.append(not_found())
    assert check_now(migrated_engine, provider) == 1  # checked as soon as read, before submission
    c = client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice).json()
    assert "invoice_not_found" in _codes(c)
    assert "finance_review" in [n["id"] for n in c["route"]["nodes"]]  # not one person's say
    assert c["hold"] is not None
    assert act(client, lead, c["id"], "approve").json()["error"]["code"] == "claim_held"


def test_a_bureau_total_that_differs_reaches_the_claim_and_the_pending_flag_clears(
    api: Api, migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    client, _ = api
    lead = login(client, "teamlead")
    c = _small_claim(client, migrated_engine, settings)
    assert "verification_pending" in _codes(c)
    provider.replies.append(
        bureau_has(SMALL, AmountWithTax="50.00", AmountWithoutTax="47.17", TaxAmount="2.83")
    )
    assert check_now(migrated_engine, provider) == 1
    after = claim(client, lead, c["id"])
    assert "verification_pending" not in _codes(after)
    assert {"verification_field_mismatch", "claimed_exceeds_bureau_total"} <= _codes(after)
    assert after["hold"] is not None and after["risk"]["decision"] != "pass"


def test_a_matching_answer_clears_the_pending_flag_and_stops_nothing(
    api: Api, migrated_engine: Engine, settings: Settings, provider: FakeProvider
) -> None:
    client, demo = api
    c = _small_claim(client, migrated_engine, settings)
    provider.replies.append(bureau_has(SMALL))
    assert check_now(migrated_engine, provider) == 1
    after = claim(client, login(client, "alice"), c["id"])
    assert "verification_pending" not in _codes(after) and after["hold"] is None
    approve_through(client, c["id"])
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    assert payable_ids(client, payroll) == [c["id"]]


# --- 5. every webhook event is emitted --------------------------------------------------------


def test_every_event_in_the_webhook_catalog_is_emitted(api: Api, migrated_engine: Engine) -> None:
    client, demo = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    paid = _submit(client, alice, per_diem("300.00"))
    returned = act(client, lead, paid["id"], "return", comment="?").json()
    _edit(client, alice, returned, "拜访客户", per_diem("240.00"))
    client.post(f"/api/v1/claims/{paid['id']}/submit", headers=alice)
    approve_through(client, paid["id"])
    assert client.post(f"/api/v1/payouts/{paid['id']}/paid", headers=payroll, json={}).status_code == 200
    rejected = _submit(client, alice, per_diem("200.00"))
    assert act(client, lead, rejected["id"], "reject", comment="no").status_code == 200
    withdrawn = _submit(client, alice, per_diem("100.00"))
    client.post(f"/api/v1/claims/{withdrawn['id']}/withdraw", headers=alice, json={})
    topics = webhook_topics(migrated_engine)
    assert set(topics) == EVENTS, sorted(EVENTS - set(topics))
    assert topics.count("claim.submitted") == 4  # the resubmission is announced too

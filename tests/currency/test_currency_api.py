"""Currencies through the API (SQLite, and PostgreSQL with REIMBURSE_INTEGRATION=1): the rate
table kept by admins, items converted into the company currency, foreign receipts, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.routing.records import AuditEntryRecord
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login
from tests.vouchers.helpers import DAY, put_rate, stored_document


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def folio(
    document_id: int, amount: str = "100.00", currency: str = "USD", number: str | None = "F-1001"
) -> dict[str, Any]:
    return {
        "category": "lodging",
        "amount": amount,
        "currency": currency,
        "expense_date": DAY.isoformat(),
        "nights": 1,
        "city_tier": 1,
        "document_id": document_id,
        "foreign_document": {
            "kind": "hotel_folio",
            "issuer": "Hilton  San Francisco",
            "number": number,
            "issue_date": DAY.isoformat(),
            "country": "US",
        },
    }


def create(client: TestClient, who: dict[str, str], *items: dict[str, Any]) -> Any:
    return client.post("/api/v1/claims", headers=who, json={"purpose": "美国客户拜访", "items": list(items)})


def audit(engine: Engine, subject: str) -> list[AuditEntryRecord]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEntryRecord).where(AuditEntryRecord.subject == subject)))


def test_admins_keep_the_rate_table_with_history_and_an_audit_entry(
    api: Any, migrated_engine: Engine
) -> None:
    client, demo = api
    admin, finrev, alice = (login(client, u) for u in ("admin", "finrev", "alice"))
    put_rate(client, "USD", "7.1000")
    put_rate(client, "USD", "7.1234", source="boc")  # a correction: a new version of that day
    listed = client.get("/api/v1/admin/fx-rates?currency=USD", headers=finrev).json()["items"]
    assert [(r["currency"], r["base"], r["rate"], r["source"]) for r in listed] == [
        ("USD", "CNY", "7.1234", "boc")
    ]
    history = client.get("/api/v1/admin/fx-rates?currency=USD&history=true", headers=admin).json()["items"]
    assert sorted(r["rate"] for r in history) == ["7.1", "7.1234"]
    entries = audit(migrated_engine, "fx_rates")
    assert [e.action for e in entries] == ["fx_rates.save", "fx_rates.save"]
    assert (
        entries[0].details["currencies"] == ["USD"] and entries[0].actor == f"user:{demo['users']['admin']}"
    )
    # only admins change rates; employees do not even read them
    body = {"rates": [{"currency": "USD", "rate_date": DAY.isoformat(), "rate": "9"}]}
    assert client.put("/api/v1/admin/fx-rates", headers=finrev, json=body).status_code == 403
    assert client.get("/api/v1/admin/fx-rates", headers=alice).status_code == 403


@pytest.mark.parametrize(
    ("rate", "currency"),
    [("7.1", "XYZ"), ("7.1", "usd"), ("0", "USD"), ("-1", "USD"), ("7.123456789", "USD"), ("1", "CNY")],
)
def test_a_bad_rate_is_refused(api: Any, rate: str, currency: str) -> None:
    client, _ = api
    admin = login(client, "admin")
    body = {"rates": [{"currency": currency, "rate_date": DAY.isoformat(), "rate": rate}]}
    r = client.put("/api/v1/admin/fx-rates", headers=admin, json=body)
    assert r.status_code == 422, r.text


def test_a_rate_csv_is_imported_whole_or_refused_with_every_bad_line(
    api: Any, migrated_engine: Engine
) -> None:
    client, _ = api
    admin = login(client, "admin")
    good = f"currency,rate_date,rate,source\nEUR,{DAY},7.7000,ecb\nJPY,{DAY},0.048,boj\n"
    r = client.post("/api/v1/admin/fx-rates/import", headers=admin, json={"text": good})
    assert r.status_code == 200 and r.json() == {"saved": 2}
    bad = f"currency,rate_date,rate\nGBP,{DAY},9.1\nXXX,{DAY},1\nGBP,not-a-day,9\n"
    r = client.post("/api/v1/admin/fx-rates/import", headers=admin, json={"text": bad})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_rates"
    problems = r.json()["error"]["details"]["problems"]
    assert [(p["path"], p["code"]) for p in problems] == [("3", "rate_currency"), ("4", "rate_date")]
    assert problems[0]["params"] == {"value": "XXX"} and problems[0]["message"].startswith("line 3: ")
    codes = {x["currency"] for x in client.get("/api/v1/admin/fx-rates", headers=admin).json()["items"]}
    assert codes == {"EUR", "JPY"}  # nothing of the bad file
    assert [e.action for e in audit(migrated_engine, "fx_rates")] == ["fx_rates.import"]


def test_a_foreign_item_is_converted_and_shows_its_conversion(api: Any, migrated_engine: Engine) -> None:
    client, demo = api
    alice = login(client, "alice")
    put_rate(client, "USD", "7.1234")
    image = stored_document(migrated_engine, demo["users"]["alice"], "folio.jpg", None)
    r = create(client, alice, folio(image), per_diem("100.00", DAY.isoformat()))
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["currency"] == "CNY" and claim["total"] == "812.34"
    item = claim["items"][0]
    assert item["amount"] == "712.34" and item["currency"] == "USD" and item["original_amount"] == "100.00"
    assert item["conversion"] == {
        "original_amount": "100.00",
        "currency": "USD",
        "rate": "7.1234",
        "rate_date": DAY.isoformat(),
        "source": "pboc",
        "converted_amount": "712.34",
    }
    assert item["invoice"] is None and item["invoice_key"].startswith("foreign:")
    assert item["foreign_document"]["issuer"] == "Hilton San Francisco"
    assert claim["items"][1]["conversion"]["source"] == "identity"
    # the caps are applied to the converted amount: 712.34 a night is over the tier-1 cap of 600
    check = client.post(f"/api/v1/claims/{claim['id']}/check", headers=alice).json()
    codes = {f["code"] for f in check["findings"]}
    assert "lodging_over_cap" in codes and "currency_unsupported" not in codes
    # no fapiao check applies to it (buyer, numbers, tax-bureau verification ...): the cap is
    # the only thing the rules say about the folio
    assert {f["code"] for f in check["findings"] if f["item"] == 0} == {"lodging_over_cap"}


def test_a_rate_of_the_last_days_serves_a_weekend_but_none_is_never_guessed(
    api: Any, migrated_engine: Engine
) -> None:
    client, demo = api
    alice = login(client, "alice")
    image = stored_document(migrated_engine, demo["users"]["alice"], "folio.jpg", None)
    r = create(client, alice, folio(image))
    assert r.status_code == 422 and r.json()["error"]["code"] == "rate_missing"
    assert r.json()["error"]["details"]["currency"] == "USD"
    put_rate(client, "USD", "7.2", day=DAY + timedelta(days=1))  # published after the spend: no use
    assert create(client, alice, folio(image)).json()["error"]["code"] == "rate_missing"
    put_rate(client, "USD", "7.0", day=DAY - timedelta(days=8))  # too old
    assert create(client, alice, folio(image)).json()["error"]["code"] == "rate_missing"
    put_rate(client, "USD", "7.05", day=DAY - timedelta(days=2))
    r = create(client, alice, folio(image))
    assert r.status_code == 201 and r.json()["items"][0]["conversion"]["rate"] == "7.05"


@pytest.mark.parametrize("currency", ["XYZ", "usd", "RMB", "US"])
def test_an_unknown_currency_is_refused(api: Any, migrated_engine: Engine, currency: str) -> None:
    client, demo = api
    alice = login(client, "alice")
    image = stored_document(migrated_engine, demo["users"]["alice"], "folio.jpg", None)
    r = create(client, alice, folio(image, currency=currency))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_a_foreign_document_needs_its_own_image(api: Any, migrated_engine: Engine) -> None:
    client, demo = api
    alice, bob = login(client, "alice"), login(client, "bob")
    put_rate(client, "USD", "7.1234")
    theirs = stored_document(migrated_engine, demo["users"]["alice"], "folio.jpg", None)
    r = create(client, bob, folio(theirs))
    assert r.status_code == 422 and r.json()["error"]["code"] == "document_not_ready"
    no_image = folio(theirs)
    no_image.pop("document_id")
    r = create(client, alice, no_image)
    assert r.status_code == 422 and r.json()["error"]["code"] == "image_required"


def test_the_same_foreign_folio_cannot_be_claimed_twice(api: Any, migrated_engine: Engine) -> None:
    client, demo = api
    alice = login(client, "alice")
    put_rate(client, "USD", "7.1234")
    one = stored_document(migrated_engine, demo["users"]["alice"], "folio-a.jpg", None)
    two = stored_document(migrated_engine, demo["users"]["alice"], "folio-b.jpg", None)
    made = create(client, alice, folio(one))
    assert made.status_code == 201, made.text
    first = made.json()
    assert client.post(f"/api/v1/claims/{first['id']}/submit", headers=alice).status_code == 200
    # another photo of the same folio (issuer spelled with other spaces and case)
    again = folio(two)
    again["foreign_document"]["issuer"] = "HILTON san francisco"
    # refused when the draft is made: a draft that could never be submitted is not left behind
    r = create(client, alice, again)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_invoice"
    # without a number there is no key to compare (and no refusal)
    third = create(client, alice, folio(two, number=None)).json()
    assert third["items"][0]["invoice_key"] is None


def test_a_fapiao_is_in_renminbi(api: Any, migrated_engine: Engine) -> None:
    from tests.vouchers.helpers import fapiao

    client, demo = api
    alice = login(client, "alice")
    put_rate(client, "USD", "7.1234")
    doc = stored_document(
        migrated_engine,
        demo["users"]["alice"],
        "fp.png",
        fapiao("digital_general", "25312000000000000001", "100.00", "5.66", "*餐饮服务*餐费"),
    )
    item = {"category": "meals", "amount": "100.00", "currency": "USD", "expense_date": DAY.isoformat(),
            "document_id": doc, "result_index": 0, "attendees": 1}  # fmt: skip
    r = create(client, alice, item)
    assert r.status_code == 422 and r.json()["error"]["code"] == "fapiao_currency"


def test_an_edit_converts_again_and_the_timeline_names_the_amount_as_spent(
    api: Any, migrated_engine: Engine
) -> None:
    client, demo = api
    alice = login(client, "alice")
    put_rate(client, "USD", "7.1234")
    put_rate(client, "EUR", "7.7000", source="ecb")
    image = stored_document(migrated_engine, demo["users"]["alice"], "folio.jpg", None)
    claim = create(client, alice, folio(image)).json()
    body = {
        "purpose": claim["purpose"],
        "items": [folio(image, amount="90.00", currency="EUR")],
        "version": claim["version"],
    }
    r = client.patch(f"/api/v1/claims/{claim['id']}", headers=alice, json=body)
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["total"] == "693.00" and edited["items"][0]["conversion"]["source"] == "ecb"
    [entry] = [e for e in edited["timeline"] if e["action"] == "edit"]
    assert "712.34 -> 693.00" in entry["comment"] and "100.00 USD -> 90.00 EUR" in entry["comment"]
    # an edit into a currency without a rate changes nothing
    body = {
        "purpose": claim["purpose"],
        "items": [folio(image, currency="GBP")],
        "version": edited["version"],
    }
    r = client.patch(f"/api/v1/claims/{claim['id']}", headers=alice, json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "rate_missing"
    assert client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["total"] == "693.00"

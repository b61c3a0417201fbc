"""Allowances without invoice, computed by the service from the policy's rate tables: per-diem
by city tier and days, mileage by distance; a typed amount that differs is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.claims.allowances import compute
from reimburse.core.errors import InvalidInput
from reimburse.core.settings import Settings
from reimburse.policy.defaults import default_policy
from tests.api_helpers import demo_api, login

DAY = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def post(client: TestClient, who: dict[str, str], *items: dict[str, Any]) -> Any:
    return client.post("/api/v1/claims", headers=who, json={"purpose": "出差", "items": list(items)})


def per_diem(**extra: Any) -> dict[str, Any]:
    return {"category": "travel", "expense_date": DAY, "allowance": "per_diem", **extra}


def mileage(**extra: Any) -> dict[str, Any]:
    return {"category": "transport", "expense_date": DAY, "allowance": "mileage", **extra}


def test_per_diem_and_mileage_are_computed_from_the_policys_tables(api: Any) -> None:
    client, _ = api
    alice = login(client, "alice")
    r = post(client, alice, per_diem(city_tier=2, days=3), mileage(distance_km="123.4"))
    assert r.status_code == 201, r.text
    first, second = r.json()["items"]
    assert first["amount"] == "360.00" and first["no_invoice_kind"] == "per_diem"
    assert first["allowance"] == {"type": "per_diem", "city_tier": 2, "days": 3, "rate": "120.00"}
    assert "3 day(s) x 120.00" in first["no_invoice_reason"]
    assert second["amount"] == "148.08"  # 123.4 km x 1.20
    assert second["allowance"] == {"type": "mileage", "distance_km": "123.4", "rate": "1.20"}
    assert r.json()["total"] == "508.08"
    # the amount sent that matches is accepted; the one that differs is refused with the figure
    assert post(client, alice, per_diem(city_tier=1, days=2, amount="300.00")).status_code == 201
    typed = post(client, alice, per_diem(city_tier=1, days=2, amount="500.00"))
    assert typed.status_code == 422
    error = typed.json()["error"]
    assert error["code"] == "allowance_amount_computed"
    assert "2 day(s) x 150.00 (city tier 1) = 300.00" in error["message"]
    assert error["details"]["computed"] == "300.00"


def test_an_allowance_without_its_basis_is_refused(api: Any) -> None:
    client, _ = api
    alice = login(client, "alice")
    for item in (per_diem(days=2), per_diem(city_tier=1), mileage(), mileage(distance_km="0")):
        r = post(client, alice, item)
        assert r.status_code == 422, (item, r.text)
    r = post(client, alice, per_diem(city_tier=3))
    assert r.json()["error"]["code"] == "allowance_basis_required"
    r = post(client, alice, per_diem(city_tier=1, days=1, document_id=1))
    assert r.status_code == 422


def test_the_rates_follow_the_policy_document(api: Any) -> None:
    client, _ = api
    admin, alice = login(client, "admin"), login(client, "alice")
    text = client.get("/api/v1/admin/policy", headers=admin).json()["text"]
    edited = text.replace("mileage_per_km: 1.20", "mileage_per_km: 0.80")
    assert edited != text
    assert client.put("/api/v1/admin/policy", headers=admin, json={"text": edited}).status_code == 200
    r = post(client, alice, mileage(distance_km="100"))
    assert r.json()["items"][0]["amount"] == "80.00"


@pytest.mark.parametrize(
    ("kind", "tier", "days", "km", "expected"),
    [
        ("per_diem", 1, 1, None, "150.00"),
        ("per_diem", 3, 10, None, "1000.00"),
        ("mileage", None, None, Decimal("0.5"), "0.60"),
        ("mileage", None, None, Decimal("333.3"), "399.96"),
    ],
)
def test_compute_table(
    kind: str, tier: int | None, days: int | None, km: Decimal | None, expected: str
) -> None:
    got = compute(default_policy().allowances, kind, city_tier=tier, days=days, distance_km=km, typed=None)
    assert f"{got.amount:.2f}" == expected
    with pytest.raises(InvalidInput):
        compute(default_policy().allowances, kind, city_tier=tier, days=days, distance_km=km,
                typed=got.amount + Decimal("0.01"))  # fmt: skip


# --- no amount of an item without invoice is typed (issue 18) --------------------------------


def older(kind: str, **extra: Any) -> dict[str, Any]:
    """An item in the older form: ``no_invoice_kind`` (per_diem, mileage) with a reason."""
    category = "travel" if kind == "per_diem" else "transport"
    return {"category": category, "expense_date": DAY, "no_invoice_kind": kind,
            "no_invoice_reason": "出差补助", **extra}  # fmt: skip


def error_code(r: Any) -> str:
    assert r.status_code == 422, r.text
    return str(r.json()["error"]["code"])


def test_no_invoice_kind_is_computed_like_an_allowance(api: Any) -> None:
    client, _ = api
    alice = login(client, "alice")
    # a typed amount without its basis is refused: there is nothing to compute it from
    assert error_code(post(client, alice, older("per_diem", amount="450.00"))) == "allowance_basis_required"
    assert error_code(post(client, alice, older("mileage", amount="36.00"))) == "allowance_basis_required"
    # with its basis, a typed amount that differs is refused with the computed figure
    typed = post(client, alice, older("per_diem", amount="999.00", city_tier=1, days=3))
    assert error_code(typed) == "allowance_amount_computed"
    assert typed.json()["error"]["details"]["computed"] == "450.00"
    typed = post(client, alice, older("mileage", amount="50.00", distance_km="30"))
    assert error_code(typed) == "allowance_amount_computed"
    assert typed.json()["error"]["details"]["computed"] == "36.00"
    # the two names must agree; an allowance is in the company currency (a dollar amount rests on
    # a receipt from abroad)
    both = {**older("per_diem", city_tier=1, days=1), "allowance": "mileage", "distance_km": "10"}
    assert error_code(post(client, alice, both)) == "invalid_allowance"
    dollars = older("per_diem", city_tier=1, days=1, currency="USD")
    assert error_code(post(client, alice, dollars)) == "allowance_currency"
    assert client.get("/api/v1/claims", headers=alice).json()["items"] == []  # nothing was saved
    # computed: the amount is the policy's, the basis is kept, the reason stays as a note
    r = post(client, alice, older("per_diem", city_tier=2, days=2), older("mileage", distance_km="30"))
    assert r.status_code == 201, r.text
    per_day, km = r.json()["items"]
    assert (per_day["amount"], per_day["no_invoice_kind"], per_day["no_invoice_reason"]) == (
        "240.00", "per_diem", "出差补助")  # fmt: skip
    assert per_day["allowance"] == {"type": "per_diem", "city_tier": 2, "days": 2, "rate": "120.00"}
    assert (km["amount"], km["allowance"]["distance_km"]) == ("36.00", "30.0")
    # without a note, the computation's words are the reason
    r = post(client, alice, {**older("mileage", distance_km="30"), "no_invoice_reason": None})
    assert r.json()["items"][0]["no_invoice_reason"] == "mileage: 30.0 km x 1.20 = 36.00"


def test_a_typed_amount_is_refused_when_a_draft_or_a_returned_claim_is_edited(api: Any) -> None:
    client, _ = api
    alice, lead = login(client, "alice"), login(client, "teamlead")
    made = post(client, alice, per_diem(city_tier=1, days=2))
    assert made.status_code == 201, made.text
    claim = made.json()

    def edit(*items: dict[str, Any]) -> Any:
        body = {"purpose": "出差", "items": list(items), "version": claim["version"]}
        return client.patch(f"/api/v1/claims/{claim['id']}", headers=alice, json=body)

    def refused_every_way() -> None:
        typed = edit(per_diem(city_tier=1, days=2, amount="3000.00"))
        assert error_code(typed) == "allowance_amount_computed"
        assert error_code(edit(older("per_diem", amount="3000.00"))) == "allowance_basis_required"
        typed = edit(older("per_diem", amount="3000.00", city_tier=1, days=2))
        assert error_code(typed) == "allowance_amount_computed"
        assert error_code(edit(older("mileage", amount="3000.00"))) == "allowance_basis_required"
        kept = client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()
        assert (kept["total"], [i["amount"] for i in kept["items"]]) == ("300.00", ["300.00"])

    refused_every_way()  # a draft
    assert client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice).status_code == 200
    returned = client.post(f"/api/v1/claims/{claim['id']}/actions", headers=lead,
                           json={"action": "return", "comment": "天数？"})  # fmt: skip
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    claim = returned.json()
    refused_every_way()  # a returned claim
    # its basis can change: the amount follows it
    changed = edit(older("per_diem", city_tier=1, days=3))
    assert changed.status_code == 200, changed.text
    assert changed.json()["total"] == "450.00"


def test_the_computed_amount_follows_the_rate_table_and_submitted_claims_keep_theirs(api: Any) -> None:
    client, _ = api
    admin, alice = login(client, "admin"), login(client, "alice")
    submitted = post(client, alice, per_diem(city_tier=1, days=2), mileage(distance_km="100"))
    assert submitted.status_code == 201, submitted.text
    claim_id = submitted.json()["id"]
    assert client.post(f"/api/v1/claims/{claim_id}/submit", headers=alice).status_code == 200
    draft = post(client, alice, older("per_diem", city_tier=1, days=2)).json()
    text = client.get("/api/v1/admin/policy", headers=admin).json()["text"]
    edited = text.replace("    1: 150\n", "    1: 180\n")
    edited = edited.replace("mileage_per_km: 1.20", "mileage_per_km: 0.90")
    assert edited.count("1: 180") == 1 and "mileage_per_km: 0.90" in edited
    saved = client.put("/api/v1/admin/policy", headers=admin, json={"text": edited})
    assert saved.status_code == 200, saved.text
    # a new item: the new rates, through either name
    r = post(client, alice, per_diem(city_tier=1, days=2), older("mileage", distance_km="100"))
    assert r.status_code == 201, r.text
    assert [i["amount"] for i in r.json()["items"]] == ["360.00", "90.00"]
    assert r.json()["items"][0]["allowance"]["rate"] == "180.00"
    # the old amount is refused now: it is not what the rates give
    old = post(client, alice, per_diem(city_tier=1, days=2, amount="300.00"))
    assert error_code(old) == "allowance_amount_computed"
    # the submitted claim keeps what it was computed to when it was made
    kept = client.get(f"/api/v1/claims/{claim_id}", headers=alice).json()
    assert kept["total"] == "420.00" and [i["amount"] for i in kept["items"]] == ["300.00", "120.00"]
    assert kept["items"][0]["allowance"]["rate"] == "150.00"
    # a draft saved again is computed again, at today's rates
    again = client.patch(f"/api/v1/claims/{draft['id']}", headers=alice,
                         json={"purpose": "出差", "items": [per_diem(city_tier=1, days=2)],
                               "version": draft["version"]})  # fmt: skip
    assert again.status_code == 200, again.text
    assert again.json()["total"] == "360.00"

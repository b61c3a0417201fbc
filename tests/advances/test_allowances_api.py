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

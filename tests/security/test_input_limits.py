"""Length and character limits on inputs, checked before anything is stored (both databases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimRecord
from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.documents.records import DocumentRecord
from tests.api_helpers import demo_api, login


def _item(**extra: Any) -> dict[str, Any]:
    return {"category": "office", "amount": "10.00", "expense_date": utcnow().date().isoformat(), **extra}


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_nul_characters_are_refused_everywhere(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        for body in (
            {"purpose": "trip\x00", "items": [_item()]},
            {"purpose": "trip", "items": [_item(description="a\x00b")]},
            {"purpose": "trip", "items": [_item(fields={"seller_name": "ACME\x00"})]},
        ):
            r = client.post("/api/v1/claims", headers=alice, json=body)
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_characters", r.text
        assert client.get("/api/v1/claims?status=a%00b", headers=alice).status_code == 422
        assert _count(migrated_engine, ClaimRecord) == 0


def test_overlong_and_absurd_values_are_refused(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, admin = login(client, "alice"), login(client, "admin")
        refused = [
            {"purpose": "x", "items": [_item(fields={"seller_name": "Q" * 300})]},
            {"purpose": "x", "items": [_item(fields={"total": "1" * 60})]},
            {"purpose": "x", "items": [_item(fields={"not_a_field": "1"})]},
            {"purpose": "x", "items": [_item(expense_date="9999-12-31")]},
            {"purpose": "x", "items": [_item(document_id=2**31)]},
            {"purpose": "x", "items": [_item()], "version": 2**63},
        ]
        for body in refused:
            r = client.post("/api/v1/claims", headers=alice, json=body)
            assert r.status_code == 422, (body, r.text)
        huge = client.post(
            "/api/v1/claims",
            headers=alice,
            json={"purpose": "x", "items": [_item(fields={"seller_name": "Q" * 5_000_000})]},
        )
        assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
        assert _count(migrated_engine, ClaimRecord) == 0
        me = client.get("/api/v1/me", headers=admin).json()
        long_name = client.patch(
            f"/api/v1/admin/users/{me['id']}", headers=admin, json={"display_name": "N" * 5000}
        )
        assert long_name.status_code == 422
        budget = client.post(
            "/api/v1/admin/budgets",
            headers=admin,
            json={
                "department_id": 1,
                "category": "*",
                "period": "quarter",
                "start": "9999-12-01",
                "amount": "100.00",
            },
        )
        assert budget.status_code == 422


def test_an_overlong_idempotency_key_is_refused_before_the_file_is_stored(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        r = client.post(
            "/api/v1/documents",
            headers={**alice, "Idempotency-Key": "k" * 300},
            files={"files": ("a.xml", b"<?xml version='1.0'?><x/>", "application/xml")},
        )
        assert r.status_code == 422, r.text
        assert _count(migrated_engine, DocumentRecord) == 0
        store = Path(settings.data_dir) / "store"
        assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))

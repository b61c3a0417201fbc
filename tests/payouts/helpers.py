"""Claims walked to approval through the API, for the payroll and report tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.claims.test_claims_api import approve_all, per_diem


def approved_claim(
    client: TestClient, who: dict[str, str], amount: str = "600.00", **extra: Any
) -> dict[str, Any]:
    body = {"purpose": "拜访客户", "items": [per_diem(amount)], **extra}
    made = client.post("/api/v1/claims", headers=who, json=body)
    assert made.status_code == 201, made.text
    claim = made.json()
    submitted = client.post(f"/api/v1/claims/{claim['id']}/submit", headers=who)
    assert submitted.status_code == 200, submitted.text
    approve_all(client, claim["id"])
    done = client.get(f"/api/v1/claims/{claim['id']}", headers=who).json()
    assert done["status"] == "approved", done["status"]
    return done

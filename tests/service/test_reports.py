"""Dashboard reports: spend, budget burn, cycle time per step, findings, states; and who may see."""

from __future__ import annotations

from sqlalchemy import Engine

from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import approve_all


def test_reports_after_an_approved_claim(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        from sqlalchemy.orm import Session

        from reimburse.claims.demo import seed_demo_claims

        with Session(migrated_engine) as s:
            seed_demo_claims(s)  # budgets and three claims
            s.commit()
        alice, lead, finrev = login(client, "alice"), login(client, "teamlead"), login(client, "finrev")
        today = utcnow().date()  # the demo budgets cover the current month
        item = per_diem("300.00", today.isoformat(), "meals")
        claim = client.post("/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [item]}).json()
        client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
        approve_all(client, claim["id"])
        assert client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()["status"] == "approved"
        spend = client.get("/api/v1/reports/spend?by=category", headers=finrev).json()["series"]
        assert {"period": f"{today:%Y-%m}", "key": "meals", "value": "300.00"} in spend
        by_dept = client.get("/api/v1/reports/spend", headers=lead).json()["series"]
        assert by_dept and all(p["key"] == "华东销售组" for p in by_dept)  # the head sees his subtree
        burn = client.get("/api/v1/reports/budget", headers=finrev).json()["series"]
        meals = [b for b in burn if b["key"] == "华东销售组 · meals"]
        assert meals and meals[0]["spent"] == "300.00"
        cycle = client.get("/api/v1/reports/cycle-time", headers=finrev).json()["series"]
        assert any(p["key"] == "dept_head" and p["count"] >= 1 for p in cycle)
        states = {
            p["key"]: p["value"]
            for p in client.get("/api/v1/reports/claims-by-state", headers=finrev).json()["series"]
        }
        assert states.get("approved", 0) >= 1
        assert isinstance(client.get("/api/v1/reports/findings", headers=finrev).json()["series"], list)
        assert client.get("/api/v1/reports/spend", headers=alice).status_code == 403

"""`reimburse demo`: a company to click through, seeded once."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetRecord
from reimburse.claims.demo import seed_demo_claims
from reimburse.claims.records import ClaimRecord
from reimburse.identity.seed import seed_demo_org
from tests.api_helpers import wipe


def test_demo_seeds_budgets_and_claims_once(migrated_engine: Engine) -> None:
    wipe(migrated_engine)
    try:
        with Session(migrated_engine) as s:
            seed_demo_org(s)
            first = seed_demo_claims(s)
            s.commit()
        with Session(migrated_engine) as s:
            assert first["created"] and [c["status"] for c in first["claims"]][2] == "draft"
            assert {c["status"] for c in first["claims"][:2]} <= {"submitted", "approved"}
            assert s.scalar(select(func.count()).select_from(BudgetRecord)) == 4 * 4
            assert seed_demo_claims(s) == {"created": False}
            assert s.scalar(select(func.count()).select_from(ClaimRecord)) == 3
    finally:
        wipe(migrated_engine)


def test_metrics_show_queue_depth_and_claims_by_state(migrated_engine: Engine) -> None:
    from fastapi.testclient import TestClient

    from reimburse.api.app import create_app
    from reimburse.core.settings import Settings

    wipe(migrated_engine)
    try:
        with Session(migrated_engine) as s:
            seed_demo_org(s)
            seed_demo_claims(s)
            s.commit()
        settings = Settings(environment="test", database_url=str(migrated_engine.url.render_as_string(False)))
        with TestClient(create_app(settings)) as client:
            text = client.get("/metrics").text
        assert 'reimburse_claims{state="draft"} 1.0' in text
        assert "reimburse_outbox_pending" in text
        assert "reimburse_document_seconds" in text
    finally:
        wipe(migrated_engine)

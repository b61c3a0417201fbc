"""The foundation: migrations, idempotency keys, the error shape, health endpoints."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core import idempotency
from reimburse.core.errors import Conflict
from reimburse.core.settings import Settings


def test_idempotency_replays_the_first_answer(session: Session) -> None:
    fp = idempotency.request_fingerprint({"claim": 7})
    assert idempotency.lookup(session, "payroll", "paid", "k1", fp) is None
    idempotency.remember(session, "payroll", "paid", "k1", fp, 200, {"status": "paid"})
    stored = idempotency.lookup(session, "payroll", "paid", "k1", fp)
    assert stored is not None
    assert (stored.status_code, stored.body) == (200, {"status": "paid"})


def test_idempotency_key_reused_for_other_request_conflicts(session: Session) -> None:
    idempotency.remember(session, "u1", "upload", "k2", idempotency.request_fingerprint("a"), 201, {})
    with pytest.raises(Conflict):
        idempotency.lookup(session, "u1", "upload", "k2", idempotency.request_fingerprint("b"))
    with pytest.raises(Conflict):
        idempotency.remember(session, "u1", "upload", "k2", idempotency.request_fingerprint("a"), 201, {})


def test_health_and_error_shape(settings: Settings, migrated_engine: object) -> None:
    client = TestClient(create_app(settings))
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert b"python_info" in client.get("/metrics").content


def test_settings_refuse_default_secret_outside_development() -> None:
    # refused when the service starts (serve, worker, beat, the app), not when a CLI reads them
    assert any("SECRET_KEY" in p for p in Settings(environment="production").startup_problems())
    # checkpoints need a signing key that stays
    problems = Settings(environment="production", secret_key="s" * 32).startup_problems()
    assert any("AUDIT_SIGNING_KEY" in p for p in problems)
    key = "A" * 43 + "="
    problems = Settings(
        environment="production", secret_key="s" * 32, audit_signing_key=key
    ).startup_problems()
    # bank account numbers are encrypted with a key of the installation's own, never the dev key
    assert [p for p in problems if "DATA_KEY" in p] == problems and len(problems) == 1
    full = Settings(environment="production", secret_key="s" * 32, audit_signing_key=key, data_key=key)
    assert full.startup_problems() == []

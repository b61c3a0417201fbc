"""Settings fail closed: production by default, no start on a default secret or with demo
accounts, a real admin from the CLI, /metrics and /docs closed in production, the secret used."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from reimburse.api.app import create_app
from reimburse.cli import app as cli
from reimburse.core.settings import Settings, get_settings
from reimburse.identity.records import UserRecord
from reimburse.startup import problems
from tests.api_helpers import demo_api, login, wipe
from tests.claims.test_inbox_pages import submit_claims

SECRET = "k" * 40
AUDIT_KEY = "A" * 43 + "="  # 32 bytes in base64: production signs the audit trail
DATA_KEY = "B" * 43 + "="  # 32 bytes in base64: production encrypts bank accounts


def _production(**values: object) -> Settings:
    return Settings(
        environment="production", secret_key=SECRET, audit_signing_key=AUDIT_KEY, data_key=DATA_KEY, **values
    )


def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **values: str) -> None:
    monkeypatch.delenv("REIMBURSE_ENVIRONMENT", raising=False)
    monkeypatch.delenv("REIMBURSE_SECRET_KEY", raising=False)
    monkeypatch.setenv("REIMBURSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REIMBURSE_DATABASE_URL", raising=False)
    for key, value in values.items():
        monkeypatch.setenv(f"REIMBURSE_{key.upper()}", value)
    get_settings.cache_clear()


def test_without_an_environment_the_service_is_production_and_refuses_the_default_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _env(monkeypatch, tmp_path)
    try:
        assert Settings().environment == "production"
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(Settings(data_dir=tmp_path))
        result = CliRunner().invoke(cli, ["serve", "--port", "1"])
        assert result.exit_code == 2 and "SECRET_KEY" in result.output
        refused = CliRunner().invoke(cli, ["demo"])
        assert refused.exit_code != 0  # the demo company is not seeded in production
        _env(monkeypatch, tmp_path, environment="development")
        assert create_app(Settings(data_dir=tmp_path)).state.settings.environment == "development"
    finally:
        get_settings.cache_clear()


def test_demo_accounts_block_a_production_start_until_a_real_admin_replaces_them(
    migrated_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = migrated_engine.url.render_as_string(hide_password=False)
    production = Settings(
        environment="production",
        secret_key=SECRET,
        audit_signing_key=AUDIT_KEY,
        data_key=DATA_KEY,
        database_url=url,
        data_dir=tmp_path,
    )
    with demo_api(migrated_engine, settings):
        found = problems(production)
        assert len(found) == 1 and "admin" in found[0] and "demo password" in found[0]
        wipe(migrated_engine)
    assert problems(production) == []
    _env(
        monkeypatch,
        tmp_path,
        environment="production",
        secret_key=SECRET,
        audit_signing_key=AUDIT_KEY,
        data_key=DATA_KEY,
        database_url=url,
    )
    try:
        weak = CliRunner().invoke(cli, ["create-admin", "root"], input="short\nshort\n")
        assert weak.exit_code == 1 and "weak_password" in weak.output
        made = CliRunner().invoke(cli, ["create-admin", "root"], input="a-long-real-password\n" * 2)
        assert made.exit_code == 0, made.output
        assert json.loads(made.output.strip().splitlines()[-1])["roles"] == ["admin"]
        with Session(migrated_engine) as s:
            root = s.scalars(select(UserRecord).where(UserRecord.username == "root")).one()
            assert root.roles == ["admin"] and root.password_hash and "long" not in root.password_hash
        app = create_app(
            Settings(
                environment="production",
                secret_key=SECRET,
                audit_signing_key=AUDIT_KEY,
                data_key=DATA_KEY,
                database_url=url,
                data_dir=tmp_path,
            )
        )
        client = TestClient(app)
        signed_in = client.post(
            "/api/v1/auth/login", json={"username": "root", "password": "a-long-real-password"}
        )
        assert signed_in.status_code == 200
        taken = CliRunner().invoke(cli, ["create-admin", "root"], input="a-long-real-password\n" * 2)
        assert taken.exit_code == 1 and "username_taken" in taken.output
    finally:
        get_settings.cache_clear()
        wipe(migrated_engine)


def test_metrics_and_docs_are_closed_in_production(settings: Settings, migrated_engine: Engine) -> None:
    real = {
        "environment": "production",
        "secret_key": SECRET,
        "audit_signing_key": AUDIT_KEY,
        "data_key": SecretStr(DATA_KEY),
    }
    production = settings.model_copy(update=real)
    client = TestClient(create_app(production))
    assert client.get("/metrics").status_code == 404
    assert client.get("/docs").status_code == 404
    token = "m" * 32
    scraped = TestClient(create_app(production.model_copy(update={"metrics_token": token})))
    assert scraped.get("/metrics").status_code == 401
    assert scraped.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = scraped.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and b"python_info" in ok.content
    documented = TestClient(create_app(production.model_copy(update={"api_docs": True})))
    docs = documented.get("/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def _page(client: TestClient, headers: dict[str, str], cursor: str | None = None) -> Any:
    params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
    return client.get("/api/v1/inbox", headers=headers, params=params)


def test_inbox_cursors_are_signed_with_the_secret(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        submit_claims(client, alice, ["360.00", "384.00"])
        first = _page(client, lead).json()
        cursor = first["next_cursor"]
        assert cursor and first["total"] == 2
        assert _page(client, lead, cursor).status_code == 200
        payload, _, tag = cursor.partition(".")
        # a hand-made cursor: the same shape, another position, no valid signature
        since, total, row = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        forged = base64.urlsafe_b64encode(json.dumps([since, total, row + 1]).encode()).decode().rstrip("=")
        for bad in (forged, f"{forged}.{tag}", payload, f"{payload}.AAAA"):
            r = _page(client, lead, bad)
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_cursor", bad
    other = settings.model_copy(update={"secret_key": "another-secret-" * 3})
    with demo_api(migrated_engine, other) as (client, _):  # a cursor signed with another secret
        assert _page(client, login(client, "teamlead"), cursor).status_code == 422
